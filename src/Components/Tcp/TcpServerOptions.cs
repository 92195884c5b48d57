using System.Net.Sockets;
using PoeSharp.Components.Workers;
using PoeSharp.Filters;
using PoeSharp.Os;
using PoeSharp.Wheels;

namespace PoeSharp.Components;

/// <summary>
/// What a <see cref="TcpServer{THeap}"/> listens on and what it calls for each client
/// (POE::Component::Server::TCP's constructor options, C# names). Every property is optional;
/// an invalid value throws <see cref="ArgumentException"/> from the server's constructor,
/// naming the property.
/// </summary>
/// <typeparam name="THeap">The per-client heap: one per connection, in <see cref="TcpConnection{THeap}.Heap"/>.</typeparam>
public sealed record TcpServerOptions<THeap>
{
    /// <summary>The default <see cref="Concurrency"/>: no limit (POE's -1).</summary>
    public const int Unlimited = -1;

    /// <summary>The port to listen on; 0 (the default) = any free port, read back with <see cref="TcpServer{THeap}.Port"/>.</summary>
    public int Port { get; init; }

    /// <summary>
    /// An IPv4 or IPv6 literal, a host name (looked up, blocking) or an absolute UNIX socket path.
    /// Null (the default): every IPv4 address (every IPv6 one with <see cref="Domain"/> InterNetworkV6).
    /// </summary>
    public string? Address { get; init; }

    /// <summary>InterNetwork, InterNetworkV6 or Unix; null (the default) infers it from <see cref="Address"/>.</summary>
    public AddressFamily? Domain { get; init; }

    /// <summary>
    /// A socket already bound and listening (from systemd socket activation, or inherited from a
    /// parent) to accept on instead of creating one; <see cref="Port"/>, <see cref="Address"/> and
    /// <see cref="Domain"/> must then be left unset. The server never closes it.
    /// </summary>
    public FileDescriptor? ListenHandle { get; init; }

    /// <summary>The listen backlog (default SOMAXCONN).</summary>
    public int ListenQueue { get; init; } = PosixSocket.DefaultBacklog;

    /// <summary>SO_REUSEADDR before binding; on by default, as in POE's Server::TCP.</summary>
    public bool Reuse { get; init; } = true;

    /// <summary>
    /// The most clients connected at once: at the limit the server stops accepting (new
    /// connections wait in the backlog) and resumes when one leaves. <see cref="Unlimited"/> (-1,
    /// the default) or at least 1. Changeable with <see cref="TcpServer{THeap}.SetConcurrency"/>.
    /// </summary>
    public int Concurrency { get; init; } = Unlimited;

    /// <summary>
    /// Worker processes (a <see cref="PreforkPool"/>): this process binds and forks them, and
    /// they accept on the shared socket. 0 (the default) serves in this one process without forking.
    /// At most <see cref="PreforkPoolOptions.MaxWorkers"/>.
    /// </summary>
    public int Workers { get; init; }

    /// <summary>
    /// With <see cref="Workers"/>: each worker slot accepts on its own SO_REUSEPORT socket on the
    /// address and port (<see cref="PreforkPoolOptions.ReusePort"/>) instead of all on one shared
    /// socket. IPv4 and IPv6 only; a <see cref="ListenHandle"/> must have SO_REUSEPORT set. Default false.
    /// </summary>
    public bool ReusePort { get; init; }

    /// <summary>
    /// With <see cref="Workers"/>: how long a worker's graceful stop (TERM, QUIT, HUP, the old master
    /// of an upgrade) goes on reading each client after it stops accepting, so that a line already
    /// sent, or on its way, is delivered to <see cref="ClientInput"/> and answered before the
    /// connection closes. A client that closes its side ends its connection's wait sooner.
    /// Zero closes each client once its output is flushed, reading nothing more. Default 1 s.
    /// </summary>
    public TimeSpan DrainGrace { get; init; } = DefaultDrainGrace;

    /// <summary>The default <see cref="DrainGrace"/>: 1 s, as HttpServer gives an idle connection when it drains.</summary>
    public static readonly TimeSpan DefaultDrainGrace = TimeSpan.FromSeconds(1);

    /// <summary>An alias for the server's session (POE's Alias), so other sessions can post to it.</summary>
    public string? Alias { get; init; }

