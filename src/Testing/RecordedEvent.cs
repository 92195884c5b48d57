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
    /// <inheritdoc />
    public override string ToString() => $"{Time.TotalSeconds:0.###}s {Kind} {Destination} <- {Event} from {Sender}";
}
