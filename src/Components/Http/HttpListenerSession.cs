using System.Net;
using Microsoft.Extensions.Logging;
using PoeSharp.Components.Workers;
using PoeSharp.Os;
using PoeSharp.Wheels;

namespace PoeSharp.Components.Http;

/// <summary>
/// The listening session (a child of the pool's): accepts, starts a connection session per
/// client, and passes the pool's orders (pause, resume, stop, drain, drop) to its connections.
/// </summary>
internal static class HttpListenerSession
{
    public const string EvPause = "http_pause";
    public const string EvResume = "http_resume";
    public const string EvStopAccepting = "http_stop_accepting";
    public const string EvDrain = "http_drain";
    public const string EvDrop = "http_drop";
    public const string EvAcceptOn = "http_accept_on";
    private const string EvAccepted = "http_accepted";
    private const string EvListenError = "http_listen_error";
    private const string EvReopen = "http_reopen_log";

    public static Session? Create(Kernel kernel, HttpServer server) =>
        kernel.Create(new HttpListenerHeap(server), s => s
            .On("_start", Start)
            .On("_stop", c => Close(c.Heap))
            .On("_child", Child)
            .On(EvAccepted, Accepted)
            .On(EvListenError, ListenError)
            .On(EvPause, c => c.Heap.Pause())
            .On(EvResume, c => c.Heap.Resume())
            .On(EvStopAccepting, c => Close(c.Heap))
            .On(EvDrain, c => Tell(c, HttpConnectionSession.EvDrain))
            .On(EvDrop, c => Tell(c, HttpConnectionSession.EvDrop))
            .On(EvAcceptOn, c =>
            {
                c.Heap.Close();
                AcceptOn(c, c.Arg<FileDescriptor>(0));
            })
            .On(EvReopen, c =>
            {
                c.Kernel.SigHandled();
                c.Heap.Server.ReopenAccessLog();
            }));

    private static void Start(EventContext<HttpListenerHeap> c)
    {
        HttpServerOptions o = c.Heap.Server.Options;
        int maxAccepts = o.MaxAcceptsPerReady ?? (o.Workers > 0 ? 4 : SocketFactoryOptions.DefaultMaxAcceptsPerReady);
        bool reusePort = o.ReusePort && o.Workers > 0;
        if (o.ListenSocket is { } given)
        {
            if (reusePort && !ReusePortSocket.IsSet(given))
            {
                c.Heap.Server.ListenError ??= $"the given socket (descriptor {given.Fd}) does not have SO_REUSEPORT, which ReusePort needs "
                                              + "to open the other workers' sockets on its port (systemd: ReusePort=yes); or run without ReusePort";
                given.Dispose();
                return;
            }
            AcceptOn(c, given);
            if (!c.Heap.Given!.IsListening) c.Heap.Server.ListenError ??= $"the given socket (descriptor {given.Fd}) does not listen";
            c.Kernel.Sig("USR1", EvReopen);
            return;
        }
        if (reusePort)
        {
            // Slot 0's socket: the pool opens the other slots' on the port this one gets.
            var opened = ReusePortSocket.Open(IPAddress.Parse(o.Address), o.Port);
            if (!opened.Ok)
            {
                c.Heap.Server.ListenError ??= $"cannot listen on {o.Address}:{o.Port} with SO_REUSEPORT: {opened.Error}";
                return;
            }
            AcceptOn(c, opened.Value);
            c.Kernel.Sig("USR1", EvReopen);
            return;
        }
        c.Heap.Listener = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
        {
            BindAddress = o.Address,
            BindPort = o.Port,
            Reuse = true,
            SuccessEvent = EvAccepted,
            FailureEvent = EvListenError,
            MaxAcceptsPerReady = maxAccepts,
        });
        if (!c.Heap.Listener.IsListening) c.Heap.Server.ListenError ??= $"cannot listen on {o.Address}:{o.Port}";
        c.Kernel.Sig("USR1", EvReopen);
    }

    // Same events as the SocketFactory wheel's: the rest of the session cannot tell.
    private static void AcceptOn(EventContext<HttpListenerHeap> c, FileDescriptor socket)
    {
        HttpServerOptions o = c.Heap.Server.Options;
        c.Heap.Given = new ListenAcceptWheel(c.Kernel, new ListenAcceptOptions
        {
            Handle = socket,
            OwnsHandle = true,
            AcceptEvent = EvAccepted,
            ErrorEvent = EvListenError,
            MaxAcceptsPerReady = o.MaxAcceptsPerReady ?? (o.Workers > 0 ? 4 : SocketFactoryOptions.DefaultMaxAcceptsPerReady),
        });
    }

    private static void Accepted(EventContext<HttpListenerHeap> c)
    {
        var socket = c.Arg<FileDescriptor>(0);
        var address = c.Arg<IPAddress?>(1);
        int port = c.Arg<int>(2);
        if (!c.Heap.IsListening)
        {
            socket.Dispose();
            return;
        }
        c.Heap.Server.Pool.ConnectionAccepted();
        HttpConnectionSession.Create(c.Kernel, c.Heap.Server, socket, address, port);
    }

    private static void ListenError(EventContext<HttpListenerHeap> c)
    {
        string syscall = c.Arg<string>(0);
        int errno = c.Arg<int>(1);
        string error = c.Arg<string>(2);
        HttpServer server = c.Heap.Server;
        // An accept error leaves the socket listening (the wheel backs off when descriptors run out).
        if (syscall == "accept" && c.Heap.IsListening)
        {
            server.Options.Logger?.LogWarning("Server {Pid}: accept error {Errno}: {Error}", c.Kernel.ProcessId, errno, error);
            return;
        }
        server.ListenError = $"{syscall} error {errno}: {error}";
        server.Options.Logger?.LogError("Server {Pid}: cannot listen on {Address}:{Port}: {Syscall} error {Errno}: {Error}",
                                        c.Kernel.ProcessId, server.Options.Address, server.Options.Port, syscall, errno, error);
        Close(c.Heap);
    }

    private static void Child(EventContext<HttpListenerHeap> c)
    {
        string reason = c.Arg<string>(0);
        var child = c.Arg<Session>(1);
        if (reason is KnownEvents.ChildCreate or KnownEvents.ChildGain) c.Heap.Connections.Add(child);
        else c.Heap.Connections.Remove(child);
    }

    private static void Tell(EventContext<HttpListenerHeap> c, string ev)
    {
        // A copy: a connection may close, and leave the set, inside the call.
        foreach (Session connection in c.Heap.Connections.ToArray()) c.Kernel.Call(connection, ev);
    }

    private static void Close(HttpListenerHeap heap) => heap.Close();
}