    /// <summary>Makes each client's heap; null = THeap's parameterless constructor (required then).</summary>
    public Func<THeap>? ClientHeap { get; init; }

    /// <summary>The filter of both directions, cloned for each client (POE's ClientFilter). Default: <see cref="LineFilter"/>.</summary>
    public IFilter? ClientFilter { get; init; }

    /// <summary>The input filter, cloned for each client (with <see cref="ClientOutputFilter"/>, instead of <see cref="ClientFilter"/>). Default: <see cref="LineFilter"/>.</summary>
    public IFilter? ClientInputFilter { get; init; }

    /// <summary>The output filter, cloned for each client. Default: <see cref="LineFilter"/>.</summary>
    public IFilter? ClientOutputFilter { get; init; }

    /// <summary>After a read, write or decode error, shut the client down (POE's ClientShutdownOnError). Default true.</summary>
    public bool ClientShutdownOnError { get; init; } = true;

    /// <summary>Runs in the new client's session once its wheel exists: greet, start timers.</summary>
    public Action<TcpConnection<THeap>>? ClientConnected { get; init; }

    /// <summary>Runs for each record the input filter decodes (a string with the default LineFilter).</summary>
    public Action<TcpConnection<THeap>, object>? ClientInput { get; init; }

    /// <summary>Runs once when the connection is closed (by the peer, by Shutdown or after an error).</summary>
    public Action<TcpConnection<THeap>>? ClientDisconnected { get; init; }

    /// <summary>Runs on a read, write or decode error (the peer's orderly close is not an error: it only disconnects).</summary>
    public Action<TcpConnection<THeap>, TcpError>? ClientError { get; init; }

    /// <summary>Runs each time the client's output buffer becomes empty.</summary>
    public Action<TcpConnection<THeap>>? ClientFlushed { get; init; }

    /// <summary>
    /// More handlers for each client's session (POE's InlineStates), e.g. timers that call
    /// <see cref="TcpConnection{THeap}.Put"/>. The component's own handlers (<c>_start</c>,
    /// <c>_stop</c> and its <c>tcp_*</c> events) take precedence.
    /// </summary>
    public Action<SessionBuilder<TcpConnection<THeap>>>? ClientEvents { get; init; }

    /// <summary>
    /// Runs in the server's session for each accepted connection, before its client session
    /// exists (POE's ClientPreConnect): it sees the socket, its descriptor and the peer. Return
    /// false to refuse the connection: the socket is closed at once and no session is made (nor
    /// <see cref="ClientConnected"/>, nor <see cref="Acceptor"/>). Null (the default) accepts every one.
    /// </summary>
    public Func<TcpAcceptedSocket, bool>? ClientPreConnect { get; init; }

    /// <summary>
    /// Replaces the client session the server would make (POE's Acceptor): it runs in the server's
    /// session and takes over <see cref="TcpAcceptedSocket.Socket"/>, to start a session of the
    /// program's own (which is then the server's child) or to close it. The client callbacks
    /// (<see cref="ClientConnected"/>, <see cref="ClientInput"/>, ...), filters, <see cref="ClientEvents"/>,
    /// <see cref="ClientArgs"/> and <see cref="Concurrency"/> belong to the server's own client
    /// sessions and cannot be combined with it. The sessions it starts are the program's to end:
    /// <see cref="TcpServer{THeap}.Shutdown"/> and a pool's graceful stop do not, and the server's
    /// session lives until they have ended.
    /// </summary>
    public Action<TcpServer<THeap>, TcpAcceptedSocket>? Acceptor { get; init; }

    /// <summary>
    /// Arguments for the server (POE's Args): its session's <c>_start</c> gets them, and
    /// <see cref="Started"/> reads them as <see cref="TcpServer{THeap}.Args"/> or, typed,
    /// <see cref="TcpServer{THeap}.Arg{T}"/>. Null (the default) = none.
    /// </summary>
    public IReadOnlyList<object?>? Args { get; init; }

    /// <summary>
    /// Arguments for every client session (POE's ClientArgs): its <c>_start</c> gets them, and
    /// <see cref="ClientConnected"/> reads them as <see cref="TcpConnection{THeap}.Args"/> or, typed,
    /// <see cref="TcpConnection{THeap}.Arg{T}"/>. Null (the default) = none.
    /// </summary>
    public IReadOnlyList<object?>? ClientArgs { get; init; }

