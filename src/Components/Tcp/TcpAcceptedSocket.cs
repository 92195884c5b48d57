using System.Net;
using PoeSharp.Os;

namespace PoeSharp.Components;

/// <summary>
/// A connection a <see cref="TcpServer{THeap}"/> has just accepted, before any client session
/// exists: what POE::Component::Server::TCP's <c>ClientPreConnect</c> and <c>Acceptor</c>
/// callbacks receive (the socket, <c>remote_ip</c>, <c>remote_port</c>).
/// </summary>
public sealed class TcpAcceptedSocket
{
    internal TcpAcceptedSocket(FileDescriptor socket, IPAddress? remoteAddress, int remotePort)
    {
        Socket = socket;
        RemoteAddress = remoteAddress;
        RemotePort = remotePort;
    }

    /// <summary>
    /// The accepted socket (non-blocking). The server owns it, except in
    /// <see cref="TcpServerOptions{THeap}.Acceptor"/>, which takes it over.
    /// </summary>
    public FileDescriptor Socket { get; }

    /// <summary>The socket's descriptor number (for logging, <c>getsockopt</c> and the like).</summary>
    public int Descriptor => Socket.Fd;

    /// <summary>The peer's IP address (POE's remote_ip); null for a UNIX socket.</summary>
    public IPAddress? RemoteAddress { get; }

    /// <summary>The peer's port (POE's remote_port); 0 for a UNIX socket.</summary>
    public int RemotePort { get; }

    /// <inheritdoc />
    public override string ToString() =>
        RemoteAddress is null ? $"fd {Descriptor} (unix)" : $"fd {Descriptor} ({RemoteAddress}:{RemotePort})";
}
