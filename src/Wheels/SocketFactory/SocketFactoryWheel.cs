using System.Net;
using System.Net.Sockets;
using PoeSharp.Loop;
using PoeSharp.Os;
using PoeSharp.Wheels.Drivers;

namespace PoeSharp.Wheels;

/// <summary>
/// Creates sockets (POE::Wheel::SocketFactory). Server mode (no RemoteAddress, stream): binds,
/// listens and emits SuccessEvent for every accepted connection. Client mode: connects without
/// blocking and emits SuccessEvent or FailureEvent once. Datagram mode (Dgram, no
/// RemoteAddress): binds and yields SuccessEvent(socket, null, 0, id).
/// </summary>
/// <remarks>
/// <para>SuccessEvent(<see cref="FileDescriptor"/> socket, <see cref="IPAddress"/>? peerAddress,
/// int peerPort, int wheelId): the receiver owns the socket (typically hands it to a
/// <see cref="ReadWriteWheel"/>); peerAddress is null and peerPort 0 for UNIX sockets.
/// FailureEvent(string operation, int errno, string message, int wheelId).</para>
/// <para>Setup failures (socket, setsockopt, bind, listen, an immediate connect error, address
/// lookup) are never thrown: they are yielded, so the handler runs after the constructor returns.
/// Accept and connect outcomes are delivered with Call. An accept error other than ECONNABORTED,
/// EPROTO or EAGAIN emits FailureEvent("accept", ...) and the wheel keeps listening, as in POE;
/// after one that means the process ran out of descriptors or memory
/// (<see cref="IsResourceExhaustion"/>) it stops accepting for
/// <see cref="SocketFactoryOptions.AcceptErrorDelay"/> instead of spinning on the pending connection.</para>
/// <para>Each read-readiness of the listener accepts up to <see cref="SocketFactoryOptions.MaxAcceptsPerReady"/>
/// connections (POE takes one), stopping early when nothing is pending, when the wheel is disposed
/// or paused by a handler, or after an accept error.</para>
/// <para>Fork: a listening wheel keeps working in a forked child (children share the listening
/// socket: the pre-forking server). A connect still in progress when the process forks is the
/// parent's: in the child the wheel closes its copy of the socket (<c>close(2)</c> only), cancels
/// its timeout and emits FailureEvent("fork", 0, message), unless
/// <see cref="SocketFactoryOptions.KeepAfterFork"/> is set.</para>
/// </remarks>
/// <example>
/// A Line echo server:
/// <code>
/// kernel.Create(new Server(), s => s
///     .On("_start", c => c.Heap.Listener = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
///     {
///         BindAddress = "127.0.0.1", BindPort = 0, Reuse = true, SuccessEvent = "accepted", FailureEvent = "failed",
///     }))   // c.Heap.Listener.BoundPort is the port chosen
///     .On("accepted", c =>
///     {
///         var rw = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
///         {
///             Handle = c.Arg&lt;FileDescriptor&gt;(0), Filter = new LineFilter(), InputEvent = "input", ErrorEvent = "error",
///         });
///         c.Heap.Clients[rw.Id] = rw;
///     })
///     .On("input", c => c.Heap.Clients[c.Arg&lt;int&gt;(1)].Put(c.Arg&lt;string&gt;(0)))
///     .On("error", c => { if (c.Heap.Clients.Remove(c.Arg&lt;int&gt;(3), out var rw)) rw.Dispose(); })
///     .On("failed", c => Console.Error.WriteLine($"{c[0]} failed: {c[2]}")));
/// </code>
/// </example>
public sealed class SocketFactoryWheel : Wheel, IReadyHandler, IAcceptSink, IForkAware
{
    /// <summary>The FailureEvent operation of a connect that a forked child let go of.</summary>
    public const string ForkOperation = "fork";

    private enum Mode { Failed, Listening, Connecting, Done }

    private string? _timeoutState; // named only when a ConnectTimeout needs the state
    private AcceptLoop? _acceptor;  // server mode only
    private FileDescriptor? _socket;
    private Mode _mode;
    private bool _watched;   // the connect watcher (the accept watcher is the acceptor's)
    private int _timerId;
    private string _successEvent;
    private string _failureEvent;
    private SocketEndPoint? _remote;

