namespace PoeSharp;

/// <summary>What kind of queue item or dispatch an observer sees.</summary>
public enum EventKind
{
    /// <summary>A posted or yielded event.</summary>
    Post,

    /// <summary>A synchronous call.</summary>
    Call,

    /// <summary>A timer.</summary>
    Timer,

    /// <summary>A signal (queued for a session, or a watcher's event).</summary>
    Signal,

    /// <summary>A kernel-internal item (the creation-time GC check, IDLE, ZOMBIE).</summary>
    Internal,

    /// <summary>A lifecycle event (<c>_start</c>, <c>_stop</c>, <c>_child</c>, <c>_parent</c>).</summary>
    Lifecycle,

    /// <summary>A descriptor watcher's event.</summary>
    Io,
}
