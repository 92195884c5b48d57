namespace PoeSharp.Examples;

/// <summary>
/// The listener's <c>$heap-&gt;{server}</c>: a listening socket that calls the creating session's
/// "got_connection" (socket, peer address, peer port, id) and "got_error" (operation, errno,
/// message, id). Disposing it is <c>delete $heap-&gt;{server}</c>: it closes this process's copy
/// of the socket only, so connections waiting in the shared backlog go to the other processes.
/// </summary>
internal interface IListenSocket : IDisposable
{
    /// <summary>True while it accepts.</summary>
    bool IsListening { get; }

    /// <summary>The bound port (the one chosen when 0 was asked for).</summary>
    int Port { get; }

    /// <summary>The bound address, when known (a socket passed by a service manager has its own).</summary>
    System.Net.IPAddress? Address { get; }

    /// <summary>Stops accepting for now; connections wait in the backlog.</summary>
    void PauseAccept();

    /// <summary>Accepts again.</summary>
    void ResumeAccept();
}
