using System.Net;
using PoeSharp.Components.Workers;
using PoeSharp.Os;
using PoeSharp.Wheels;

namespace PoeSharp.Components;

/// <summary>
/// A TCP (or UNIX socket) server, POE::Component::Server::TCP in C#: it listens, gives every
/// client its own session with a typed heap (<see cref="TcpConnection{THeap}"/>) and a
/// ReadWrite wheel with its own filters, and calls the program's callbacks in that session.
/// </summary>
/// <remarks>
/// <para>The constructor creates the server's session at once (a child of the active session,
/// or of the kernel outside <see cref="Kernel.Run()"/>), which binds and listens; problems with
/// the address arrive at <see cref="TcpServerOptions{THeap}.Error"/> from the event loop, as the
/// wheels report them. Each accepted connection gets a session that is a child of the server's;
/// the server's session lives until <see cref="Shutdown"/> and its last client.</para>
/// <para>With <see cref="TcpServerOptions{THeap}.Concurrency"/> N the server pauses accepting
/// when the Nth client connects and resumes when one disconnects; waiting connections stay in
/// the kernel's backlog; with workers the limit is per worker.</para>
/// <para>With <see cref="TcpServerOptions{THeap}.Workers"/> N above 0 the server runs as a
/// <see cref="PreforkPool"/>: this process binds, forks N workers that accept on the shared socket
/// (it never serves itself), replaces those that exit and stops the tree gracefully on SIGTERM or
/// SIGINT. The program must then leave a worker with <see cref="ForkSafety.Exit"/> after
/// <see cref="Kernel.Run()"/> returns, never by returning from Main. With 0 workers no pool is made
/// and the server behaves as it always has.</para>
/// </remarks>
/// <example>
/// A line echo server:
/// <code>
/// var kernel = new Kernel();
/// new TcpServer&lt;object&gt;(kernel, new() { Port = 7777, ClientInput = (client, line) => client.Put(line) });
/// kernel.Run();
/// </code>
/// The same with four pre-forked workers:
/// <code>
/// using var kernel = new Kernel();
/// new TcpServer&lt;object&gt;(kernel, new() { Port = 7777, Workers = 4, ClientInput = (client, line) => client.Put(line) });
/// kernel.Run();
/// if (ForkSafety.IsForkedChild) ForkSafety.Exit(0);
/// </code>
/// </example>
/// <typeparam name="THeap">The per-client heap type.</typeparam>
public sealed class TcpServer<THeap> : IPoolServer
{
    private const string PoolPause = "tcp_pool_pause";
    private const string PoolResume = "tcp_pool_resume";
    private const string PoolStopAccepting = "tcp_pool_stop_accepting";
    private const string PoolDrain = "tcp_pool_drain";
    private const string PoolAbort = "tcp_pool_abort";
    private const string PoolAcceptOn = "tcp_pool_accept_on";

    private readonly HashSet<TcpConnection<THeap>> _clients = new(ReferenceEqualityComparer.Instance);
    private readonly Func<THeap> _newHeap;
    private SocketFactoryWheel? _factory;
    private ListenAcceptWheel? _acceptor;
    private int _concurrency;
    private bool _limitPaused;
    private bool _poolPaused;
    private bool _stopped;

    /// <summary>
    /// Validates <paramref name="options"/> and starts the server's session, which starts listening
    /// (the port is known when this returns); with workers, they are forked once the kernel runs.
    /// </summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public TcpServer(Kernel kernel, TcpServerOptions<THeap> options)
        : this(kernel, options, static (k, poolOptions, createServer) => PreforkPool.Start(k, poolOptions, createServer))
    {
    }

