namespace PoeSharp.Components.Workers;

/// <summary>
/// What a <see cref="PreforkPool"/> needs from the server it runs: a listening socket it can pause,
/// resume and close, and connections it can drain, drop or abandon. The server's sessions are
/// created as children of the pool's session (in the factory <see cref="PreforkPool.Start"/>
/// calls), so the pool ends when the server's sessions have ended.
/// </summary>
public interface IPoolServer
{
    /// <summary>True while the listening socket is open (false when binding failed).</summary>
    bool IsListening { get; }

    /// <summary>Stop taking connections for now, keeping the socket (the parent of a pool never accepts).</summary>
    void PauseAccepting();

    /// <summary>Take connections again (a new worker).</summary>
    void ResumeAccepting();

    /// <summary>Close this process's copy of the listening socket: the other processes keep theirs.</summary>
    void StopAccepting();

    /// <summary>Let in-flight requests finish, then close; close idle connections now.</summary>
    void Drain();

    /// <summary>Close every connection now, answered or not (a graceful stop ran out of time).</summary>
    void Abort();

    /// <summary>
    /// In a new worker: forget the connections this process inherited from its parent, closing
    /// only this copy of each socket, without writing to it or shutting it down: the parent's
    /// answer is the only one.
    /// </summary>
    void DropInherited();

    /// <summary>Where the listening socket listens ("address:port"), for the pool's status file; null if unknown.</summary>
    string? ListenAddress => null;

    /// <summary>
    /// The listening socket's descriptor, which a binary upgrade (SIGUSR2) passes to the new
    /// program; -1 (the default) when the server does not pass it on.
    /// </summary>
    int ListeningDescriptor => -1;

    /// <summary>
    /// For <see cref="PreforkPoolOptions.ReusePort"/>: in the parent, opens another listening socket
    /// with SO_REUSEPORT on the address and port the server listens on, for one more worker slot.
    /// Returns null and sets <paramref name="error"/> when it cannot (the default: the server does
    /// not support it).
    /// </summary>
    PoeSharp.Os.FileDescriptor? OpenReusePortSocket(out string error)
    {
        error = "the server does not open SO_REUSEPORT sockets";
        return null;
    }

    /// <summary>
    /// For <see cref="PreforkPoolOptions.ReusePort"/>: in a new worker, before <see cref="ResumeAccepting"/>,
    /// accept on <paramref name="socket"/> (its slot's socket, which this process now owns) instead of
    /// the server's own, and close this process's copy of the server's own.
    /// </summary>
    void AcceptOn(PoeSharp.Os.FileDescriptor socket) =>
        throw new NotSupportedException("The server cannot accept on another socket (SO_REUSEPORT).");
}
