using System.Net;
using PoeSharp.Os;
using PoeSharp.Wheels;

namespace PoeSharp.Components;

/// <summary>
/// One client of a <see cref="TcpServer{THeap}"/>, living in its own session: the typed heap
/// the program keeps per client, the peer's address, and the way to answer
/// (<see cref="Put"/>) or hang up (<see cref="Shutdown"/>). It is that session's heap, so a
/// handler added with <see cref="TcpServerOptions{THeap}.ClientEvents"/> sees it as <c>ctx.Heap</c>.
/// </summary>
/// <typeparam name="THeap">The per-client heap type.</typeparam>
public sealed class TcpConnection<THeap>
{
    private FileDescriptor? _socket; // until _start hands it to the wheel

    internal TcpConnection(TcpServer<THeap> server, THeap heap, FileDescriptor socket, IPAddress? address, int port)
    {
        Server = server;
        Heap = heap;
        _socket = socket;
        RemoteAddress = address;
        RemotePort = port;
    }

    /// <summary>The program's per-client state (POE's per-client HEAP).</summary>
    public THeap Heap { get; set; }

    /// <summary>The server that accepted the connection.</summary>
    public TcpServer<THeap> Server { get; }

    /// <summary>The kernel the server runs in.</summary>
    public Kernel Kernel => Server.Kernel;

    /// <summary>The client's session (set once it has started).</summary>
    public Session Session { get; private set; } = null!;

    /// <summary>The wheel that reads and writes the socket (POE's <c>$heap->{client}</c>); null once closed.</summary>
    public ReadWriteWheel? Wheel { get; private set; }

    /// <summary>The peer's IP address (POE's remote_ip); null for a UNIX socket.</summary>
    public IPAddress? RemoteAddress { get; }

    /// <summary>The peer's port (POE's remote_port); 0 for a UNIX socket.</summary>
    public int RemotePort { get; }

    /// <summary>The client session's arguments (<see cref="TcpServerOptions{THeap}.ClientArgs"/>, POE's ClientArgs); empty when none were given.</summary>
    public IReadOnlyList<object?> Args => Server.Options.ClientArgs ?? [];

    /// <summary>Argument <paramref name="index"/> of <see cref="Args"/> as <typeparamref name="T"/> (POE's <c>$_[ARG0]</c>... in ClientConnected).</summary>
    /// <exception cref="ArgumentOutOfRangeException">There is no such argument.</exception>
    /// <exception cref="InvalidCastException">The argument is not a <typeparamref name="T"/>.</exception>
    public T Arg<T>(int index) => Components.Options.Arg<T>(Args, index, "TcpServerOptions.ClientArgs");

    /// <summary>True until the connection is closed.</summary>
    public bool IsConnected => Wheel is not null;

    /// <summary>True once the session has taken the socket into its wheel.</summary>
    internal bool WasOpened { get; private set; }

    /// <summary>True once <see cref="Shutdown"/> was asked for (POE's <c>$heap->{shutdown}</c>).</summary>
    public bool IsShuttingDown { get; private set; }

    /// <summary>
    /// True while the server's graceful stop (a pool's drain) still reads the connection for
    /// <see cref="TcpServerOptions{THeap}.DrainGrace"/> before shutting it down.
    /// </summary>
    public bool IsDraining { get; private set; }

    /// <summary>
    /// Sends <paramref name="record"/> through the output filter. From another session (a chat
    /// server broadcasting, say) it is handed to this client's session with a synchronous call.
    /// Ignored once the connection is closed.
    /// </summary>
    public void Put(object record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (Wheel is null) return;
        if (!ReferenceEquals(Kernel.ActiveSession, Session))
        {
            Kernel.Call(Session, TcpEvents.Put, record);
            return;
        }
        Wheel.Put(record);
    }

    /// <summary>
    /// Closes the connection gracefully (POE's client <c>shutdown</c>): stops reading, lets the
    /// buffered output drain, then closes; <see cref="TcpServerOptions{THeap}.ClientDisconnected"/> follows.
    /// </summary>
    public void Shutdown()
    {
        if (Wheel is null || IsShuttingDown) return;
        if (!ReferenceEquals(Kernel.ActiveSession, Session))
        {
            Kernel.Call(Session, TcpEvents.Shutdown);
            return;
        }
        ShutdownCore();
    }

