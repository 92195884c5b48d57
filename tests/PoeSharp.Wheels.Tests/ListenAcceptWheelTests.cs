using System.Net;
using System.Net.Sockets;
using PoeSharp.Os;
using static PoeSharp.Wheels.Tests.TestHandlers;

namespace PoeSharp.Wheels.Tests;

/// <summary>ListenAcceptWheel on loopback listeners made with PosixSocket, with the real kernel.</summary>
public sealed class ListenAcceptWheelTests
{
    private sealed class Heap : IRecordsErrors
    {
        public ListenAcceptWheel? Listener;
        public readonly List<string> Log = [];
        public readonly List<(string Op, int Errno, string Message, int Id)> Errors = [];
        List<(string Op, int Errno, string Message, int Id)> IRecordsErrors.Errors => Errors;
        public PoeSharp.Wheels.Wheel? Subject => Listener;
        public readonly List<FileDescriptor> Accepted = [];
        public readonly List<Socket> Clients = [];
        public int Ticks;
    }

    private static FileDescriptor Listening(int backlog = PosixSocket.DefaultBacklog)
    {
        var listener = PosixSocket.Socket(AddressFamily.InterNetwork).Value;
        Assert.That(PosixSocket.Bind(listener, SocketEndPoint.Inet(IPAddress.Loopback, 0)).IsError, Is.False);
        Assert.That(PosixSocket.Listen(listener, backlog).IsError, Is.False);
        return listener;
    }

    private static int PortOf(FileDescriptor fd) => PosixSocket.GetSockName(fd.Fd).Value.Port;

