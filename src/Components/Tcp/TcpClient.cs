using System.Net;
using PoeSharp.Os;
using PoeSharp.Wheels;

namespace PoeSharp.Components;

/// <summary>
/// A TCP (or UNIX socket) client, POE::Component::Client::TCP in C#: one session that connects,
/// reads and writes through a filter, and calls the program's callbacks in that session; with a
/// <see cref="ReconnectPolicy"/> it reconnects with back-off on the kernel's timers.
/// </summary>
/// <remarks>
/// The constructor creates the session at once (a child of the active session, or of the kernel
/// outside <see cref="Kernel.Run()"/>), and it starts connecting. The session ends when there is
/// no connection, no attempt and no retry pending: after <see cref="Shutdown"/>, or after a
/// failure or disconnection without a reconnect policy (or once it gives up).
/// </remarks>
/// <example>
/// <code>
/// new TcpClient(kernel, new()
/// {
///     RemoteAddress = "127.0.0.1", RemotePort = 7777,
///     Connected = c => c.Put("hello"),
///     ServerInput = (c, line) => { Console.WriteLine(line); c.Shutdown(); },
/// });
/// </code>
/// </example>
public sealed class TcpClient
{
    private SocketFactoryWheel? _connector;
    private int _retryTimer;
    private bool _stopped;