    /// <summary>Creates the socket in the active session; problems arrive as FailureEvent.</summary>
    /// <exception cref="ArgumentException">An option is invalid (a programming error, not a network one).</exception>
    public SocketFactoryWheel(Kernel kernel, SocketFactoryOptions options) : base(kernel)
    {
        ArgumentNullException.ThrowIfNull(options);
        _successEvent = options.SuccessEvent ?? throw new ArgumentException("SuccessEvent is required.", nameof(options));
        _failureEvent = options.FailureEvent ?? throw new ArgumentException("FailureEvent is required.", nameof(options));
        AcceptLoop.Validate(options.MaxAcceptsPerReady, options.AcceptErrorDelay, nameof(options));
        if ((uint)options.BindPort > 65535)
            throw new ArgumentOutOfRangeException(nameof(options), options.BindPort, "BindPort must be 0..65535 (0 = ephemeral).");
        if (options.RemotePort is int rp && (uint)rp > 65535)
            throw new ArgumentOutOfRangeException(nameof(options), rp, "RemotePort must be 0..65535.");
        if (options.ConnectTimeout is { } t && t <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), t, "ConnectTimeout must be positive (null = no limit).");
        RegisterWithOwner();
        Setup(options);
    }

    /// <summary>The event for new sockets; changeable at run time (POE's event()).</summary>
    public string SuccessEvent
    {
        get => _successEvent;
        set => _successEvent = value ?? throw new ArgumentNullException(nameof(value), "SuccessEvent cannot be removed; dispose the wheel instead.");
    }

    /// <summary>The event for failures; changeable at run time.</summary>
    public string FailureEvent
    {
        get => _failureEvent;
        set => _failureEvent = value ?? throw new ArgumentNullException(nameof(value), "FailureEvent cannot be removed; dispose the wheel instead.");
    }

    /// <summary>The listening (or still connecting) socket; null after a failure, a hand-over or Dispose.</summary>
    public FileDescriptor? Handle => _socket;

    /// <summary>True while the wheel listens for connections.</summary>
    public bool IsListening => _mode == Mode.Listening && !IsDisposed;

    /// <summary>True while accepting is paused with <see cref="PauseAccept"/>.</summary>
    public bool IsAcceptPaused => _acceptor?.IsPaused ?? false;

    /// <summary>True while accepting waits out <see cref="SocketFactoryOptions.AcceptErrorDelay"/> after a resource error.</summary>
    public bool IsAcceptBackingOff => _acceptor?.IsBackingOff ?? false;

    /// <summary>
    /// True for the accept errors that say the process or system is out of descriptors or memory
    /// (EMFILE, ENFILE, ENOBUFS, ENOMEM): they pass when connections close, so a server should keep
    /// listening rather than shut down.
    /// </summary>
    public static bool IsResourceExhaustion(int errno) =>
        errno is Errno.EMFILE or Errno.ENFILE or Errno.ENOBUFS or Errno.ENOMEM;

    /// <summary>The local address of the socket (POE's getsockname), e.g. to learn an ephemeral port; null without a socket.</summary>
    public SocketEndPoint? LocalEndPoint =>
        _socket is { IsClosed: false } s && PosixSocket.GetSockName(s.Fd) is { Ok: true } r ? r.Value : null;

    /// <summary>The bound port (0 when there is no IP socket).</summary>
    public int BoundPort => LocalEndPoint?.Port ?? 0;

    /// <summary>Stops accepting; connections wait in the backlog, the session stays alive (POE's pause_accept).</summary>
    public void PauseAccept()
    {
        ThrowIfDisposed();
        if (_mode == Mode.Listening) _acceptor!.Pause();
    }

    /// <summary>Accepts again after <see cref="PauseAccept"/> (POE's resume_accept).</summary>
    public void ResumeAccept()
    {
        ThrowIfDisposed();
        if (_mode == Mode.Listening) _acceptor!.Resume();
    }

    /// <inheritdoc />
    void IReadyHandler.OnReady(int fd, IoMode mode)
    {
        if (IsDisposed) return;
        // What SuccessEvent puts on a new connection (a greeting, a request) is written at the end
        // of this callback, without a write watcher (see WriteBatch).
        WriteBatch.Run(Owner, (Wheel: this, Fd: fd, Mode: mode), static s => s.Wheel.Ready(s.Fd, s.Mode));
    }

    private void Ready(int fd, IoMode mode)
    {
        if (_mode == Mode.Listening && mode == IoMode.Read) _acceptor!.AcceptSome();
        else if (_mode == Mode.Connecting && mode == IoMode.Write) FinishConnect(fd);
    }

    /// <inheritdoc />
    bool IForkAware.ReleaseInChild()
    {
        if (IsDisposed || _mode != Mode.Connecting) return false;
        StopWatching();
        CancelTimeout();
        _socket?.Dispose(); // our copy only: the parent's connect goes on
        _socket = null;
        _mode = Mode.Failed;
        return true;
    }

    /// <inheritdoc />
    void IForkAware.ReportReleasedInChild()
    {
        if (!IsDisposed)
            Kernel.Call(Owner, _failureEvent, ForkOperation, 0, "the connect was started by the parent process; this process let go of it", BoxedId);
    }

    /// <inheritdoc />
    protected override void DisposeCore()
    {
        Kernel.RemoveForkAware(Owner, this);
        _acceptor?.Stop();
        StopWatching();
        CancelTimeout();
        _socket?.Dispose();
        _socket = null;
        _mode = Mode.Done;
    }

    private void Setup(SocketFactoryOptions o)
    {
        bool client = o.RemoteAddress is not null;
        var domain = o.SocketDomain ?? InferDomain(client ? o.RemoteAddress : o.BindAddress);
        if (domain is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 or AddressFamily.Unix))
            throw new ArgumentException($"SocketDomain {domain} is not supported; use InterNetwork, InterNetworkV6 or Unix.", nameof(o));
        if (o.SocketType is not (SocketType.Stream or SocketType.Dgram))
            throw new ArgumentException($"SocketType {o.SocketType} is not supported; use Stream or Dgram.", nameof(o));
        if (client && domain != AddressFamily.Unix && o.RemotePort is null)
            throw new ArgumentException("RemotePort is required with RemoteAddress for IP sockets.", nameof(o));
        if (!client && domain == AddressFamily.Unix && string.IsNullOrEmpty(o.BindAddress))
            throw new ArgumentException("A UNIX server needs BindAddress: the socket's path.", nameof(o));

        SocketEndPoint? bindTo = null;
        bool wantBind = !client || o.BindAddress is not null || o.BindPort != 0;
        if (wantBind && !TryResolve(o.BindAddress, o.BindPort, domain, bind: true, out bindTo)) return;
        if (client && !TryResolve(o.RemoteAddress, o.RemotePort ?? 0, domain, bind: false, out _remote)) return;

        var created = PosixSocket.Socket(domain, o.SocketType, o.SocketProtocol);
        if (!created.Ok)
        {
            SetupFailed("socket", created.Error);
            return;
        }
        _socket = created.Value;

        if (o.Reuse && PosixSocket.SetReuseAddress(_socket, true) is { IsError: true } reuseError)
        {
            SetupFailed("setsockopt", reuseError);
            return;
        }
        if (bindTo is not null && PosixSocket.Bind(_socket, bindTo) is { IsError: true } bindError)
        {
            SetupFailed("bind", bindError);
            return;
        }

        if (client)
        {
            var connect = PosixSocket.Connect(_socket, _remote!);
            if (!connect.Ok)
            {
                SetupFailed("connect", connect.Error);
                return;
            }
            // Success or not, the outcome is read on write-readiness, like POE (never synchronous).
            _mode = Mode.Connecting;
            Kernel.Watch(_socket.Fd, IoMode.Write, this);
            _watched = true;
            if (!o.KeepAfterFork) Kernel.AddForkAware(Owner, this);
            if (o.ConnectTimeout is { } timeout)
            {
                _timeoutState = $"{nameof(SocketFactoryWheel)}({Id}) -> connect timeout";
                Kernel.State(_timeoutState, OnConnectTimeout);
                _timerId = Kernel.DelaySet(_timeoutState, timeout);
            }
            return;
        }

        if (o.SocketType == SocketType.Dgram)
        {
            // Connectionless: nothing to accept; the socket is ready now.
            var socket = _socket;
            _socket = null;
            _mode = Mode.Done;
            Kernel.Yield(_successEvent, socket, null, 0, BoxedId);
            return;
        }

        if (PosixSocket.Listen(_socket, Math.Max(1, o.ListenQueue)) is { IsError: true } listenError)
        {
            SetupFailed("listen", listenError);
            return;
        }
        _mode = Mode.Listening;
        _acceptor = new AcceptLoop(Kernel, this, o.MaxAcceptsPerReady, o.AcceptErrorDelay,
                                   $"{nameof(SocketFactoryWheel)}({Id}) -> accept retry");
        _acceptor.Start(_socket.Fd, this, o.ExclusiveAccept);
    }

    private static AddressFamily InferDomain(string? address)
    {
        if (address is null) return AddressFamily.InterNetwork;
        if (address.StartsWith('/')) return AddressFamily.Unix; // an absolute path is a UNIX socket
        return IPAddress.TryParse(address, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6
            ? AddressFamily.InterNetworkV6
            : AddressFamily.InterNetwork;
    }

    /// <summary>Turns an address text into an end point; a failed lookup is yielded as FailureEvent("getaddrinfo").</summary>
    private bool TryResolve(string? text, int port, AddressFamily domain, bool bind, out SocketEndPoint? endPoint)
    {
        endPoint = null;
        if (domain == AddressFamily.Unix)
        {
            endPoint = SocketEndPoint.Unix(text ?? "");
            return true;
        }
        IPAddress? address = null;
        if (string.IsNullOrEmpty(text))
        {
            address = domain == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        }
        else if (IPAddress.TryParse(text, out var literal))
        {
            address = literal;
        }
        else
        {
            try
            {
                // Blocking lookup, as POE's inet_aton/getaddrinfo; pass literals to avoid it.
                foreach (var candidate in Dns.GetHostAddresses(text))
                {
                    if (candidate.AddressFamily == domain)
                    {
                        address = candidate;
                        break;
                    }
                }
            }
            catch (SocketException ex)
            {
                SetupFailed("getaddrinfo", new OsError(Errno.EADDRNOTAVAIL), $"{text}: {ex.Message}");
                return false;
            }
            if (address is null)
            {
                SetupFailed("getaddrinfo", new OsError(Errno.EADDRNOTAVAIL), $"{text}: no {domain} address");
                return false;
            }
        }
        if (address.AddressFamily != domain)
        {
            SetupFailed(bind ? "bind" : "connect", new OsError(Errno.EAFNOSUPPORT),
                        $"{text} is not an {(domain == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address");
            return false;
        }
        endPoint = SocketEndPoint.Inet(address, port);
        return true;
    }

    private void SetupFailed(string operation, OsError error, string? message = null)
    {
        _socket?.Dispose();
        _socket = null;
        _mode = Mode.Failed;
        Kernel.Yield(_failureEvent, operation, error.Errno, message ?? error.Message, BoxedId);
    }

    /// <inheritdoc />
    void IAcceptSink.Accepted(FileDescriptor socket, SocketEndPoint? peer) =>
        Kernel.Call(Owner, _successEvent, socket, peer?.Address, peer?.Port ?? 0, BoxedId);

    /// <inheritdoc />
    void IAcceptSink.AcceptFailed(OsError error) =>
        Kernel.Call(Owner, _failureEvent, "accept", error.Errno, error.Message, BoxedId);

    private void FinishConnect(int fd)
    {
        StopWatching();
        CancelTimeout();
        var error = PosixSocket.GetSocketError(fd);
        if (error.IsError)
        {
            _socket?.Dispose();
            _socket = null;
            _mode = Mode.Failed;
            Kernel.Call(Owner, _failureEvent, "connect", error.Errno, error.Message, BoxedId);
            return;
        }
        var socket = _socket!;
        _socket = null;
        _mode = Mode.Done;
        // The peer is the address connected to; only a wildcard target (0.0.0.0, ::) needs asking.
        var peer = _remote is { Address: { } target } && (target.Equals(IPAddress.Any) || target.Equals(IPAddress.IPv6Any))
                   && PosixSocket.GetPeerName(fd) is { Ok: true } p
            ? p.Value
            : _remote;
        Kernel.Call(Owner, _successEvent, socket, peer?.Address, peer?.Port ?? 0, BoxedId);
    }

    private void OnConnectTimeout(EventContext<object?> context)
    {
        _timerId = 0;
        Kernel.State(_timeoutState!);
        if (_mode != Mode.Connecting || IsDisposed) return;
        StopWatching();
        _socket?.Dispose();
        _socket = null;
        _mode = Mode.Failed;
        var timedOut = new OsError(Errno.ETIMEDOUT);
        Kernel.Call(Owner, _failureEvent, "connect", timedOut.Errno, timedOut.Message, BoxedId);
    }

    private void CancelTimeout()
    {
        if (_timerId == 0) return;
        Kernel.AlarmRemove(_timerId);
        Kernel.State(_timeoutState!);
        _timerId = 0;
    }

    private void StopWatching()
    {
        if (!_watched || _socket is null) return;
        _watched = false;
        Kernel.Unwatch(_socket.Fd, IoMode.Write);
    }
}
