using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using PoeSharp.Components.Workers;
using PoeSharp.Filters.Http;
using PoeSharp.Logging;
using PoeSharp.Os;
using PoeSharp.Wheels;

namespace PoeSharp.Components.Http;

/// <summary>
/// An HTTP/1.1 server on SocketFactoryWheel, ReadWriteWheel and HttpdFilter: a handler gets each
/// request and answers at once or later through an <see cref="HttpResponder"/>. Keep-alive and
/// pipelining (answers in request order), the filter's limits and 100-continue, idle and read
/// timeouts, a 500 when the handler throws, an access line per request, and request bodies
/// streamed to the handler when asked (<see cref="HttpServerOptions.StreamRequestBodies"/>). With
/// <see cref="HttpServerOptions.Workers"/> above 0 it runs as a <see cref="PreforkPool"/>.
/// </summary>
/// <example>
/// <code>
/// using var kernel = new Kernel();
/// var server = new HttpServer(kernel, new HttpServerOptions
/// {
///     Port = 8888, Workers = 4,
///     Handler = (request, _) => new HttpResponse(200, "Hello, world!\n"),
/// });
/// kernel.Run();
/// if (ForkSafety.IsForkedChild) ForkSafety.Exit(0);
/// </code>
/// </example>
public sealed class HttpServer : IPoolServer
{
    private Session? _listener;

