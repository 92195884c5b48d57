using System.Runtime.CompilerServices;

namespace PoeSharp;

/// <summary>
/// What a handler sees (POE's <c>@_</c>): the kernel, its session and typed heap, the sender,
/// the event name and the arguments. A struct built per dispatch; it allocates nothing.
/// </summary>
/// <typeparam name="THeap">The session's heap type.</typeparam>
public readonly struct EventContext<THeap>
{
    private readonly object?[] _args;

    internal EventContext(Kernel kernel, Session session, THeap heap, Session sender, string state,
                          object?[] args, string? callerState, string? callerFile = null, int callerLine = 0)
    {
        Kernel = kernel;
        Session = session;
        Heap = heap;
        Sender = sender;
        State = state;
        _args = args;
        CallerState = callerState;
        CallerFile = callerFile;
        CallerLine = callerLine;
    }

    /// <summary>The kernel (POE's KERNEL).</summary>
    public Kernel Kernel { get; }

    /// <summary>The session handling the event (SESSION).</summary>
    public Session Session { get; }

    /// <summary>The session's heap (HEAP).</summary>
    public THeap Heap { get; }

    /// <summary>The session that sent the event (SENDER); the kernel's session for signals, lifecycle events and child exits.</summary>
    public Session Sender { get; }

    /// <summary>The event name (STATE); <c>"_default"</c> inside a default handler.</summary>
    public string State { get; }

    /// <summary>The number of arguments.</summary>
    public int ArgCount => _args.Length;

    /// <summary>The arguments (ARG0...).</summary>
    public ReadOnlySpan<object?> Args => _args;

    /// <summary>The arguments as the array the sender passed (shared, do not modify).</summary>
    public object?[] ArgArray => _args;

    /// <summary>Argument <paramref name="i"/> untyped, or null when there are fewer arguments (as Perl's <c>$_[ARGn]</c>).</summary>
    public object? this[int i] => (uint)i < (uint)_args.Length ? _args[i] : null;

    /// <summary>Argument <paramref name="i"/> as <typeparamref name="T"/>; a missing or mistyped argument throws with the event, position and types.</summary>
    public T Arg<T>(int i)
    {
        if ((uint)i >= (uint)_args.Length)
            ThrowMissing(i);
        object? value = _args[i];
        if (value is T t) return t;
        if (value is null && default(T) is null) return default!;
        ThrowType(i, typeof(T), value);
        return default!;
    }

    /// <summary>
    /// In a <c>_default</c> handler, the name of the event that had no handler (POE's <c>$_[ARG0]</c>).
    /// Throws <see cref="InvalidOperationException"/> in any other handler.
    /// </summary>
    public string DefaultEvent => (string)DefaultPayload()[0]!;

    /// <summary>
    /// In a <c>_default</c> handler, the arguments of the event that had no handler (POE's
    /// <c>@{$_[ARG1]}</c>). Throws <see cref="InvalidOperationException"/> in any other handler.
    /// </summary>
    public ReadOnlySpan<object?> DefaultArgs => (object?[])DefaultPayload()[1]!;

    /// <summary>
    /// In a <c>_default</c> handler, argument <paramref name="i"/> of the event that had no handler,
    /// as <typeparamref name="T"/>; a missing or mistyped argument throws as <see cref="Arg{T}"/> does.
    /// Throws <see cref="InvalidOperationException"/> in any other handler.
    /// </summary>
    public T DefaultArg<T>(int i)
    {
        var payload = DefaultPayload();
        var args = (object?[])payload[1]!;
        if ((uint)i >= (uint)args.Length)
            ThrowMissing((string)payload[0]!, args, i);
        object? value = args[i];
        if (value is T t) return t;
        if (value is null && default(T) is null) return default!;
        ThrowType((string)payload[0]!, i, typeof(T), value);
        return default!;
    }

    /// <summary>
    /// The source file that sent the event (POE's CALLER_FILE), captured by <see cref="Kernel.Post(SessionRef, string, CallerInfoGuard, string?, int)"/>,
    /// <c>Yield</c> and <c>Call</c> with up to two arguments; null for the <c>params</c> overloads (3+
    /// arguments: C# cannot put caller information after a params array), timers, signals, I/O and lifecycle events.
    /// </summary>
    public string? CallerFile { get; }

    /// <summary>The source line that sent the event (CALLER_LINE); 0 when <see cref="CallerFile"/> is null.</summary>
    public int CallerLine { get; }

    /// <summary>The event that was being handled when this one was sent (CALLER_STATE), or null.</summary>
    public string? CallerState { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Session} <- {State} from {Sender} ({_args.Length} args)";

    // A _default handler gets POE's positional form, ARG0 the original name and ARG1 its argument
    // array; the typed accessors read that, so they need no field and cost nothing elsewhere.
    private object?[] DefaultPayload()
    {
        if (State == KnownEvents.Default && _args is [string, object?[]]) return _args;
        ThrowNotDefault();
        return null!;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowNotDefault() =>
        throw new InvalidOperationException(State == KnownEvents.Default
            ? $"This _default event to {Session} was sent directly, not redirected from an unhandled event: it has no " +
              "ARG0 name and ARG1 argument array, so DefaultEvent, DefaultArgs and DefaultArg do not apply. Use Args or Arg<T>."
            : $"DefaultEvent, DefaultArgs and DefaultArg are only valid in a _default handler; this handler is for '{State}' " +
              $"to {Session}. Use Args or Arg<T> here.");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowMissing(int i) => ThrowMissing(State, _args, i);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowMissing(string ev, object?[] args, int i) =>
        throw new ArgumentOutOfRangeException(nameof(i),
            $"Event '{ev}' to {Session} has {args.Length} argument(s); ARG{i} does not exist. Check what the sender posts.");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowType(int i, Type expected, object? value) => ThrowType(State, i, expected, value);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowType(string ev, int i, Type expected, object? value) =>
        throw new InvalidCastException(
            $"Event '{ev}' to {Session}: ARG{i} is {(value is null ? "null" : value.GetType().Name)}, not {expected.Name}.");
}
