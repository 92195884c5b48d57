namespace PoeSharp.Loop;

/// <summary>
/// Receives readiness from an <see cref="ILoop"/>. The kernel implements it; the loop never
/// dispatches events itself (POE's Loop::IO_Poll only builds ready lists).
/// </summary>
public interface ILoopSink
{
    /// <summary>
    /// Called synchronously from <see cref="ILoop.Poll"/> once per ready descriptor and mode,
    /// read before write before expedite. The sink may watch, ignore, pause or resume any
    /// descriptor (including this one) while handling the call.
    /// </summary>
    void OnReady(int fd, IoMode mode);
}
