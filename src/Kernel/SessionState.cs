namespace PoeSharp;

/// <summary>Where a session is in its life.</summary>
public enum SessionState
{
    /// <summary>Created and able to receive events.</summary>
    Alive,

    /// <summary>Running its <c>_stop</c> teardown; events it sends now are discarded.</summary>
    Stopping,

    /// <summary>Gone: every resource was released.</summary>
    Stopped,
}
