using System.Net;
using PoeSharp.Os;
using PoeSharp.Wheels;

namespace PoeSharp.Examples;

/// <summary>
/// An interactor's heap: the original's <c>{socket, peer_addr, peer_port, client}</c>, plus the
/// state that the additions (keep-alive, timeouts, graceful stop) need.
/// </summary>
internal sealed class InteractorHeap(FileDescriptor socket, IPAddress? peerAddr, int peerPort, ServerOptions options, DebugLog log)
{
    /// <summary><c>$heap-&gt;{socket}</c>: the accepted connection.</summary>
    public FileDescriptor? Socket { get; set; } = socket;

    /// <summary><c>$heap-&gt;{peer_addr}</c>.</summary>
    public IPAddress? PeerAddr { get; } = peerAddr;

    /// <summary><c>$heap-&gt;{peer_port}</c>.</summary>
    public int PeerPort { get; } = peerPort;

    /// <summary><c>$heap-&gt;{client}</c>: the ReadWrite wheel with the HTTPD filter; null once deleted.</summary>
    public ReadWriteWheel? Client { get; set; }

    /// <summary>The server's options.</summary>
    public ServerOptions Options { get; } = options;

    /// <summary>Where the original's messages go.</summary>
    public DebugLog Log { get; } = log;

    /// <summary>Requests answered on this connection.</summary>
    public int Requests { get; set; }

    /// <summary>The last response said <c>Connection: close</c>: shut down once it is flushed, ignore further requests.</summary>
    public bool CloseAfterFlush { get; set; }

    /// <summary>True while got_request is building an answer: a DIE then owes the client a 500.</summary>
    public bool Answering { get; set; }

    /// <summary>A "100 Continue" went out: the request's body is on its way, under the read timeout.</summary>
    public bool AwaitingBody { get; set; }

    /// <summary>The server is stopping: answer what is in flight, keep nothing open.</summary>
    public bool Stopping { get; set; }
}
