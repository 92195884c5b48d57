using PoeSharp.Loop;
using PoeSharp.Os;
using PoeSharp.Wheels.Drivers;

namespace PoeSharp.Wheels;

/// <summary>
/// Accepts connections on a socket the program already created, bound and made listen
/// (POE::Wheel::ListenAccept); <see cref="SocketFactoryWheel"/> creates the socket itself.
/// </summary>
/// <remarks>
/// <para>AcceptEvent(<see cref="FileDescriptor"/> socket, <see cref="System.Net.IPAddress"/>? peerAddress,
/// int peerPort, int wheelId), delivered with Call: the receiver owns the socket (typically hands it
/// to a <see cref="ReadWriteWheel"/>); peerAddress is null and peerPort 0 for UNIX sockets. POE passes
/// the packed sockaddr as one argument instead; this wheel uses <see cref="SocketFactoryWheel"/>'s
/// shape so one handler serves both.</para>
/// <para>ErrorEvent(string operation, int errno, string message, int wheelId): an accept error
/// other than EAGAIN, ECONNABORTED or EPROTO; the wheel keeps listening, as in POE. After an error
/// that means the process ran out of descriptors or memory
/// (<see cref="SocketFactoryWheel.IsResourceExhaustion"/>) it stops accepting for
/// <see cref="ListenAcceptOptions.AcceptErrorDelay"/> instead of spinning on the pending
/// connection. A handle that is not a listening socket is reported once, yielded (so the handler
/// runs after the constructor returns), as ErrorEvent("accept", EINVAL or ENOTSOCK, ...), and
/// the wheel does not watch it; POE would watch it and fail on every readiness.</para>
/// <para>Each read-readiness accepts up to <see cref="ListenAcceptOptions.MaxAcceptsPerReady"/>
/// connections (POE takes one). <see cref="PauseAccept"/>/<see cref="ResumeAccept"/> are
/// <see cref="SocketFactoryWheel"/>'s (POE's ListenAccept has no such methods).</para>
/// <para>Dispose removes the watcher and leaves the handle open and listening unless
/// <see cref="ListenAcceptOptions.OwnsHandle"/> is set: POE never closes the handle it was given.</para>
/// </remarks>
/// <example>
/// <code>
/// var listener = PosixSocket.Socket(AddressFamily.InterNetwork).Value;
/// PosixSocket.SetReuseAddress(listener, true);
/// PosixSocket.Bind(listener, SocketEndPoint.Inet(IPAddress.Loopback, 12345));
/// PosixSocket.Listen(listener);
/// kernel.Create(new Server(), s => s
///     .On("_start", c => c.Heap.Listener = new ListenAcceptWheel(c.Kernel, new ListenAcceptOptions
///     {
///         Handle = listener, OwnsHandle = true, AcceptEvent = "accepted", ErrorEvent = "failed",
///     }))
///     .On("accepted", c => c.Heap.Clients.Add(new ReadWriteWheel(c.Kernel, new ReadWriteOptions
///     {
///         Handle = c.Arg&lt;FileDescriptor&gt;(0), InputEvent = "input",
///     })))
///     .On("failed", c => Console.Error.WriteLine($"{c[0]} error {c[1]}: {c[2]}")));
/// </code>
/// </example>
public sealed class ListenAcceptWheel : Wheel, IReadyHandler, IAcceptSink
{
    private readonly FileDescriptor _handle;
    private readonly bool _ownsHandle;
    private readonly AcceptLoop _acceptor;
    private string _acceptEvent;