    /// <summary>A blocking loopback connect completes in the backlog without an accept.</summary>
    private static Socket Connect(Heap heap, int port)
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        heap.Clients.Add(client);
        client.Connect(IPAddress.Loopback, port);
        return client;
    }

    private static void Cleanup(Heap heap)
    {
        foreach (var c in heap.Clients) c.Dispose();
        foreach (var a in heap.Accepted) a.Dispose();
    }

    [Test]
    public void AcceptsConnectionsWithPeerAddressPortAndWheelId()
    {
        using var listener = Listening();
        int port = PortOf(listener);
        var heap = new Heap();
        var clientPorts = new List<int>();
        try
        {
            GuardedSession.Run(heap, s => s
                .On("_start", c =>
                {
                    c.Heap.Listener = new ListenAcceptWheel(c.Kernel, new ListenAcceptOptions
                    {
                        Handle = listener, AcceptEvent = "accepted", ErrorEvent = "error",
                    });
                    Assert.That(c.Heap.Listener.IsListening, Is.True);
                    Assert.That(c.Heap.Listener.LocalEndPoint?.Port, Is.EqualTo(port));
                    for (int i = 0; i < 3; i++)
                        clientPorts.Add(((IPEndPoint)Connect(c.Heap, port).LocalEndPoint!).Port);
                })
                .On("accepted", c =>
                {
                    var h = c.Heap;
                    h.Accepted.Add(c.Arg<FileDescriptor>(0));
                    h.Log.Add($"{c[1]} {c.Arg<int>(2)} {c.Arg<int>(3) == h.Listener!.Id}");
                    if (h.Accepted.Count == 3) Done(c);
                })
                .On("error", RecordErrorThenDone));
        }
        finally
        {
            Cleanup(heap);
        }
        Assert.That(heap.Errors, Is.Empty);
        Assert.That(heap.Log, Is.EquivalentTo(clientPorts.Select(p => $"127.0.0.1 {p} True")));
    }

    [Test]
    public void PauseAndResumeAccept()
    {
        using var listener = Listening();
        var heap = new Heap();
        try
        {
            GuardedSession.Run(heap, s => s
                .On("_start", c =>
                {
                    c.Heap.Listener = new ListenAcceptWheel(c.Kernel, new ListenAcceptOptions { Handle = listener, AcceptEvent = "accepted" });
                    c.Heap.Listener.PauseAccept();
                    Assert.That(c.Heap.Listener.IsAcceptPaused, Is.True);
                    Connect(c.Heap, PortOf(listener));
                    c.Kernel.Yield("tick");
                })
                .On("tick", c =>
                {
                    Assert.That(c.Heap.Accepted, Is.Empty, "paused: the connection waits in the backlog");
                    if (++c.Heap.Ticks < 5) c.Kernel.Yield("tick");
                    else c.Heap.Listener!.ResumeAccept();
                })
                .On("accepted", c =>
                {
                    c.Heap.Accepted.Add(c.Arg<FileDescriptor>(0));
                    Done(c);
                }));
        }
        finally
        {
            Cleanup(heap);
        }
        Assert.That(heap.Ticks, Is.EqualTo(5));
        Assert.That(heap.Accepted, Has.Count.EqualTo(1));
    }

    /// <summary>
    /// Disposing the first wheel removes its watcher (the kernel runs dry only if it does) and leaves
    /// the listener open and listening, as POE: a second wheel accepts the next connection.
    /// </summary>
    [Test]
    public void DisposeLeavesTheHandleListeningUnlessOwned()
    {
        using var listener = Listening();
        int port = PortOf(listener);
        var heap = new Heap();
        ListenAcceptWheel? first = null;
        try
        {
            GuardedSession.Run(heap, s => s
                .On("_start", c =>
                {
                    first = c.Heap.Listener = new ListenAcceptWheel(c.Kernel, new ListenAcceptOptions { Handle = listener, AcceptEvent = "accepted" });
                    Connect(c.Heap, port);
                })
                .On("accepted", c =>
                {
                    var h = c.Heap;
                    h.Accepted.Add(c.Arg<FileDescriptor>(0));
                    h.Log.Add($"wheel {(c.Arg<int>(3) == first!.Id ? "first" : "second")}");
                    h.Listener!.Dispose();
                    if (h.Accepted.Count == 2)
                    {
                        c.Kernel.Post("guard", "done");
                        return;
                    }
                    Assert.That(listener.IsClosed, Is.False);
                    h.Listener = new ListenAcceptWheel(c.Kernel, new ListenAcceptOptions { Handle = listener, OwnsHandle = true, AcceptEvent = "accepted" });
                    Connect(h, port);
                }));
        }
        finally
        {
            Cleanup(heap);
        }
        Assert.That(heap.Log, Is.EqualTo(new[] { "wheel first", "wheel second" }));
        Assert.That(first!.IsListening, Is.False);
        Assert.That(listener.IsClosed, Is.True, "the second wheel owned the handle and closed it");
    }

    [Test]
    public void ASocketThatDoesNotListenIsAYieldedErrorAndNotWatched()
    {
        using var notListening = PosixSocket.Socket(AddressFamily.InterNetwork).Value;
        var (pipeRead, pipeWrite) = PosixSocket.Pipe().Value;
        using var _r = pipeRead;
        using var _w = pipeWrite;
        var heap = new Heap();
        var ids = new List<int>();
        GuardedSession.Run(heap, s => s
            .On("_start", c =>
            {
                foreach (var handle in new[] { notListening, pipeRead })
                {
                    var w = new ListenAcceptWheel(c.Kernel, new ListenAcceptOptions { Handle = handle, AcceptEvent = "accepted", ErrorEvent = "error" });
                    Assert.That(w.IsListening, Is.False);
                    ids.Add(w.Id);
                }
                c.Heap.Log.Add("constructed");
                // No "done" wait: the guard goes once the errors are in, and the kernel must then run dry.
                c.Kernel.Post("guard", "done");
            })
            .On("accepted", c => c.Heap.Log.Add("accepted?!"))
            .On("error", c =>
            {
                c.Heap.Log.Add("error");
                RecordError(c);
            }));
        Assert.That(heap.Log, Is.EqualTo(new[] { "constructed", "error", "error" }), "yielded: the handlers run after the constructor");
        Assert.That(heap.Errors.Select(e => (e.Op, e.Errno, e.Id)),
                    Is.EqualTo(new[] { ("accept", Errno.EINVAL, ids[0]), ("accept", Errno.ENOTSOCK, ids[1]) }));
        Assert.That(notListening.IsClosed || pipeRead.IsClosed, Is.False, "not owned: left open");
    }

    [Test]
    public void InvalidOptionsThrowWithAHint()
    {
        using var listener = Listening();
        var closed = Listening();
        closed.Dispose();
        var messages = new List<string>();
        GuardedSession.Run(new Heap(), s => s.On("_start", c =>
        {
            foreach (var options in new[]
                     {
                         new ListenAcceptOptions { Handle = listener, AcceptEvent = "a", MaxAcceptsPerReady = 0 },
                         new ListenAcceptOptions { Handle = listener, AcceptEvent = "a", AcceptErrorDelay = TimeSpan.Zero },
                         new ListenAcceptOptions { Handle = closed, AcceptEvent = "a" },
                     })
            {
                try
                {
                    _ = new ListenAcceptWheel(c.Kernel, options);
                    messages.Add("no exception");
                }
                catch (ArgumentException e)
                {
                    messages.Add(e.Message);
                }
            }
            c.Kernel.Post("guard", "done");
        }));
        Assert.That(messages, Has.Count.EqualTo(3));
        Assert.That(messages[0], Does.StartWith("MaxAcceptsPerReady must be at least 1"));
        Assert.That(messages[1], Does.StartWith("AcceptErrorDelay must be positive"));
        Assert.That(messages[2], Does.StartWith("The handle is closed or invalid"));
    }

    /// <summary>
    /// The shared accept loop's back-off (see SocketFactoryWheelTests for both settings), in a
    /// program of its own: it lowers the process's descriptor limit.
    /// </summary>
    [Test]
    public void OutOfDescriptorsBacksOffAndRecovers()
    {
        var run = AcceptExhaustion.Run("listen-accept");
        Assert.That(run.Errors, Is.EqualTo(new[] { ("accept", Errno.EMFILE) }));
        Assert.That(run.ErrorsWhileExhausted, Is.EqualTo(1), "backing off: no retry on every timeslice");
        Assert.That(run.BackingOffAfterError, Is.True);
        Assert.That(run.Accepted, Is.EqualTo(1), "the pending connection is accepted once descriptors are free");
    }
}
