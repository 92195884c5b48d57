using PoeSharp.Wheels;

namespace PoeSharp.Components.Http;

/// <summary>The listening session's state: the socket and this process's connections.</summary>
internal sealed class HttpListenerHeap(HttpServer server)
{
    /// <summary>The server this listens for.</summary>
    public HttpServer Server { get; } = server;

    /// <summary>The listening socket; null once closed in this process.</summary>
    public SocketFactoryWheel? Listener { get; set; }

    /// <summary>This process's connection sessions (the listener's children).</summary>
    public HashSet<Session> Connections { get; } = [];
}
