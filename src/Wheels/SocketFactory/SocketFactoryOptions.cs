using System.Net.Sockets;
using PoeSharp.Os;

namespace PoeSharp.Wheels;

/// <summary>
/// Parameters of a <see cref="SocketFactoryWheel"/> (POE::Wheel::SocketFactory). Without
/// <see cref="RemoteAddress"/> the wheel is a server (bind, listen, accept); with it, a client
/// (non-blocking connect).
/// </summary>
public sealed record SocketFactoryOptions
{
    /// <summary>How many connections one readiness accepts by default (see <see cref="MaxAcceptsPerReady"/>).</summary>
    public const int DefaultMaxAcceptsPerReady = 16;

    /// <summary>Receives (socket <see cref="FileDescriptor"/>, peer <see cref="System.Net.IPAddress"/>? (null for UNIX), peer port, wheelId).</summary>
    public required string SuccessEvent { get; init; }

    /// <summary>Receives (operation, errno, message, wheelId): "socket", "setsockopt", "bind", "listen", "connect", "accept", "getaddrinfo".</summary>
    public required string FailureEvent { get; init; }

    /// <summary>
    /// <see cref="AddressFamily.InterNetwork"/>, <see cref="AddressFamily.InterNetworkV6"/> or
    /// <see cref="AddressFamily.Unix"/>. Null (the default): UNIX when the address is an absolute
    /// path, IPv6 when it is an IPv6 literal, else IPv4.
    /// </summary>
    public AddressFamily? SocketDomain { get; init; }

    /// <summary><see cref="SocketType.Stream"/> (default) or <see cref="SocketType.Dgram"/>.</summary>
    public SocketType SocketType { get; init; } = SocketType.Stream;

    /// <summary>The protocol number (0 = the family's default, TCP for stream IP sockets).</summary>
    public int SocketProtocol { get; init; }

    /// <summary>An IPv4/IPv6 literal, a host name (looked up, blocking, as POE does) or a UNIX path. Default: any address.</summary>
    public string? BindAddress { get; init; }

    /// <summary>The local port; 0 (the default) = an ephemeral port, read it back with <see cref="SocketFactoryWheel.BoundPort"/>.</summary>
    public int BindPort { get; init; }

    /// <summary>The address to connect to (literal, host name or UNIX path); its presence makes a client.</summary>
    public string? RemoteAddress { get; init; }

    /// <summary>The port to connect to (required for IP clients).</summary>
    public int? RemotePort { get; init; }

    /// <summary>The listen backlog (default SOMAXCONN; the OS clips it to net.core.somaxconn).</summary>
    public int ListenQueue { get; init; } = PosixSocket.DefaultBacklog;

    /// <summary>Sets SO_REUSEADDR before binding (POE's Reuse).</summary>
    public bool Reuse { get; init; }

    /// <summary>A client gives up connecting after this long: FailureEvent("connect", ETIMEDOUT, ...). Null: no limit (as POE).</summary>
    public TimeSpan? ConnectTimeout { get; init; }

    /// <summary>
    /// How many pending connections one read-readiness of the listener accepts (POE accepts one).
    /// Default 16: draining a burst of 1000 pending connections cost the same with 1 or 16 on an
    /// idle machine and 7-35% less wall time per connection with 16 under load (bench/README.md,
    /// I/O); the bound keeps a connection storm from delaying the other sessions by more than 16
    /// SuccessEvent handlers per timeslice.
    /// </summary>
    public int MaxAcceptsPerReady { get; init; } = DefaultMaxAcceptsPerReady;

    /// <summary>The default <see cref="AcceptErrorDelay"/>: 100 ms.</summary>
    public static readonly TimeSpan DefaultAcceptErrorDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// After an accept fails for lack of resources (EMFILE, ENFILE, ENOBUFS, ENOMEM), the server
    /// stops accepting for this long and then tries again. The FailureEvent is emitted as in POE
    /// either way. Without the pause a level-triggered loop would report the still-pending
    /// connection at once, so the process would spin at full CPU, emitting a FailureEvent per
    /// timeslice, until a descriptor is freed. Null retries at the next readiness, as POE does.
    /// </summary>
    public TimeSpan? AcceptErrorDelay { get; init; } = DefaultAcceptErrorDelay;

    /// <summary>
    /// Wake only one of the processes that wait on this listening socket when a connection is
    /// pending, instead of every one (<see cref="Kernel.Watch(int, PoeSharp.Loop.IoMode, PoeSharp.Loop.IReadyHandler, bool)"/>,
    /// epoll's <c>EPOLLEXCLUSIVE</c>). It matters only when pre-forked processes share the socket;
    /// without it every idle process wakes per connection and all but one find nothing to accept.
    /// Default false (bench/README.md, "Exclusive wake-up of a shared listener").
    /// </summary>
    public bool ExclusiveAccept { get; init; }

    /// <summary>
    /// Client mode: false (the default) = a connect still in progress when the process forks is
    /// the parent's, and the child's wheel lets go of it (FailureEvent "fork"); true = both
    /// processes keep waiting for it, as in POE. Listening wheels always keep working in children.
    /// </summary>
    public bool KeepAfterFork { get; init; }
}
