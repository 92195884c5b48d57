namespace PoeSharp.Testing;

/// <summary>One event a <see cref="FakeKernel"/> saw queued or dispatched.</summary>
/// <param name="Event">The event name.</param>
/// <param name="Destination">The session it is for (the kernel's session for broadcast signals).</param>
/// <param name="Sender">Its sender.</param>
/// <param name="Args">Its arguments.</param>
/// <param name="Kind">Post, call, timer, signal, lifecycle...</param>
/// <param name="Time">The manual clock's elapsed time when it was recorded.</param>
public sealed record RecordedEvent(string Event, Session Destination, Session Sender, object?[] Args, EventKind Kind, TimeSpan Time)
{
    /// <summary>True when this is the typed event <paramref name="ev"/> (by name, as the kernel matches handlers).</summary>
    public bool Is(TypedEvent ev)
    {
        ArgumentNullException.ThrowIfNull(ev);
        return Event == ev.Name;
    }

    /// <summary>True when this is <paramref name="ev"/> and its ARG0 is a <typeparamref name="T"/>; <paramref name="arg0"/> is then that value.</summary>
    public bool Is<T>(Event<T> ev, out T arg0) => Is(ev) & TryArg(0, out arg0);

    /// <summary>True when this is <paramref name="ev"/> and its ARG0, ARG1 have the declared types.</summary>
    public bool Is<T1, T2>(Event<T1, T2> ev, out T1 arg0, out T2 arg1) =>
        Is(ev) & TryArg(0, out arg0) & TryArg(1, out arg1);

    /// <summary>True when this is <paramref name="ev"/> and its ARG0, ARG1, ARG2 have the declared types.</summary>
    public bool Is<T1, T2, T3>(Event<T1, T2, T3> ev, out T1 arg0, out T2 arg1, out T3 arg2) =>
        Is(ev) & TryArg(0, out arg0) & TryArg(1, out arg1) & TryArg(2, out arg2);

    private bool TryArg<T>(int i, out T value)
    {
        value = default!;
        if ((uint)i >= (uint)Args.Length) return false;
        if (Args[i] is T t)
        {
            value = t;
            return true;
        }
        return Args[i] is null && default(T) is null;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Time.TotalSeconds:0.###}s {Kind} {Destination} <- {Event} from {Sender}";
}