    /// <summary>Runs in the server's session once it listens (the port is known then).</summary>
    public Action<TcpServer<THeap>>? Started { get; init; }

    /// <summary>Runs when the server's session stops (after Shutdown and the last client).</summary>
    public Action<TcpServer<THeap>>? Stopped { get; init; }

    /// <summary>
    /// Runs on a listener error: "bind", "listen", "socket", "getaddrinfo" (the server then stops
    /// listening) or "accept" (it keeps listening). Null: the error is written to standard error.
    /// </summary>
    public Action<TcpServer<THeap>, TcpError>? Error { get; init; }

    /// <summary>How many connections one readiness of the listener accepts (see <see cref="SocketFactoryOptions.MaxAcceptsPerReady"/>).</summary>
    public int MaxAcceptsPerReady { get; init; } = SocketFactoryOptions.DefaultMaxAcceptsPerReady;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    internal void Validate()
    {
        const string p = "TcpServerOptions.";
        Options.CheckPort(p + nameof(Port), Port);
        Options.CheckDomain(p + nameof(Domain), Domain);
        if (ListenHandle is { } handle)
        {
            if (handle.IsInvalid || handle.IsClosed)
                throw Options.Invalid(p + nameof(ListenHandle), "is closed; pass an open listening socket");
            if (Port != 0 || Address is not null || Domain is not null)
                throw Options.Invalid(p + nameof(ListenHandle), "cannot be combined with Port, Address or Domain; the socket is already bound, leave them unset");
        }
        if (Domain == AddressFamily.Unix && string.IsNullOrEmpty(Address))
            throw Options.Invalid(p + nameof(Address), "is required with Domain Unix; give the socket's path");
        if (ListenQueue < 1)
            throw Options.Invalid(p + nameof(ListenQueue), ListenQueue, "must be at least 1");
        if (Concurrency is 0 or < Unlimited)
            throw Options.Invalid(p + nameof(Concurrency), Concurrency, "must be -1 (unlimited) or at least 1");
        if (Workers is < 0 or > PreforkPoolOptions.MaxWorkers)
            throw Options.Invalid(p + nameof(Workers), Workers, $"must be 0 (one process, no fork) to {PreforkPoolOptions.MaxWorkers}");
        if (ReusePort && Domain == AddressFamily.Unix)
            throw Options.Invalid(p + nameof(ReusePort), "needs an IPv4 or IPv6 address; a UNIX socket has no SO_REUSEPORT group");
        if (DrainGrace < TimeSpan.Zero)
            throw Options.Invalid(p + nameof(DrainGrace), DrainGrace, "must be zero or positive");
        if (MaxAcceptsPerReady < 1)
            throw Options.Invalid(p + nameof(MaxAcceptsPerReady), MaxAcceptsPerReady, "must be at least 1");
        if (Alias is { Length: 0 })
            throw Options.Invalid(p + nameof(Alias), "is empty; give a name or leave it null");
        Options.CheckFilters(p + "Client", ClientFilter, ClientInputFilter, ClientOutputFilter);
        if (Acceptor is not null)
        {
            string? clash = ClientConnected is not null ? nameof(ClientConnected)
                : ClientInput is not null ? nameof(ClientInput)
                : ClientDisconnected is not null ? nameof(ClientDisconnected)
                : ClientError is not null ? nameof(ClientError)
                : ClientFlushed is not null ? nameof(ClientFlushed)
                : ClientEvents is not null ? nameof(ClientEvents)
                : ClientArgs is not null ? nameof(ClientArgs)
                : ClientFilter is not null || ClientInputFilter is not null || ClientOutputFilter is not null ? nameof(ClientFilter)
                : Concurrency != Unlimited ? nameof(Concurrency)
                : null;
            if (clash is not null)
                throw Options.Invalid(p + nameof(Acceptor),
                    $"replaces the server's client sessions, so {clash} would never be used; leave {clash} unset or drop the Acceptor");
            return; // no client heap is ever made
        }
        if (ClientHeap is null && !typeof(THeap).IsValueType && typeof(THeap).GetConstructor(Type.EmptyTypes) is null)
            throw Options.Invalid(p + nameof(ClientHeap),
                $"is required because {typeof(THeap).Name} has no public parameterless constructor; pass a factory such as () => new {typeof(THeap).Name}(...)");
    }
}
