using System.Net;
using Microsoft.Extensions.Logging;
using PoeSharp.Components.Workers;
using PoeSharp.Filters.Http;

namespace PoeSharp.Components.Http;

/// <summary>
/// What an <see cref="HttpServer"/> serves, where, in how many processes and with which limits.
/// Checked at construction (<see cref="Validate"/>): a bad value throws with its name.
/// </summary>
public sealed record HttpServerOptions
{
    /// <summary>Answers every request. Required.</summary>
    public required HttpHandler Handler { get; init; }

    /// <summary>The address to listen on; default "0.0.0.0" (every IPv4 address). "::" for IPv6.</summary>
    public string Address { get; init; } = "0.0.0.0";

    /// <summary>The port to listen on, 0 .. 65535; 0 lets the system choose (see <see cref="HttpServer.Port"/>). Default 8080.</summary>
    public int Port { get; init; } = 8080;

    /// <summary>
    /// A socket that already listens (one passed by socket activation: <see cref="PoeSharp.Os.SocketActivation.Take"/>,
    /// or by a binary upgrade), which the server then owns; <see cref="Address"/> and <see cref="Port"/>
    /// are not used. Null (the default) = bind <see cref="Address"/>:<see cref="Port"/>.
    /// </summary>
    public PoeSharp.Os.FileDescriptor? ListenSocket { get; init; }

    /// <summary>The command a binary upgrade (SIGUSR2) starts (<see cref="PreforkPoolOptions.UpgradeCommand"/>); null = this process's command line.</summary>
    public IReadOnlyList<string>? UpgradeCommand { get; init; }

    /// <summary>Worker processes (<see cref="PreforkPool"/>); 0 (the default) serves in this process without forking.</summary>
    public int Workers { get; init; }

    /// <summary>Requests a worker serves before it is replaced (<see cref="PreforkPoolOptions.MaxRequests"/>); 0 = no limit.</summary>
    public int MaxRequests { get; init; }

    /// <summary>Random extra requests per worker (<see cref="PreforkPoolOptions.MaxRequestsJitter"/>).</summary>
    public int MaxRequestsJitter { get; init; }

    /// <summary>A worker whose handler has not returned for this long is killed and replaced (<see cref="PreforkPoolOptions.WorkerTimeout"/>); null = never.</summary>
    public TimeSpan? WorkerTimeout { get; init; }

    /// <summary>How long a graceful stop waits for in-flight requests; default 30 s.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The request parser's limits (sizes, Host rule, 100-continue). Set <see cref="StreamRequestBodies"/>
    /// rather than <see cref="HttpdLimits.StreamBodies"/>; when streaming, <see cref="HttpdLimits.MaxStreamedContentLength"/>
    /// and <see cref="HttpdLimits.MaxBodyPieceBytes"/> apply to bodies instead of <see cref="HttpdLimits.MaxContentLength"/>.
    /// </summary>
    public HttpdLimits Limits { get; init; } = HttpdLimits.Default;

    /// <summary>
    /// Stream request bodies (default false): the handler gets each request as soon as its head is
    /// read, with an empty <see cref="HttpMessage.Body"/>, and reads the body as it arrives through
    /// <see cref="HttpResponder.Body"/> (<see cref="HttpRequestBody"/>: pieces, end, error,
    /// pause and resume), so the server never holds a whole body. A client that sent
    /// <c>Expect: 100-continue</c> gets its <c>100 Continue</c> when the handler starts reading.
    /// </summary>
    public bool StreamRequestBodies { get; init; }

    /// <summary>The limits the connections' filters get: <see cref="Limits"/> with <see cref="StreamRequestBodies"/>.</summary>
    internal HttpdLimits FilterLimits => Limits.StreamBodies == StreamRequestBodies ? Limits : Limits with { StreamBodies = StreamRequestBodies };

    /// <summary>Keep connections open between requests when the client allows it; default true.</summary>
    public bool KeepAlive { get; init; } = true;