    /// <summary>
    /// The server's graceful stop: keeps reading for <see cref="TcpServerOptions{THeap}.DrainGrace"/>,
    /// so that input already in the socket or on its way is delivered and answered, then shuts the
    /// connection down gracefully (the peer's close ends the wait sooner).
    /// </summary>
    internal void Drain()
    {
        if (Wheel is null || IsShuttingDown || IsDraining) return;
        if (!ReferenceEquals(Kernel.ActiveSession, Session))
        {
            Kernel.Call(Session, TcpEvents.Drain);
            return;
        }
        IsDraining = true;
        TimeSpan grace = Server.Options.DrainGrace;
        if (grace == TimeSpan.Zero) ShutdownCore();
        else Kernel.Delay(TcpEvents.DrainOver, grace);
    }

    /// <inheritdoc />
    public override string ToString() =>
        RemoteAddress is null ? $"client {Session?.Id} (unix)" : $"client {Session?.Id} ({RemoteAddress}:{RemotePort})";

    /// <summary>The client session's handlers; the program's come first so the component's win.</summary>
    internal static void Build(SessionBuilder<TcpConnection<THeap>> s, Action<SessionBuilder<TcpConnection<THeap>>>? extra)
    {
        extra?.Invoke(s);
        s.On(KnownEvents.Start, static c => c.Heap.Start(c.Session))
         .On(TcpEvents.Input, static c => c.Heap.Server.Options.ClientInput?.Invoke(c.Heap, c[0]!))
         .On(TcpEvents.Error, static c => c.Heap.OnError(new TcpError(c.Arg<string>(0), c.Arg<int>(1), c.Arg<string>(2))))
         .On(TcpEvents.Flushed, static c => c.Heap.OnFlushed())
         .On(TcpEvents.Put, static c => c.Heap.Put(c[0]!))
         .On(TcpEvents.Shutdown, static c => c.Heap.Shutdown())
         .On(TcpEvents.Abort, static c => c.Heap.Close())
         .On(TcpEvents.Drain, static c => c.Heap.Drain())
         .On(TcpEvents.DrainOver, static c => c.Heap.ShutdownCore())
         .On(KnownEvents.Stop, static c => c.Heap.Close());
    }

    private void Start(Session session)
    {
        Session = session;
        var options = Server.Options;
        var (input, output) = Options.NewFilters(options.ClientFilter, options.ClientInputFilter, options.ClientOutputFilter);
        var socket = _socket!;
        _socket = null;
        Wheel = TcpStream.Open(Kernel, socket, input, output);
        WasOpened = true;
        options.ClientConnected?.Invoke(this);
    }

    private void OnError(TcpError error)
    {
        if (Wheel is null) return;
        if (error is { Operation: "read", Errno: 0 })
        {
            // The peer's orderly close: what is still buffered goes out (it may only have shut its
            // sending side), then the connection closes.
            ShutdownCore();
            return;
        }
        Server.Options.ClientError?.Invoke(this, error);
        if (Wheel is null || !Server.Options.ClientShutdownOnError) return;
        if (error.Operation == "write") Close(); // nothing more can be written
        else ShutdownCore();
    }

    private void ShutdownCore()
    {
        if (Wheel is null) return;
        IsShuttingDown = true;
        Wheel.PauseInput();
        if (Wheel.DriverOutOctets == 0) Close();
    }

    private void OnFlushed()
    {
        Server.Options.ClientFlushed?.Invoke(this);
        if (IsShuttingDown && Wheel is { DriverOutOctets: 0 }) Close();
    }

    /// <summary>Disposes the wheel (closing the socket), tells the program and then the server; runs once.</summary>
    private void Close()
    {
        _socket?.Dispose();
        _socket = null;
        if (Wheel is not { } wheel) return;
        Wheel = null;
        wheel.Dispose();
        if (IsDraining) Kernel.Delay(TcpEvents.DrainOver); // the grace's timer would keep the session alive
        try
        {
            Server.Options.ClientDisconnected?.Invoke(this);
        }
        finally
        {
            Server.ClientClosed(this);
        }
    }
}