    /// <summary>Starts watching the listening socket in the active session.</summary>
    /// <exception cref="ArgumentException">An option is invalid, or the handle is closed.</exception>
    public ListenAcceptWheel(Kernel kernel, ListenAcceptOptions options) : base(kernel)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Handle is null)
            throw new ArgumentNullException(nameof(options), "ListenAcceptOptions.Handle is required: pass a listening socket.");
        _acceptEvent = options.AcceptEvent ?? throw new ArgumentException("AcceptEvent is required.", nameof(options));
        AcceptLoop.Validate(options.MaxAcceptsPerReady, options.AcceptErrorDelay, nameof(options));
        if (options.Handle.IsInvalid || options.Handle.IsClosed)
            throw new ArgumentException("The handle is closed or invalid; pass an open, listening socket.", nameof(options));

        _handle = options.Handle;
        _ownsHandle = options.OwnsHandle;
        ErrorEvent = options.ErrorEvent;
        _acceptor = new AcceptLoop(kernel, this, options.MaxAcceptsPerReady, options.AcceptErrorDelay,
                                   $"{nameof(ListenAcceptWheel)}({Id}) -> accept retry");

        // Watching a socket that does not listen would report it ready (hung up) on every poll
        // and fail every accept: report the mistake once instead.
        var listening = PosixSocket.IsListening(_handle);
        if (!listening.Ok || !listening.Value)
        {
            var error = listening.Ok ? new OsError(Errno.EINVAL) : listening.Error;
            if (ErrorEvent is { } ev) Kernel.Yield(ev, "accept", error.Errno, error.Message, BoxedId);
            return;
        }
        // A blocking listener would block the whole process in accept when a connection vanishes.
        PosixSocket.SetNonBlocking(_handle.Fd, true);
        RegisterWithOwner();
        _acceptor.Start(_handle.Fd, this, options.ExclusiveAccept);
    }

    /// <summary>The event for new sockets; changeable at run time (POE's event()).</summary>
    public string AcceptEvent
    {
        get => _acceptEvent;
        set => _acceptEvent = value ?? throw new ArgumentNullException(nameof(value), "AcceptEvent cannot be removed; dispose the wheel or pause it instead.");
    }

    /// <summary>The event for accept errors; null = errors are not reported. Changeable at run time.</summary>
    public string? ErrorEvent { get; set; }

    /// <summary>The listening socket.</summary>
    public FileDescriptor Handle => _handle;

    /// <summary>True while the wheel watches the socket (false when it was not listening, and after Dispose).</summary>
    public bool IsListening => _acceptor.IsListening && !IsDisposed;

    /// <summary>True while accepting is paused with <see cref="PauseAccept"/>.</summary>
    public bool IsAcceptPaused => _acceptor.IsPaused;

    /// <summary>True while accepting waits out <see cref="ListenAcceptOptions.AcceptErrorDelay"/> after a resource error.</summary>
    public bool IsAcceptBackingOff => _acceptor.IsBackingOff;

    /// <summary>The local address of the socket (getsockname), e.g. to learn an ephemeral port.</summary>
    public SocketEndPoint? LocalEndPoint =>
        !_handle.IsClosed && PosixSocket.GetSockName(_handle.Fd) is { Ok: true } r ? r.Value : null;

    /// <summary>Stops accepting; connections wait in the backlog, the session stays alive.</summary>
    public void PauseAccept()
    {
        ThrowIfDisposed();
        _acceptor.Pause();
    }

    /// <summary>Accepts again after <see cref="PauseAccept"/>.</summary>
    public void ResumeAccept()
    {
        ThrowIfDisposed();
        _acceptor.Resume();
    }

    /// <inheritdoc />
    void IReadyHandler.OnReady(int fd, IoMode mode)
    {
        if (!IsDisposed && mode == IoMode.Read) _acceptor.AcceptSome();
    }

    /// <inheritdoc />
    void IAcceptSink.Accepted(FileDescriptor socket, SocketEndPoint? peer) =>
        Kernel.Call(Owner, _acceptEvent, socket, peer?.Address, peer?.Port ?? 0, BoxedId);

    /// <inheritdoc />
    void IAcceptSink.AcceptFailed(OsError error)
    {
        if (ErrorEvent is { } ev) Kernel.Call(Owner, ev, "accept", error.Errno, error.Message, BoxedId);
    }

    /// <inheritdoc />
    protected override void DisposeCore()
    {
        _acceptor.Stop();
        if (_ownsHandle) _handle.Dispose();
    }
}