    /// <summary>An open connection with no request in progress is closed after this long; default 15 s.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// A new connection must deliver its first request, a request's body must follow its 100 Continue,
    /// and a response must be taken by the client, each within this long; default 30 s.
    /// </summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// One line per request: timestamp, peer, request line, status, body bytes, duration. A
    /// <see cref="PoeSharp.Logging.ReopenableFileWriter"/> is reopened on SIGUSR1. Null = none.
    /// </summary>
    public TextWriter? AccessLog { get; init; }

    /// <summary>The same access line as a structured Information message; null = none.</summary>
    public ILogger? AccessLogger { get; init; }

    /// <summary>Errors (a handler that threw, a failed listen) and the pool's messages; null = none.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>Connections taken per readiness of the listening socket; null = 4 with workers (so they share the load), 16 without.</summary>
    public int? MaxAcceptsPerReady { get; init; }

    /// <summary>The pool's status file (<see cref="PreforkPoolOptions.StatusFile"/>, with workers); null = none.</summary>
    public string? StatusFile { get; init; }

    /// <summary>Called in each new worker right after the fork, before it accepts.</summary>
    public Action<PreforkPool>? WorkerStarted { get; init; }

    /// <summary>
    /// With workers: each worker slot accepts on its own SO_REUSEPORT socket bound to <see cref="Address"/>:<see cref="Port"/>
    /// (<see cref="PreforkPoolOptions.ReusePort"/>), instead of all on one shared socket. A
    /// <see cref="ListenSocket"/> must then have SO_REUSEPORT set. Default false.
    /// </summary>
    public bool ReusePort { get; init; }

    /// <summary>With <see cref="ReusePort"/>: sockets passed by a binary upgrade for slots 1, 2, ... (<see cref="PreforkPoolOptions.ReusePortSockets"/>).</summary>
    public IReadOnlyList<PoeSharp.Os.FileDescriptor>? ReusePortSockets { get; init; }

    /// <summary>The pool's options taken from these.</summary>
    public PreforkPoolOptions PoolOptions => new()
    {
        Workers = Workers,
        MaxRequests = MaxRequests,
        MaxRequestsJitter = MaxRequestsJitter,
        WorkerTimeout = WorkerTimeout,
        ShutdownTimeout = ShutdownTimeout,
        Logger = Logger,
        WorkerStarted = WorkerStarted,
        StatusFile = StatusFile,
        UpgradeCommand = UpgradeCommand,
        ReusePort = ReusePort && Workers > 0,
        ReusePortSockets = ReusePort && Workers > 0 ? ReusePortSockets : null,
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        if (Handler is null) throw new ArgumentNullException(nameof(Handler), "Handler is required: it answers every request.");
        if (string.IsNullOrWhiteSpace(Address) || !IPAddress.TryParse(Address, out _))
            throw new ArgumentException($"Address must be an IP address such as 0.0.0.0, 127.0.0.1 or :: (got '{Address}').", nameof(Address));
        if ((uint)Port > 65535)
            throw new ArgumentOutOfRangeException(nameof(Port), Port, "Port must be 0 (any) to 65535.");
        ArgumentNullException.ThrowIfNull(Limits, nameof(Limits));
        if (Limits.StreamBodies && !StreamRequestBodies)
            throw new ArgumentException("Limits.StreamBodies is set but StreamRequestBodies is not: set StreamRequestBodies = true to give handlers the body as it arrives.", nameof(Limits));
        if (IdleTimeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(IdleTimeout), IdleTimeout, "IdleTimeout must be positive.");
        if (ReadTimeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(ReadTimeout), ReadTimeout, "ReadTimeout must be positive.");
        if (MaxAcceptsPerReady is int m && m < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxAcceptsPerReady), m, "MaxAcceptsPerReady must be at least 1.");
        if (ReusePortSockets is { Count: > 0 } && !ReusePort)
            throw new ArgumentException("ReusePortSockets needs ReusePort.", nameof(ReusePortSockets));
        PoolOptions.Validate();
    }
}