    /// <summary>Validates <paramref name="options"/> and starts the client's session, which starts connecting.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public TcpClient(Kernel kernel, TcpClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Kernel = kernel;
        Options = options;
        Session = kernel.Create(this, static s => s
            .On(KnownEvents.Start, static c => c.Heap.Start())
            .On(TcpEvents.Connected, static c => c.Heap.OnConnected(c.Arg<FileDescriptor>(0), c.Arg<IPAddress?>(1), c.Arg<int>(2), c.Arg<int>(3)))
            .On(TcpEvents.ConnectFailed, static c => c.Heap.OnConnectFailed(new TcpError(c.Arg<string>(0), c.Arg<int>(1), c.Arg<string>(2)), c.Arg<int>(3)))
            .On(TcpEvents.Input, static c => c.Heap.Options.ServerInput?.Invoke(c.Heap, c[0]!))
            .On(TcpEvents.Error, static c => c.Heap.OnError(new TcpError(c.Arg<string>(0), c.Arg<int>(1), c.Arg<string>(2))))
            .On(TcpEvents.Flushed, static c => c.Heap.OnFlushed())
            .On(TcpEvents.Reconnect, static c => c.Heap.OnRetryTimer())
            .On(TcpEvents.Put, static c => c.Heap.Put(c[0]!))
            .On(TcpEvents.Shutdown, static c => c.Heap.Shutdown())
            .On(TcpEvents.ReconnectNow, static c => c.Heap.Reconnect())
            .On(KnownEvents.Stop, static c => c.Heap.OnStop()))
            ?? throw new InvalidOperationException("The kernel refused the client's session.");
    }

    /// <summary>The kernel the client runs in.</summary>
    public Kernel Kernel { get; }

    /// <summary>The options the client was made with.</summary>
    public TcpClientOptions Options { get; }

    /// <summary>The client's session.</summary>
    public Session Session { get; }

    /// <summary>The wheel of the established connection (POE's <c>$heap->{server}</c>); null when not connected.</summary>
    public ReadWriteWheel? Wheel { get; private set; }

    /// <summary>True while a connection is established.</summary>
    public bool IsConnected => Wheel is not null;

    /// <summary>True while a connect attempt is in progress.</summary>
    public bool IsConnecting => _connector is not null;

    /// <summary>True once <see cref="Shutdown"/> was asked for (POE's <c>$heap->{shutdown}</c>).</summary>
    public bool IsShuttingDown { get; private set; }

    /// <summary>Consecutive failed attempts since the last established connection (0 while connected).</summary>
    public int FailedAttempts { get; private set; }

    /// <summary>When the pending retry is due; null when none is pending.</summary>
    public DateTimeOffset? NextAttempt { get; private set; }

    /// <summary>The address of the server connected to (null for a UNIX socket or when not connected).</summary>
    public IPAddress? RemoteEndAddress { get; private set; }

    /// <summary>The port of the server connected to (0 when not connected).</summary>
    public int RemoteEndPort { get; private set; }

    /// <summary>
    /// Sends <paramref name="record"/> through the output filter; from another session it is
    /// handed to the client's session with a synchronous call.
    /// </summary>
    /// <exception cref="InvalidOperationException">There is no established connection (wait for Connected).</exception>
    public void Put(object record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (Wheel is null)
            throw new InvalidOperationException("The client is not connected; put records from the Connected callback on, or check IsConnected.");
        if (!ReferenceEquals(Kernel.ActiveSession, Session))
        {
            Kernel.Call(Session, TcpEvents.Put, record);
            return;
        }
        Wheel.Put(record);
    }

    /// <summary>
    /// Stops for good (POE's <c>shutdown</c>): cancels a pending retry or attempt, lets buffered
    /// output drain, then closes; Disconnected follows if a connection was established.
    /// </summary>
    public void Shutdown()
    {
        if (_stopped || IsShuttingDown) return;
        if (!ReferenceEquals(Kernel.ActiveSession, Session))
        {
            Kernel.Call(Session, TcpEvents.Shutdown);
            return;
        }
        IsShuttingDown = true;
        CancelRetry();
        DropConnector();
        if (Wheel is null) return;
        Wheel.PauseInput();
        if (Wheel.DriverOutOctets == 0) CloseConnection();
    }

    /// <summary>
    /// Drops the connection or attempt in progress (Disconnected runs for an established one) and
    /// connects again now (POE's <c>reconnect</c>). Ignored after <see cref="Shutdown"/>.
    /// </summary>
    public void Reconnect()
    {
        if (_stopped || IsShuttingDown) return;
        if (!ReferenceEquals(Kernel.ActiveSession, Session))
        {
            Kernel.Call(Session, TcpEvents.ReconnectNow);
            return;
        }
        CancelRetry();
        DropConnector();
        CloseConnection();
        Connect();
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"TcpClient(session {Session?.Id}, {Options.RemoteAddress}:{Options.RemotePort}, {(IsConnected ? "connected" : IsConnecting ? "connecting" : "idle")})";

    private void Start()
    {
        if (Options.Alias is { } alias) Kernel.AliasSet(alias);
        Options.Started?.Invoke(this);
        if (!IsShuttingDown && _connector is null && Wheel is null) Connect();
    }

    private void Connect()
    {
        var o = Options;
        _connector = new SocketFactoryWheel(Kernel, new SocketFactoryOptions
        {
            RemoteAddress = o.RemoteAddress,
            RemotePort = o.RemotePort,
            SocketDomain = o.Domain,
            BindAddress = o.BindAddress,
            BindPort = o.BindPort,
            ConnectTimeout = o.ConnectTimeout,
            SuccessEvent = TcpEvents.Connected,
            FailureEvent = TcpEvents.ConnectFailed,
        });
    }

    private void OnConnected(FileDescriptor socket, IPAddress? address, int port, int wheelId)
    {
        if (_connector?.Id != wheelId)
        {
            socket.Dispose(); // an attempt dropped by Reconnect or Shutdown
            return;
        }
        DropConnector();
        var (input, output) = Components.Options.NewFilters(Options.Filter, Options.InputFilter, Options.OutputFilter);
        Wheel = TcpStream.Open(Kernel, socket, input, output);
        FailedAttempts = 0;
        RemoteEndAddress = address;
        RemoteEndPort = port;
        Options.Connected?.Invoke(this);
    }

    private void OnConnectFailed(TcpError error, int wheelId)
    {
        if (_connector?.Id != wheelId) return;
        DropConnector();
        FailedAttempts++;
        Options.ConnectError?.Invoke(this, error);
        ScheduleRetry();
    }

    private void OnError(TcpError error)
    {
        if (Wheel is null) return;
        if (!(error is { Operation: "read", Errno: 0 })) Options.ServerError?.Invoke(this, error);
        CloseConnection();
        ScheduleRetry();
    }

    private void OnFlushed()
    {
        Options.ServerFlushed?.Invoke(this);
        if (IsShuttingDown && Wheel is { DriverOutOctets: 0 }) CloseConnection();
    }

    /// <summary>Waits before the next attempt: attempt n (consecutive failures before it) waits the policy's DelayFor(n).</summary>
    private void ScheduleRetry()
    {
        if (_stopped || IsShuttingDown || _retryTimer != 0 || _connector is not null || Wheel is not null) return;
        if (Options.Reconnect is not { } policy) return;
        if (policy.MaxAttempts is int max && FailedAttempts >= max) return; // give up: the session ends
        var delay = policy.DelayFor(Math.Max(0, FailedAttempts - 1));
        _retryTimer = Kernel.DelaySet(TcpEvents.Reconnect, delay);
        NextAttempt = Kernel.Time.GetUtcNow() + delay;
    }

    private void OnRetryTimer()
    {
        _retryTimer = 0;
        NextAttempt = null;
        if (!IsShuttingDown && _connector is null && Wheel is null) Connect();
    }

    private void CancelRetry()
    {
        if (_retryTimer == 0) return;
        Kernel.AlarmRemove(_retryTimer);
        _retryTimer = 0;
        NextAttempt = null;
    }

    private void DropConnector()
    {
        _connector?.Dispose();
        _connector = null;
    }

    private void CloseConnection()
    {
        if (Wheel is not { } wheel) return;
        Wheel = null;
        RemoteEndAddress = null;
        RemoteEndPort = 0;
        wheel.Dispose();
        Options.Disconnected?.Invoke(this);
    }

    private void OnStop()
    {
        _stopped = true;
        DropConnector();
        CloseConnection();
    }
}