    /// <summary>As the public constructor, with the way a pool is started given (tests start it with fakes).</summary>
    internal TcpServer(Kernel kernel, TcpServerOptions<THeap> options,
                       Func<Kernel, PreforkPoolOptions, Func<Kernel, IPoolServer>, PreforkPool> startPool)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Kernel = kernel;
        Options = options;
        _concurrency = options.Concurrency;
        _newHeap = options.ClientHeap ?? Activator.CreateInstance<THeap>;
        if (options.Workers == 0)
        {
            Session = CreateSession(kernel);
            return;
        }
        PrepareWorkerPath();
        // The pool's _start creates the server's session as its child, then forks.
        Pool = startPool(kernel, new PreforkPoolOptions { Workers = options.Workers, ReusePort = options.ReusePort }, k =>
        {
            Session = CreateSession(k);
            return this;
        });
    }

    /// <summary>
    /// Compiles, in the parent, the code only workers run (accepting, the client sessions, the
    /// wheels, the filters), so that each worker does not compile it again after its fork
    /// (docs/FORK-SAFETY.md, "Cost of a child").
    /// </summary>
    private void PrepareWorkerPath()
    {
        ForkSafety.PrepareForChildren(typeof(TcpServer<THeap>), typeof(TcpConnection<THeap>), typeof(THeap));
        ForkSafety.PrepareForChildren(typeof(SocketFactoryWheel).Assembly);
        var (input, output) = Components.Options.NewFilters(Options.ClientFilter, Options.ClientInputFilter, Options.ClientOutputFilter);
        ForkSafety.PrepareForChildren(input.GetType(), output.GetType());
    }

    private Session CreateSession(Kernel kernel) =>
        kernel.Create(this, static s => s
            .On(KnownEvents.Start, static c => c.Heap.Start(c.Session))
            .On(TcpEvents.Accepted, static c => c.Heap.Accept(c.Arg<FileDescriptor>(0), c.Arg<IPAddress?>(1), c.Arg<int>(2)))
            .On(TcpEvents.ListenFailed, static c => c.Heap.OnListenError(new TcpError(c.Arg<string>(0), c.Arg<int>(1), c.Arg<string>(2))))
            .On(TcpEvents.ClientGone, static c => c.Heap.Forget(c.Arg<TcpConnection<THeap>>(0)))
            .On(TcpEvents.Shutdown, static c => c.Heap.ShutdownCore(c.Arg<bool>(0)))
            .On(TcpEvents.SetConcurrency, static c => c.Heap.ApplyConcurrency(c.Arg<int>(0)))
            .On(PoolPause, static c => c.Heap.SetPoolPaused(true))
            .On(PoolResume, static c => c.Heap.SetPoolPaused(false))
            .On(PoolStopAccepting, static c => c.Heap.StopListening())
            .On(PoolDrain, static c => c.Heap.DrainClients())
            .On(PoolAbort, static c => c.Heap.AbortClients())
            .On(PoolAcceptOn, static c => c.Heap.AcceptOn(c.Arg<FileDescriptor>(0)))
            .On(KnownEvents.Stop, static c => c.Heap.OnStop()), [.. Args])
            ?? throw new InvalidOperationException("The kernel refused the server's session.");

    /// <summary>The kernel the server runs in.</summary>
    public Kernel Kernel { get; }

    /// <summary>The options the server was made with.</summary>
    public TcpServerOptions<THeap> Options { get; }

    /// <summary>The server's session (it owns the listener; post it nothing: use the methods).</summary>
    public Session Session { get; private set; } = null!;

    /// <summary>The worker pool when <see cref="TcpServerOptions{THeap}.Workers"/> is above 0; null otherwise.</summary>
    public PreforkPool? Pool { get; }

    /// <summary>True while the server accepts connections (also while paused by the concurrency limit).</summary>
    public bool IsListening => (_factory?.IsListening ?? false) || (_acceptor?.IsListening ?? false);

    /// <summary>True while accepting is paused because <see cref="Concurrency"/> clients are connected.</summary>
    public bool IsAcceptPaused => _limitPaused;

    /// <summary>The local address listened on (e.g. to learn the port chosen for port 0); null when not listening.</summary>
    public SocketEndPoint? LocalEndPoint => _factory?.LocalEndPoint ?? _acceptor?.LocalEndPoint;

    /// <summary>The port listened on (the one the OS chose for port 0); 0 for a UNIX socket or when not listening.</summary>
    public int Port => LocalEndPoint?.Port ?? 0;

    /// <summary>The clients connected now.</summary>
    public int ConnectionCount => _clients.Count;

    /// <summary>The connected clients, e.g. to broadcast with <see cref="TcpConnection{THeap}.Put"/>.</summary>
    public IReadOnlyCollection<TcpConnection<THeap>> Connections => _clients;

    /// <summary>The server's arguments (<see cref="TcpServerOptions{THeap}.Args"/>, POE's Args); empty when none were given.</summary>
    public IReadOnlyList<object?> Args => Options.Args ?? [];

    /// <summary>Argument <paramref name="index"/> of <see cref="Args"/> as <typeparamref name="T"/> (POE's <c>$_[ARG0]</c>...).</summary>
    /// <exception cref="ArgumentOutOfRangeException">There is no such argument.</exception>
    /// <exception cref="InvalidCastException">The argument is not a <typeparamref name="T"/>.</exception>
    public T Arg<T>(int index) => Components.Options.Arg<T>(Args, index, "TcpServerOptions.Args");

    /// <summary>The current concurrency limit (-1 = unlimited).</summary>
    public int Concurrency => _concurrency;

    /// <summary>
    /// Stops listening (POE's server <c>shutdown</c>): connected clients carry on until they
    /// close, unless <paramref name="disconnectClients"/>, which shuts each down gracefully
    /// (their buffered output is written first). The session ends after the last client.
    /// With workers it stops the pool gracefully, as SIGTERM does (<see cref="PreforkPool.Shutdown"/>):
    /// in the parent the whole tree, in a worker that worker (its clients are shut down gracefully either way).
    /// </summary>
    public void Shutdown(bool disconnectClients = false)
    {
        if (_stopped) return;
        if (Pool is not null)
        {
            Pool.Shutdown();
            return;
        }
        Kernel.Call(Session, TcpEvents.Shutdown, disconnectClients);
    }

    /// <summary>Changes the concurrency limit at run time (POE's set_concurrency): -1 or at least 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is 0 or below -1.</exception>
    public void SetConcurrency(int concurrency)
    {
        if (concurrency is 0 or < TcpServerOptions<THeap>.Unlimited)
            throw new ArgumentOutOfRangeException(nameof(concurrency), concurrency, "Concurrency must be -1 (unlimited) or at least 1.");
        if (_stopped) return;
        Kernel.Call(Session, TcpEvents.SetConcurrency, concurrency);
    }

    /// <inheritdoc />
    public override string ToString() => $"TcpServer(session {Session?.Id}, port {Port}, {_clients.Count} clients)";

    /// <summary>Called by a client's session when its connection has closed.</summary>
    internal void ClientClosed(TcpConnection<THeap> client)
    {
        if (!_stopped) Kernel.Call(Session, TcpEvents.ClientGone, client);
    }

    private void Start(Session session)
    {
        var o = Options;
        if (o.Alias is { } alias) Kernel.AliasSet(alias);
        if (o.ReusePort && o.Workers > 0)
        {
            if (o.ListenHandle is { } passed)
            {
                if (!ReusePortSocket.IsSet(passed))
                {
                    OnListenError(new TcpError("listen", 0, "the given socket does not have SO_REUSEPORT, which ReusePort needs to open the other workers' sockets on its port"));
                    return;
                }
                AcceptOn(new FileDescriptor(passed.Fd, ownsHandle: false));
            }
            else
            {
                var address = o.Address is null ? (o.Domain == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any)
                                                 : IPAddress.Parse(o.Address);
                var opened = ReusePortSocket.Open(address, o.Port, o.ListenQueue);
                if (!opened.Ok)
                {
                    OnListenError(new TcpError("bind", opened.Error.Errno, opened.Error.Message));
                    return;
                }
                AcceptOn(opened.Value);
            }
        }
        else if (o.ListenHandle is { } handle)
        {
            _acceptor = new ListenAcceptWheel(Kernel, new ListenAcceptOptions
            {
                Handle = handle,
                AcceptEvent = TcpEvents.Accepted,
                ErrorEvent = TcpEvents.ListenFailed,
                MaxAcceptsPerReady = o.MaxAcceptsPerReady,
            });
        }
        else
        {
            _factory = new SocketFactoryWheel(Kernel, new SocketFactoryOptions
            {
                BindAddress = o.Address,
                BindPort = o.Port,
                SocketDomain = o.Domain,
                Reuse = o.Reuse,
                ListenQueue = o.ListenQueue,
                MaxAcceptsPerReady = o.MaxAcceptsPerReady,
                SuccessEvent = TcpEvents.Accepted,
                FailureEvent = TcpEvents.ListenFailed,
            });
        }
        // A setup failure is yielded by the wheel and reaches Error next; Started means listening.
        if (IsListening) o.Started?.Invoke(this);
    }

    private void Accept(FileDescriptor socket, IPAddress? address, int port)
    {
        Pool?.ConnectionAccepted();
        var o = Options;
        if (o.ClientPreConnect is not null || o.Acceptor is not null)
        {
            var accepted = new TcpAcceptedSocket(socket, address, port);
            bool admitted;
            try
            {
                admitted = o.ClientPreConnect?.Invoke(accepted) ?? true;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            if (!admitted)
            {
                socket.Dispose(); // refused: closed before any session exists
                return;
            }
            if (o.Acceptor is { } acceptor)
            {
                acceptor(this, accepted); // the program owns the socket from here
                return;
            }
        }
        THeap heap;
        try
        {
            heap = _newHeap();
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var client = new TcpConnection<THeap>(this, heap, socket, address, port);
        // Counted before its session starts: ClientConnected may already close it.
        _clients.Add(client);
        UpdateAccepting();
        var extra = Options.ClientEvents;
        if (Kernel.Create(client, s => TcpConnection<THeap>.Build(s, extra), [.. client.Args]) is null || !client.WasOpened)
        {
            socket.Dispose(); // the session never took the socket
            Forget(client);
        }
    }

    private void Forget(TcpConnection<THeap> client)
    {
        if (_clients.Remove(client)) UpdateAccepting();
    }

    private void ApplyConcurrency(int concurrency)
    {
        _concurrency = concurrency;
        UpdateAccepting();
    }

    /// <summary>Pauses accepting at the limit and resumes below it.</summary>
    private void UpdateAccepting()
    {
        if (!IsListening) return;
        bool full = _concurrency >= 0 && _clients.Count >= _concurrency;
        if (full == _limitPaused) return;
        _limitPaused = full;
        ApplyAccepting();
    }

    private void SetPoolPaused(bool paused)
    {
        _poolPaused = paused;
        if (!IsListening) return;
        ApplyAccepting();
    }

    private void ApplyAccepting()
    {
        // The pool's pause (the parent never accepts) outlasts the limit's.
        if (_poolPaused || _limitPaused)
        {
            _factory?.PauseAccept();
            _acceptor?.PauseAccept();
        }
        else
        {
            _factory?.ResumeAccept();
            _acceptor?.ResumeAccept();
        }
    }

    /// <summary>Closes every client now, written or not (the pool's graceful stop ran out of time, or a new worker's inherited clients).</summary>
    private void AbortClients()
    {
        foreach (var client in _clients.ToArray()) Kernel.Call(client.Session, TcpEvents.Abort);
    }

    private void OnListenError(TcpError error)
    {
        if (Options.Error is { } handler) handler(this, error);
        else Console.Error.WriteLine($"TcpServer on {Options.Address ?? "*"}:{Options.Port}: {error}");
        if (error.Operation != "accept") StopListening(); // nothing to listen on: let the session end
    }

    private void ShutdownCore(bool disconnectClients)
    {
        StopListening();
        if (!disconnectClients) return;
        foreach (var client in _clients.ToArray()) client.Shutdown();
    }

    // The pool's graceful stop: no more connections, and each client is read for DrainGrace more
    // (or until it closes its side) so that what it already sent is answered before it closes.
    private void DrainClients()
    {
        StopListening();
        foreach (var client in _clients.ToArray()) client.Drain();
    }

    private void StopListening()
    {
        _limitPaused = false;
        _factory?.Dispose();
        _factory = null;
        _acceptor?.Dispose();
        _acceptor = null;
    }

    // Accepts on socket from now on (owning it, unless it was made not to own its descriptor).
    private void AcceptOn(FileDescriptor socket)
    {
        _factory?.Dispose();
        _factory = null;
        _acceptor?.Dispose();
        _acceptor = new ListenAcceptWheel(Kernel, new ListenAcceptOptions
        {
            Handle = socket,
            OwnsHandle = true,
            AcceptEvent = TcpEvents.Accepted,
            ErrorEvent = TcpEvents.ListenFailed,
            MaxAcceptsPerReady = Options.MaxAcceptsPerReady,
        });
        if (_poolPaused) _acceptor.PauseAccept();
    }

    bool IPoolServer.IsListening => IsListening;

    string? IPoolServer.ListenAddress => LocalEndPoint is { Address: { } a, Port: var port }
        ? a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{a}]:{port}" : $"{a}:{port}"
        : LocalEndPoint?.Path;

    int IPoolServer.ListeningDescriptor =>
        (_factory?.Handle ?? _acceptor?.Handle) is { IsInvalid: false, IsClosed: false } h ? h.Fd : -1;

    FileDescriptor? IPoolServer.OpenReusePortSocket(out string error)
    {
        if (LocalEndPoint is not { Address: { } address, Port: var port })
        {
            error = "the server's own socket is closed or not an IP socket";
            return null;
        }
        var opened = ReusePortSocket.Open(address, port, Options.ListenQueue);
        error = opened.Ok ? "" : opened.Error.ToString();
        return opened.Ok ? opened.Value : null;
    }

    void IPoolServer.AcceptOn(FileDescriptor socket) => CallSession(PoolAcceptOn, socket);

    void IPoolServer.PauseAccepting() => CallSession(PoolPause);

    void IPoolServer.ResumeAccepting() => CallSession(PoolResume);

    void IPoolServer.StopAccepting() => CallSession(PoolStopAccepting);

    void IPoolServer.Drain() => CallSession(PoolDrain);

    void IPoolServer.Abort() => CallSession(PoolAbort);

    // The parent never accepts, so a worker inherits no client; were there one, closing this copy
    // of its socket without a word leaves the parent's the only answer.
    void IPoolServer.DropInherited() => CallSession(PoolAbort);

    private void CallSession(string ev, params object?[] args)
    {
        if (Session is { State: not SessionState.Stopped } session) Kernel.Call(session, ev, args);
    }

    private void OnStop()
    {
        _stopped = true;
        StopListening();
        Options.Stopped?.Invoke(this);
    }
}
