using System.Net;
using System.Net.Sockets;
using PoeSharp.Filters;
using PoeSharp.Os;
using static PoeSharp.Wheels.Tests.TestHandlers;

namespace PoeSharp.Wheels.Tests;

/// <summary>SocketFactoryWheel on loopback TCP (port 0), UNIX sockets and IPv6, with the real kernel.</summary>
public sealed class SocketFactoryWheelTests
{
    private sealed class Heap : IRecordsErrors
    {
        public SocketFactoryWheel? Factory;
        public readonly List<SocketFactoryWheel> Clients = [];
        public readonly List<string> Log = [];
        public readonly List<(string Op, int Errno, string Message, int Id)> Failures = [];
        List<(string Op, int Errno, string Message, int Id)> IRecordsErrors.Errors => Failures;
        public PoeSharp.Wheels.Wheel? Subject => Factory;
        public readonly List<FileDescriptor> Accepted = [];
        public ReadWriteWheel? Wheel;
        public ReadWriteWheel? Wheel2;
        public int Connected;
        public int Ticks;
        public int Port;
    }

    private static int ClosedPort()
    {
        using var probe = PosixSocket.Socket(AddressFamily.InterNetwork).Value;
        PosixSocket.Bind(probe, SocketEndPoint.Inet(IPAddress.Loopback, 0));
        return PosixSocket.GetSockName(probe.Fd).Value.Port;
    }

