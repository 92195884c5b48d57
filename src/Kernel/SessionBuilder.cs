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

    /// <summary>
    /// Handles <paramref name="ev"/>; <c>Call</c> returns null. The value of an expression lambda
    /// (<c>c =&gt; c.Kernel.Post(...)</c>) is discarded; a handler whose value matters uses <see cref="OnCall(string, Func{EventContext{THeap}, object?})"/>.
    /// </summary>
    public SessionBuilder<THeap> On(string ev, Action<EventContext<THeap>> handler) => Add(ev, handler);

    /// <summary>
    /// Handles <paramref name="ev"/> with a handler whose value is the result: what <c>Call</c> returns,
    /// and what <c>_child</c> gets as ARG2 for <c>_start</c>/<c>_stop</c>. A distinct name, so a lambda
    /// never becomes value-returning by accident.
    /// </summary>
    public SessionBuilder<THeap> OnCall(string ev, Func<EventContext<THeap>, object?> handler) => Add(ev, handler);

    /// <summary>Handles the typed event <paramref name="ev"/>, which carries no arguments.</summary>
    public SessionBuilder<THeap> On(Event ev, Action<EventContext<THeap>> handler) => Add(NameOf(ev), handler);

    /// <summary>
    /// Handles the typed event <paramref name="ev"/>, its ARG0 passed as a <typeparamref name="T"/>.
    /// A string post of the same name reaches it too; a missing or mistyped ARG0 then throws as
    /// <see cref="EventContext{THeap}.Arg{T}"/> does.
    /// </summary>
    public SessionBuilder<THeap> On<T>(Event<T> ev, Action<EventContext<THeap>, T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(NameOf(ev), (Action<EventContext<THeap>>)(ctx => handler(ctx, ctx.Arg<T>(0))));
    }

    /// <summary>Handles the typed event <paramref name="ev"/>, its ARG0 and ARG1 passed typed.</summary>
    public SessionBuilder<THeap> On<T1, T2>(Event<T1, T2> ev, Action<EventContext<THeap>, T1, T2> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(NameOf(ev), (Action<EventContext<THeap>>)(ctx => handler(ctx, ctx.Arg<T1>(0), ctx.Arg<T2>(1))));
    }

    /// <summary>Handles the typed event <paramref name="ev"/>, its ARG0, ARG1 and ARG2 passed typed.</summary>
    public SessionBuilder<THeap> On<T1, T2, T3>(Event<T1, T2, T3> ev, Action<EventContext<THeap>, T1, T2, T3> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(NameOf(ev), (Action<EventContext<THeap>>)(ctx => handler(ctx, ctx.Arg<T1>(0), ctx.Arg<T2>(1), ctx.Arg<T3>(2))));
    }

    /// <summary>Handles the typed event <paramref name="ev"/> with a handler whose value <c>Call</c> returns.</summary>
    public SessionBuilder<THeap> OnCall(Event ev, Func<EventContext<THeap>, object?> handler) => Add(NameOf(ev), handler);

    /// <summary>Handles the typed event <paramref name="ev"/> (ARG0 typed) with a handler whose value <c>Call</c> returns.</summary>
    public SessionBuilder<THeap> OnCall<T>(Event<T> ev, Func<EventContext<THeap>, T, object?> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(NameOf(ev), (Func<EventContext<THeap>, object?>)(ctx => handler(ctx, ctx.Arg<T>(0))));
    }

    /// <summary>Handles the typed event <paramref name="ev"/> (ARG0, ARG1 typed) with a handler whose value <c>Call</c> returns.</summary>
    public SessionBuilder<THeap> OnCall<T1, T2>(Event<T1, T2> ev, Func<EventContext<THeap>, T1, T2, object?> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(NameOf(ev), (Func<EventContext<THeap>, object?>)(ctx => handler(ctx, ctx.Arg<T1>(0), ctx.Arg<T2>(1))));
    }

    /// <summary>Handles the typed event <paramref name="ev"/> (ARG0, ARG1, ARG2 typed) with a handler whose value <c>Call</c> returns.</summary>
    public SessionBuilder<THeap> OnCall<T1, T2, T3>(Event<T1, T2, T3> ev, Func<EventContext<THeap>, T1, T2, T3, object?> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Add(NameOf(ev), (Func<EventContext<THeap>, object?>)(ctx => handler(ctx, ctx.Arg<T1>(0), ctx.Arg<T2>(1), ctx.Arg<T3>(2))));
    }

    /// <summary>Handles events that have no handler (<c>_default</c>): ARG0 the original name, ARG1 its argument array; typed as <see cref="EventContext{THeap}.DefaultEvent"/> and <see cref="EventContext{THeap}.DefaultArgs"/>.</summary>
    public SessionBuilder<THeap> OnDefault(Action<EventContext<THeap>> handler) => Add(KnownEvents.Default, handler);

    /// <summary>Like <see cref="OnDefault(Action{EventContext{THeap}})"/>; the value is what <c>Call</c> returns.</summary>
    public SessionBuilder<THeap> OnDefaultCall(Func<EventContext<THeap>, object?> handler) => Add(KnownEvents.Default, handler);

    /// <summary>Session options: <paramref name="trace"/> logs each event it gets, <paramref name="defaultWarnings"/> warns about unhandled events.</summary>
    public SessionBuilder<THeap> Options(bool trace = false, bool defaultWarnings = false)
    {
        Trace = trace;
        DefaultWarnings = defaultWarnings;
        return this;
    }

    private static string NameOf(TypedEvent ev)
    {
        ArgumentNullException.ThrowIfNull(ev);
        return ev.Name;
    }

    private SessionBuilder<THeap> Add(string ev, Delegate handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(ev);
        ArgumentNullException.ThrowIfNull(handler);
        Handlers.Add((ev, handler));
        return this;
    }
}
