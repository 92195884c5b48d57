using System.Net;
using PoeSharp.Filters.Http;
using PoeSharp.Os;
using PoeSharp.Wheels;

namespace PoeSharp.Components.Http;

/// <summary>One connection's state: the socket, its wheel, and the requests not yet answered, in order.</summary>
internal sealed class HttpConnectionHeap(HttpServer server, FileDescriptor socket, IPAddress? peer, int peerPort)
{
    public HttpServer Server { get; } = server;

    public FileDescriptor? Socket { get; set; } = socket;

    public ReadWriteWheel? Wheel { get; set; }

    public IPAddress? Peer { get; } = peer;

    public int PeerPort { get; } = peerPort;

    /// <summary>Requests read and not yet answered on the wire, oldest first.</summary>
    public Queue<HttpExchange> Pending { get; } = new();

    /// <summary>The last response is going out with Connection: close; close once it is flushed.</summary>
    public bool CloseAfterFlush { get; set; }

    /// <summary>The client closed its side (or the read failed): answer what was asked, then close.</summary>
    public bool InputClosed { get; set; }

    /// <summary>The server is stopping: finish what was asked, then close.</summary>
    public bool Draining { get; set; }

    /// <summary>A 100 Continue went out: the body is on its way.</summary>
    public bool AwaitingBody { get; set; }

    /// <summary>Final responses sent on this connection.</summary>
    public int Served { get; set; }

    /// <summary>The connection's session (set when it starts).</summary>
    public Session? Session { get; set; }

    /// <summary>Streaming: the body being received, from its request record to its final piece or its error.</summary>
    public HttpRequestBody? Body { get; set; }

    /// <summary>Streaming: the 100 Continue record of the request record that comes next.</summary>
    public HttpContinueResponse? HeldContinue { get; set; }

    /// <summary>Streaming: the wheel's input event is off (back-pressure): nothing is read or decoded.</summary>
    public bool ReadingStopped { get; set; }

    /// <summary>Asks the connection's session to let <paramref name="body"/>'s pieces flow (Read, Resume).</summary>
    public void RequestFlow(HttpRequestBody body)
    {
        if (Session is { State: not SessionState.Stopped } session && ReferenceEquals(Body, body))
            Server.Kernel.Post(session, HttpConnectionSession.EvBodyFlow);
    }
}