    /// <summary>
    /// Starts the server on <paramref name="kernel"/>: binds now (the port is known when this
    /// returns), forks the workers once the kernel runs.
    /// </summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public HttpServer(Kernel kernel, HttpServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Kernel = kernel;
        Options = options;
        if (options.Workers > 0) PrepareWorkerPath(options);
        Pool = PreforkPool.Start(kernel, options.PoolOptions, CreateListener);
    }

    private static bool s_workerPathPrepared;

    /// <summary>
    /// Compiles, once, the request path in the parent: it never serves, so otherwise every worker
    /// would compile it again after its fork (docs/FORK-SAFETY.md, "Cost of a child").
    /// </summary>
    private static void PrepareWorkerPath(HttpServerOptions options)
    {
        if (s_workerPathPrepared) return;
        s_workerPathPrepared = true;
        ForkSafety.PrepareForChildren(typeof(HttpServer).Assembly, "PoeSharp.Components.Http");
        ForkSafety.PrepareForChildren(typeof(PreforkPool).Assembly, "PoeSharp.Components.Workers");
        ForkSafety.PrepareForChildren(typeof(SocketFactoryWheel).Assembly);
        ForkSafety.PrepareForChildren(typeof(HttpdFilter).Assembly, "PoeSharp.Filters.Http");
        // The kernel calls a worker makes that its parent, which forks before it serves or polls,
        // has not made yet (dropping the parent's signal watches, resuming the accept watch).
        ForkSafety.PrepareForChildren(typeof(Kernel), typeof(OsError));
        // What PrepareForChildren cannot reach: static constructors (the parser's tables), generic
        // instantiations and the runtime's own first-call fix-ups. One request through the real
        // connection session runs them all.
        WarmUpRequestPath(options);
    }

    /// <summary>The requests of the warm-up: kept alive, then closed, with the headers most clients send.</summary>
    private static readonly byte[] s_warmUpRequests =
        "GET /warm-up?x=1 HTTP/1.1\r\nHost: warm.up:8080\r\nUser-Agent: warm-up\r\nAccept: */*\r\nConnection: keep-alive\r\n\r\n"u8
            .ToArray().Concat("GET / HTTP/1.1\r\nHost: warm.up\r\nConnection: close\r\n\r\n"u8.ToArray()).ToArray();

    /// <summary>
    /// Accepts one connection on 127.0.0.1 and serves two requests on it, on a throwaway kernel
    /// with a manual loop, through a connection session of a server that has the user's options
    /// but not the user's handler (a library must not call it with a made-up request) nor its
    /// logs: the accept, the parser, the connection session, the responder, keep-alive, the access
    /// line's formatting and the writes are then compiled in the parent, once, and no worker
    /// compiles them after its fork.
    /// </summary>
    private static void WarmUpRequestPath(HttpServerOptions options)
    {
        try
        {
            using var loop = new PoeSharp.Loop.ManualLoop();
            using var kernel = new Kernel(loop, TimeProvider.System);
            var warmOptions = options with
            {
                Handler = static (_, _) => new HttpResponse(200, "warm\n"),
                Workers = 0, ListenSocket = null, StatusFile = null, WorkerStarted = null,
                AccessLog = TextWriter.Null, AccessLogger = null, Logger = null,
            };
            var server = new HttpServer(kernel, warmOptions, s => new PreforkPool(
                kernel, s.Options.PoolOptions, _ => s, null, PosixWorkerSignaller.Instance, new Random()));
            SocketFactoryWheel? listener = null;
            int accepted = -1;
            // A reference-type heap, as the listener session's: its handlers share that compiled code.
            kernel.Create(server, s => s
                .On("_start", c => listener = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
                {
                    BindAddress = "127.0.0.1", BindPort = 0, SuccessEvent = "accepted", FailureEvent = "failed", MaxAcceptsPerReady = 1,
                }))
                .On("accepted", c =>
                {
                    // The listener session's handler, in short.
                    var socket = c.Arg<FileDescriptor>(0);
                    accepted = socket.Fd;
                    HttpConnectionSession.Create(c.Kernel, server, socket, c.Arg<IPAddress?>(1), c.Arg<int>(2));
                    listener!.Dispose();
                })
                .On("failed", _ => listener!.Dispose()));
            if (listener is not { IsListening: true, Handle: { } listening }) return;
            using var client = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork,
                                                             System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            client.Connect(IPAddress.Loopback, listener.BoundPort);
            client.Send(s_warmUpRequests);
            loop.FireOnce(listening.Fd, PoeSharp.Loop.IoMode.Read);
            kernel.RunOneTimeslice();
            for (int i = 0; i < 8 && accepted >= 0 && kernel.SessionCount > 0; i++)
            {
                loop.FireOnce(accepted, PoeSharp.Loop.IoMode.Read);
                kernel.RunOneTimeslice();
            }
            client.Blocking = false;
            var buffer = new byte[8192];
            while (client.Available > 0 && client.Receive(buffer) > 0) { }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or System.Net.Sockets.SocketException)
        {
            // A warm-up that cannot run leaves the work to the workers; it changes nothing else.
        }
    }

    internal HttpServer(Kernel kernel, HttpServerOptions options, Func<HttpServer, PreforkPool> startPool)
    {
        options.Validate();
        Kernel = kernel;
        Options = options;
        Pool = startPool(this);
    }

    /// <summary>The kernel the server runs on.</summary>
    public Kernel Kernel { get; }

    /// <summary>The options, validated.</summary>
    public HttpServerOptions Options { get; }

    /// <summary>The worker pool (with 0 workers, the one process).</summary>
    public PreforkPool Pool { get; }

    /// <summary>The port the server listens on (the chosen one when <see cref="HttpServerOptions.Port"/> is 0); 0 when not listening.</summary>
    public int Port { get; private set; }

    /// <summary>True while this process holds the listening socket.</summary>
    public bool IsListening => Heap?.IsListening ?? false;

    /// <summary>True when the server could not listen (the error went to <see cref="HttpServerOptions.Logger"/>).</summary>
    public bool Failed => Pool.Failed;

    /// <summary>Why listening failed, when it did.</summary>
    public string? ListenError { get; internal set; }

    /// <summary>Connections open in this process.</summary>
    public int Connections => Heap?.Connections.Count ?? 0;

    /// <summary>Requests answered in this process.</summary>
    public long RequestsServed { get; internal set; }

    internal HttpListenerHeap? Heap => _listener?.Heap as HttpListenerHeap;

    internal IPoolServer CreateListener(Kernel kernel)
    {
        _listener = HttpListenerSession.Create(kernel, this);
        Port = Heap?.BoundPort ?? 0;
        return this;
    }

    /// <summary>Stops gracefully, as SIGTERM does: stop accepting, finish what was asked, then end (the workers too). On the kernel's thread.</summary>
    public void Shutdown() => Pool.Shutdown();

    /// <summary>Reopens the access log if it is a <see cref="ReopenableFileWriter"/> (SIGUSR1 does this).</summary>
    public void ReopenAccessLog()
    {
        if (Options.AccessLog is ReopenableFileWriter writer) writer.Reopen();
    }

    /// <summary>Writes the access line of one answered request.</summary>
    internal void LogAccess(IPAddress? peer, int peerPort, HttpExchange exchange, HttpResponse response, long ended)
    {
        if (Options.AccessLog is null && Options.AccessLogger is null) return;
        string requestLine = exchange.Request?.ToString() ?? "-";
        string who = peer is null ? "-" : peer.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{peer}]:{peerPort}" : $"{peer}:{peerPort}";
        double ms = Kernel.Time.GetElapsedTime(exchange.Started, ended).TotalMilliseconds;
        DateTimeOffset now = Kernel.Time.GetUtcNow();
        if (Options.AccessLog is { } writer)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{now:yyyy-MM-dd'T'HH:mm:ss.fff'Z'} {who} \"{requestLine}\" {response.StatusCode} {response.Body.Length} {ms:0.###}ms"));
            writer.Flush();
        }
        Options.AccessLogger?.LogInformation("{Peer} \"{RequestLine}\" {Status} {Bytes} {DurationMs}ms",
                                             who, requestLine, response.StatusCode, response.Body.Length, Math.Round(ms, 3));
    }

    /// <summary>A handler threw: the client gets a 500.</summary>
    internal void LogHandlerError(HttpRequest request, Exception e) =>
        Options.Logger?.LogError(e, "Handler failed on \"{RequestLine}\": answered 500", request.ToString());

    bool IPoolServer.IsListening => IsListening;

    void IPoolServer.PauseAccepting() => CallListener(HttpListenerSession.EvPause);

    void IPoolServer.ResumeAccepting() => CallListener(HttpListenerSession.EvResume);

    void IPoolServer.StopAccepting() => CallListener(HttpListenerSession.EvStopAccepting);

    void IPoolServer.Drain() => CallListener(HttpListenerSession.EvDrain);

    void IPoolServer.Abort() => CallListener(HttpListenerSession.EvDrop);

    void IPoolServer.DropInherited() => CallListener(HttpListenerSession.EvDrop);

    string? IPoolServer.ListenAddress => Port == 0 ? null
        : System.Net.IPAddress.TryParse(Options.Address, out var a) && a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{Options.Address}]:{Port}" : $"{Options.Address}:{Port}";

    int IPoolServer.ListeningDescriptor => Heap?.Descriptor ?? -1;

    FileDescriptor? IPoolServer.OpenReusePortSocket(out string error)
    {
        // Where slot 0's socket is bound: it may have been passed in, so not necessarily Address:Port.
        int fd = Heap?.Descriptor ?? -1;
        if (fd < 0 || PosixSocket.GetSockName(fd) is not { Ok: true, Value.Address: { } address } bound)
        {
            error = "the server's own socket is closed";
            return null;
        }
        var opened = ReusePortSocket.Open(address, bound.Value.Port);
        error = opened.Ok ? "" : opened.Error.ToString();
        return opened.Ok ? opened.Value : null;
    }

    void IPoolServer.AcceptOn(FileDescriptor socket)
    {
        if (_listener is { State: not SessionState.Stopped } listener) Kernel.Call(listener, HttpListenerSession.EvAcceptOn, socket);
        else socket.Dispose();
    }

    private void CallListener(string ev)
    {
        if (_listener is { State: not SessionState.Stopped } listener) Kernel.Call(listener, ev);
    }
}
