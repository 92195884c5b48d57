namespace PoeSharp;

/// <summary>
/// Declares a session's handlers (POE's <c>inline_states</c> and <c>object_states</c>) and options.
/// Handlers are lambdas or method groups: <c>s.On("tick", OnTick)</c>, <c>s.On("tick", server.OnTick)</c>.
/// </summary>
/// <typeparam name="THeap">The session's heap type.</typeparam>
public sealed class SessionBuilder<THeap>
{
    internal readonly List<(string Event, Delegate Handler)> Handlers = new();
    internal bool Trace;
    internal bool DefaultWarnings;

    internal SessionBuilder() { }

    /// <summary>Handles <paramref name="ev"/>; <c>Call</c> returns null.</summary>
    public SessionBuilder<THeap> On(string ev, Action<EventContext<THeap>> handler) => Add(ev, handler);

    /// <summary>Handles <paramref name="ev"/>; the returned value is what <c>Call</c> returns (and what <c>_child</c> gets for <c>_start</c>/<c>_stop</c>).</summary>
    public SessionBuilder<THeap> On(string ev, Func<EventContext<THeap>, object?> handler) => Add(ev, handler);

    /// <summary>Handles <paramref name="ev"/> with a typed first argument (ARG0).</summary>
    public SessionBuilder<THeap> On<T>(Event<T> ev, Action<EventContext<THeap>, T> handler)
    {
        ArgumentNullException.ThrowIfNull(ev);
        ArgumentNullException.ThrowIfNull(handler);
        return Add(ev.Name, (Action<EventContext<THeap>>)(ctx => handler(ctx, ctx.Arg<T>(0))));
    }

    /// <summary>Handles events that have no handler (<c>_default</c>): ARG0 the original name, ARG1 its argument array; typed as <see cref="EventContext{THeap}.DefaultEvent"/> and <see cref="EventContext{THeap}.DefaultArgs"/>.</summary>
    public SessionBuilder<THeap> OnDefault(Action<EventContext<THeap>> handler) => Add(KnownEvents.Default, handler);

    /// <summary>Like <see cref="OnDefault(Action{EventContext{THeap}})"/>; the value is what <c>Call</c> returns.</summary>
    public SessionBuilder<THeap> OnDefault(Func<EventContext<THeap>, object?> handler) => Add(KnownEvents.Default, handler);

    /// <summary>Session options: <paramref name="trace"/> logs each event it gets, <paramref name="defaultWarnings"/> warns about unhandled events.</summary>
    public SessionBuilder<THeap> Options(bool trace = false, bool defaultWarnings = false)
    {
        Trace = trace;
        DefaultWarnings = defaultWarnings;
        return this;
    }

    private SessionBuilder<THeap> Add(string ev, Delegate handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(ev);
        ArgumentNullException.ThrowIfNull(handler);
        Handlers.Add((ev, handler));
        return this;
    }
}