    [Test]
    public void ConnectToARefusedPortIsAFailureEvent()
    {
        int port = ClosedPort();
        int id = 0;
        var heap = GuardedSession.Run(new Heap(), s => s
            .On("_start", c =>
            {
                c.Heap.Factory = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
                {
                    RemoteAddress = "127.0.0.1", RemotePort = port, SuccessEvent = "ok", FailureEvent = "failed",
                });
                id = c.Heap.Factory.Id;
            })
            .On("ok", c => c.Heap.Log.Add("success?!"))
            .On("failed", RecordErrorThenDone));
        Assert.That(heap.Log, Is.Empty);
        Assert.That(heap.Failures, Is.EqualTo(new[] { ("connect", Errno.ECONNREFUSED, "Connection refused", id) }));
    }

    [Test]
    public void ConnectTimeoutFailsWithETimedOut()
    {
        // A listener with backlog 0 that never accepts: once its queue is full, Linux drops
        // further SYNs, so the next connect neither succeeds nor fails by itself.
        using var listener = PosixSocket.Socket(AddressFamily.InterNetwork).Value;
        PosixSocket.Bind(listener, SocketEndPoint.Inet(IPAddress.Loopback, 0));
        PosixSocket.Listen(listener, 0);
        var target = PosixSocket.GetSockName(listener.Fd).Value;
        var fillers = new List<FileDescriptor>();
        try
        {
            for (int i = 0; i < 4; i++)
            {
                var f = PosixSocket.Socket(AddressFamily.InterNetwork).Value;
                fillers.Add(f);
                PosixSocket.Connect(f, target);
            }
            using var kernel = new Kernel();
            var guard = Guard.Start(kernel);
            var heap = new Heap();
            kernel.Create(heap, s => s
                .On("_start", c => c.Heap.Factory = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
                {
                    RemoteAddress = "127.0.0.1", RemotePort = target.Port, ConnectTimeout = TimeSpan.FromMilliseconds(300),
                    SuccessEvent = "ok", FailureEvent = "failed",
                }))
                .On("ok", c =>
                {
                    c.Heap.Log.Add("connected");
                    c.Arg<FileDescriptor>(0).Dispose();
                    Done(c);
                })
                .On("failed", RecordErrorThenDone));
            guard.Run(kernel);
            if (heap.Log.Count > 0) Assert.Inconclusive("this kernel accepted a connection beyond the backlog; the timeout could not be exercised");
            Assert.That(heap.Failures.Select(f => (f.Op, f.Errno, f.Message)),
                        Is.EqualTo(new[] { ("connect", Errno.ETIMEDOUT, "Connection timed out") }));
        }
        finally
        {
            foreach (var f in fillers) f.Dispose();
        }
    }

    [Test]
    public void DisposingAConnectingClientCancelsItsTimeout()
    {
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel, seconds: 5);
        var heap = new Heap();
        kernel.Create(heap, s => s
            .On("_start", c =>
            {
                var w = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
                {
                    RemoteAddress = "127.0.0.1", RemotePort = ClosedPort(), ConnectTimeout = TimeSpan.FromHours(1),
                    SuccessEvent = "ok", FailureEvent = "failed",
                });
                w.Dispose();
                Assert.That(w.Handle, Is.Null);
                c.Kernel.Post("guard", "done");
            })
            .On("ok", c => c.Heap.Log.Add("ok"))
            .On("failed", c => c.Heap.Log.Add("failed")));
        guard.Run(kernel); // a leftover one-hour timer would keep the kernel running until the guard fires
        Assert.That(heap.Log, Is.Empty, "a disposed wheel emits nothing");
    }

    [Test]
    public void DatagramSocketIsYieldedAfterBind()
    {
        int id = 0;
        var heap = GuardedSession.Run(new Heap(), s => s
            .On("_start", c =>
            {
                c.Heap.Factory = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
                {
                    BindAddress = "localhost", SocketType = SocketType.Dgram, SuccessEvent = "ok", FailureEvent = "failed",
                });
                id = c.Heap.Factory.Id;
            })
            .On("ok", c =>
            {
                using var socket = c.Arg<FileDescriptor>(0);
                var local = PosixSocket.GetSockName(socket.Fd).Value;
                c.Heap.Log.Add($"{local.Address} {local.Port > 0} {c[1] ?? "null"} {c[2]} {c.Arg<int>(3) == id}");
                Done(c);
            })
            .On("failed", c => RecordError(c)));
        Assert.That(heap.Failures, Is.Empty);
        Assert.That(heap.Log, Is.EqualTo(new[] { "127.0.0.1 True null 0 True" }), "'localhost' resolves to the IPv4 loopback");
    }

    [Test]
    public void SetupFailuresAreYieldedNotThrown()
    {
        using var taken = PosixSocket.Socket(AddressFamily.InterNetwork).Value;
        PosixSocket.Bind(taken, SocketEndPoint.Inet(IPAddress.Loopback, 0));
        PosixSocket.Listen(taken);
        int port = PosixSocket.GetSockName(taken.Fd).Value.Port;
        var heap = GuardedSession.Run(new Heap(), s => s
            .On("_start", c =>
            {
                c.Heap.Factory = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
                {
                    BindAddress = "127.0.0.1", BindPort = port, SuccessEvent = "ok", FailureEvent = "failed",
                });
                c.Heap.Log.Add("constructed");
                Assert.That(c.Heap.Factory.IsListening, Is.False);
            })
            .On("failed", c =>
            {
                c.Heap.Log.Add("failed");
                RecordError(c);
                Done(c);
            }));
        Assert.That(heap.Log, Is.EqualTo(new[] { "constructed", "failed" }), "yielded: the handler runs after the constructor returns");
        Assert.That(heap.Failures.Select(f => (f.Op, f.Errno)), Is.EqualTo(new[] { ("bind", Errno.EADDRINUSE) }));
    }

    [Test]
    public void AcceptsTwoHundredClients()
    {
        const int clients = 200;
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel);
        var heap = new Heap();
        kernel.Create(heap, s => s
            .On("_start", c =>
            {
                var h = c.Heap;
                h.Factory = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
                {
                    BindAddress = "127.0.0.1", Reuse = true, SuccessEvent = "accepted", FailureEvent = "failed",
                });
                for (int i = 0; i < clients; i++)
                    h.Clients.Add(new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
                    {
                        RemoteAddress = "127.0.0.1", RemotePort = h.Factory.BoundPort, SuccessEvent = "connected", FailureEvent = "failed",
                    }));
            })
            .On("accepted", c =>
            {
                c.Heap.Accepted.Add(c.Arg<FileDescriptor>(0));
                Finish(c);
            })
            .On("connected", c =>
            {
                c.Heap.Connected++;
                c.Arg<FileDescriptor>(0).Dispose();
                Finish(c);
            })
            .On("failed", c => RecordError(c)));
        guard.Run(kernel);
        Assert.That(heap.Failures, Is.Empty);
        Assert.That(heap.Connected, Is.EqualTo(clients));
        Assert.That(heap.Accepted, Has.Count.EqualTo(clients));
        Assert.That(heap.Accepted.Select(f => f.Fd).Distinct().Count(), Is.EqualTo(clients));
        foreach (var fd in heap.Accepted) fd.Dispose();

        static void Finish(EventContext<Heap> c)
        {
            var h = c.Heap;
            if (h.Connected < clients || h.Accepted.Count < clients) return;
            h.Factory!.Dispose();
            foreach (var w in h.Clients) w.Dispose();
            c.Kernel.Post("guard", "done");
        }
    }

    [Test]
    public void AClientReportsThePeerItReachedEvenForTheWildcardAddress()
    {
        // 127.0.0.1 is reported from the connect target; 0.0.0.0 reaches loopback and is asked of the socket.
        var heap = GuardedSession.Run(new Heap(), s => s
            .On("_start", c =>
            {
                var h = c.Heap;
                h.Factory = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
                {
                    BindAddress = "127.0.0.1", SuccessEvent = "accepted", FailureEvent = "failed",
                });
                h.Port = h.Factory.BoundPort;
                foreach (var address in new[] { "127.0.0.1", "0.0.0.0" })
                    h.Clients.Add(new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
                    {
                        RemoteAddress = address, RemotePort = h.Port, SuccessEvent = "connected", FailureEvent = "failed",
                    }));
            })
            .On("accepted", c => c.Heap.Accepted.Add(c.Arg<FileDescriptor>(0)))
            .On("connected", c =>
            {
                var h = c.Heap;
                c.Arg<FileDescriptor>(0).Dispose();
                h.Log.Add($"{c.Arg<IPAddress>(1)} {c.Arg<int>(2)} {h.Clients.FindIndex(w => w.Id == c.Arg<int>(3))}");
                if (h.Log.Count < 2) return;
                foreach (var w in h.Clients) w.Dispose();
                foreach (var fd in h.Accepted) fd.Dispose();
                Done(c);
            })
            .On("failed", RecordErrorThenDone));
        Assert.That(heap.Failures, Is.Empty);
        Assert.That(heap.Log, Is.EquivalentTo(new[] { $"127.0.0.1 {heap.Port} 0", $"127.0.0.1 {heap.Port} 1" }));
    }

    [Test]
    public void PauseAndResumeAccept()
    {
        System.Net.Sockets.Socket? client = null;
        var heap = GuardedSession.Run(new Heap(), s => s
            .On("_start", c =>
            {
                var h = c.Heap;
                h.Factory = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
                {
                    BindAddress = "127.0.0.1", SuccessEvent = "accepted", FailureEvent = "failed",
                });
                h.Factory.PauseAccept();
                Assert.That(h.Factory.IsAcceptPaused, Is.True);
                // A blocking loopback connect completes in the backlog without an accept.
                client = new System.Net.Sockets.Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                client.Connect(IPAddress.Loopback, h.Factory.BoundPort);
                c.Kernel.Yield("tick");
            })
            .On("tick", c =>
            {
                Assert.That(c.Heap.Accepted, Is.Empty, "paused: the connection waits in the backlog");
                if (++c.Heap.Ticks < 5) c.Kernel.Yield("tick");
                else c.Heap.Factory!.ResumeAccept();
            })
            .On("accepted", c =>
            {
                c.Heap.Accepted.Add(c.Arg<FileDescriptor>(0));
                Done(c);
            })
            .On("failed", c => RecordError(c)));
        client?.Dispose();
        Assert.That(heap.Ticks, Is.EqualTo(5));
        Assert.That(heap.Accepted, Has.Count.EqualTo(1));
        heap.Accepted[0].Dispose();
    }

    /// <summary>
    /// Out of descriptors, a pending connection stays pending and the listener stays readable.
    /// Five timeslices with the limit lowered: with AcceptErrorDelay the wheel reports EMFILE once
    /// and waits; with null (POE's behaviour) it retries and fails on every timeslice. Either way
    /// it accepts the connection once descriptors are available again. The limit is process-wide,
    /// so the scenario runs in a program of its own.
    /// </summary>
    [TestCase("socket-factory", true, 1, 1)]
    [TestCase("socket-factory-no-delay", false, 2, int.MaxValue)]
    public void AcceptOutOfDescriptorsBacksOffAndRecovers(string scenario, bool delayed, int minFailures, int maxFailures)
    {
        var run = AcceptExhaustion.Run(scenario);
        Assert.That(run.Errors, Is.Not.Empty);
        Assert.That(run.Errors.Distinct(), Is.EqualTo(new[] { ("accept", Errno.EMFILE) }));
        Assert.That(run.ErrorsWhileExhausted, Is.InRange(minFailures, maxFailures));
        Assert.That(run.BackingOffAfterError, Is.EqualTo(delayed));
        Assert.That(run.Accepted, Is.EqualTo(1), "the pending connection is accepted once descriptors are free");
    }

    [Test]
    public void AcceptErrorDelayMustBePositive()
    {
        Exception? thrown = null;
        GuardedSession.Run(new Heap(), s => s.On("_start", c =>
        {
            try
            {
                _ = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
                {
                    BindAddress = "127.0.0.1", SuccessEvent = "a", FailureEvent = "f", AcceptErrorDelay = TimeSpan.Zero,
                });
            }
            catch (ArgumentOutOfRangeException e)
            {
                thrown = e;
            }
            c.Kernel.Post("guard", "done");
        }));
        Assert.That(thrown?.Message, Does.Contain("AcceptErrorDelay must be positive"));
    }

    [Test]
    public void UnixSocketServerAndClientExchangeALine()
    {
        string path = Path.Combine(Path.GetTempPath(), $"poesharp-sf-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40] + ".sock");
        try
        {
            var heap = RunEcho(new SocketFactoryOptions
            {
                SocketDomain = AddressFamily.Unix, BindAddress = path, SuccessEvent = "accepted", FailureEvent = "failed",
            }, new SocketFactoryOptions
            {
                RemoteAddress = path, SuccessEvent = "connected", FailureEvent = "failed", // an absolute path implies Unix
            });
            Assert.That(heap.Failures, Is.Empty);
            Assert.That(heap.Log, Is.EqualTo(new[] { "accepted  0", "connected  0", "echo: ping" }));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Ipv6LoopbackServerAndClientExchangeALine()
    {
        using (var probe = PosixSocket.Socket(AddressFamily.InterNetworkV6) is { Ok: true } r ? r.Value : null)
        {
            if (probe is null || PosixSocket.Bind(probe, SocketEndPoint.Inet(IPAddress.IPv6Loopback, 0)).IsError)
                Assert.Ignore("IPv6 loopback is not available here");
        }
        var heap = RunEcho(new SocketFactoryOptions
        {
            BindAddress = "::1", SuccessEvent = "accepted", FailureEvent = "failed",
        }, null);
        Assert.That(heap.Failures, Is.Empty);
        Assert.That(heap.Log, Has.Count.EqualTo(3));
        Assert.That(heap.Log[0], Does.StartWith("accepted ::1 "));
        Assert.That(heap.Log[1], Is.EqualTo($"connected ::1 {heap.Port}"));
        Assert.That(heap.Log[2], Is.EqualTo("echo: ping"));
    }

    /// <summary>A server that echoes one line with a prefix and a client that sends "ping".</summary>
    private static Heap RunEcho(SocketFactoryOptions serverOptions, SocketFactoryOptions? clientOptions)
    {
        var heap = GuardedSession.Run(new Heap(), s => s
            .On("_start", c =>
            {
                var h = c.Heap;
                h.Factory = new SocketFactoryWheel(c.Kernel, serverOptions);
                h.Port = h.Factory.BoundPort;
                h.Clients.Add(new SocketFactoryWheel(c.Kernel, clientOptions ?? new SocketFactoryOptions
                {
                    RemoteAddress = "::1", RemotePort = h.Port, SuccessEvent = "connected", FailureEvent = "failed",
                }));
            })
            .On("accepted", c =>
            {
                c.Heap.Log.Add($"accepted {c[1]} {c.Arg<int>(2)}");
                c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions { Handle = c.Arg<FileDescriptor>(0), InputEvent = "server_got" });
                c.Heap.Factory!.Dispose();
            })
            .On("server_got", c => c.Heap.Wheel!.Put("echo: " + c.Arg<string>(0)))
            .On("connected", c =>
            {
                c.Heap.Log.Add($"connected {c[1]} {c.Arg<int>(2)}");
                c.Heap.Wheel2 = new ReadWriteWheel(c.Kernel, new ReadWriteOptions { Handle = c.Arg<FileDescriptor>(0), Filter = new LineFilter(), InputEvent = "client_got" });
                c.Heap.Wheel2.Put("ping");
                c.Heap.Clients[0].Dispose();
            })
            .On("client_got", c =>
            {
                c.Heap.Log.Add(c.Arg<string>(0));
                c.Heap.Wheel!.Dispose();
                c.Heap.Wheel2!.Dispose();
                c.Kernel.Post("guard", "done");
            })
            .On("failed", c =>
            {
                RecordError(c);
                c.Kernel.Stop();
            }));
        return heap;
    }
}
