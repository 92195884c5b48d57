using PoeSharp.Wheels;

namespace PoeSharp.Components.Http;

/// <summary>The listening session's state: the socket and this process's connections.</summary>
internal sealed class HttpListenerHeap(HttpServer server)
{
    /// <summary>The server this listens for.</summary>
    public HttpServer Server { get; } = server;

    /// <summary>The listening socket when the server bound it; null once closed in this process.</summary>
    public SocketFactoryWheel? Listener { get; set; }

    /// <summary>The listening socket when it was given (<see cref="HttpServerOptions.ListenSocket"/>); null once closed in this process.</summary>
    public ListenAcceptWheel? Given { get; set; }

    /// <summary>True while this process holds a listening socket.</summary>
    public bool IsListening => Listener?.IsListening ?? Given?.IsListening ?? false;

    /// <summary>The port listened on; 0 when not listening.</summary>
    public int BoundPort => Listener?.BoundPort ?? Given?.LocalEndPoint?.Port ?? 0;

    /// <summary>The listening socket's descriptor; -1 when closed.</summary>
    public int Descriptor => (Listener?.Handle ?? Given?.Handle) is { IsInvalid: false, IsClosed: false } h ? h.Fd : -1;

    /// <summary>Stop taking connections for now.</summary>
    public void Pause()
    {
        Listener?.PauseAccept();
        Given?.PauseAccept();
    }

    /// <summary>Take connections again.</summary>
    public void Resume()
    {
        Listener?.ResumeAccept();
        Given?.ResumeAccept();
    }

    /// <summary>Closes this process's copy of the listening socket.</summary>
    public void Close()
    {
        Listener?.Dispose();
        Listener = null;
        Given?.Dispose();
        Given = null;
    }

    /// <summary>This process's connection sessions (the listener's children).</summary>
    public HashSet<Session> Connections { get; } = [];
}
