using System.Net;
using System.Net.Sockets;
using System.Text;
using PoeSharp.Loop;
using PoeSharp.Testing;
using static PoeSharp.Components.Tests.LoopbackPeer;
using PoeSharp.Wheels;

namespace PoeSharp.Components.Tests;

/// <summary>
/// POE::Component::Server::TCP's ClientPreConnect, Acceptor, Args and ClientArgs on TcpServer,
/// on the fake kernel with real loopback sockets.
/// </summary>
public sealed class TcpServerHooksTests
{
    private static int ListenerFd<T>(FakeKernel fake, TcpServer<T> server) =>
        fake.Watches.Single(w => ReferenceEquals(w.Owner, server.Session) && w.Mode == IoMode.Read).Fd;

    [Test]
    public void ClientPreConnectSeesThePeerBeforeTheSessionAndCanRefuseIt()
    {
        using var fake = new FakeKernel();
        var seen = new List<string>();
        int connected = 0;
        int refusePort = 0;
        var server = new TcpServer<object>(fake.Kernel, new()
        {
            Address = "127.0.0.1",
            ClientPreConnect = a =>
            {
                seen.Add($"{a.RemoteAddress}:{a.RemotePort} fd>2:{a.Descriptor > 2} sessions:{fake.Kernel.SessionCount}");
                return a.RemotePort != refusePort;
            },
            ClientConnected = _ => connected++,
        });
        using var refused = Connect(server.Port);
        refusePort = ((IPEndPoint)refused.LocalEndPoint!).Port;
        using var admitted = Connect(server.Port);
        int admittedPort = ((IPEndPoint)admitted.LocalEndPoint!).Port;
        Ready(fake, ListenerFd(fake, server));

        Assert.That(seen, Is.EqualTo(new[]
        {
            $"127.0.0.1:{refusePort} fd>2:True sessions:1",   // only the server's session exists
            $"127.0.0.1:{admittedPort} fd>2:True sessions:1",
        }));
        Assert.That(refused.Receive(new byte[1]), Is.EqualTo(0), "the refused connection is closed at once");
        Assert.That(connected, Is.EqualTo(1));
        Assert.That(server.Connections.Single().RemotePort, Is.EqualTo(admittedPort));
        fake.ThrowIfHandlerFailed();
    }

    [Test]
    public void AnAcceptorTakesTheSocketAndStartsItsOwnSession()
    {
        using var fake = new FakeKernel();
        var sessions = new List<Session>();
        var server = new TcpServer<object>(fake.Kernel, new()
        {
            Address = "127.0.0.1",
            Acceptor = (srv, accepted) =>
            {
                // The program's own session: greets with the peer's port, echoes in upper case.
                var session = srv.Kernel.Create(new OwnClient(accepted), s => s
                    .On("_start", c =>
                    {
                        c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions { Handle = c.Heap.Accepted.Socket, InputEvent = "got", ErrorEvent = "gone", AutoFlush = true });
                        c.Heap.Wheel.Put($"hello {c.Heap.Accepted.RemotePort}");
                    })
                    .On("got", c => c.Heap.Wheel!.Put(c.Arg<string>(0).ToUpperInvariant()))
                    .On("gone", c => c.Heap.Wheel!.Dispose()));
                sessions.Add(session!);
            },
        });
        using var peer = Connect(server.Port);
        int port = ((IPEndPoint)peer.LocalEndPoint!).Port;
        Ready(fake, ListenerFd(fake, server));

        Assert.That(sessions, Has.Count.EqualTo(1));
        Assert.That(server.ConnectionCount, Is.Zero, "no client session of the server's own");
        Assert.That(sessions[0].Parent, Is.SameAs(server.Session), "the program's session is the server's child");
        Assert.That(ReceiveLine(peer), Is.EqualTo($"hello {port}"));
        peer.Send("abc\n"u8);
        Ready(fake, fake.Watches.Single(w => ReferenceEquals(w.Owner, sessions[0]) && w.Mode == IoMode.Read).Fd);
        Assert.That(ReceiveLine(peer), Is.EqualTo("ABC"));
        fake.ThrowIfHandlerFailed();
    }

    private sealed class OwnClient(TcpAcceptedSocket accepted)
    {
        public TcpAcceptedSocket Accepted { get; } = accepted;

        public ReadWriteWheel? Wheel { get; set; }
    }

    [Test]
    public void ArgsReachStartedAndClientArgsReachEveryClientTyped()
    {
        using var fake = new FakeKernel();
        string? started = null;
        var greetings = new List<string>();
        var server = new TcpServer<object>(fake.Kernel, new()
        {
            Address = "127.0.0.1",
            Args = ["motd", 3],
            ClientArgs = [TimeSpan.FromSeconds(5)],
            Started = s => started = $"{s.Arg<string>(0)} x{s.Arg<int>(1)}",
            ClientConnected = c => greetings.Add($"timeout {c.Arg<TimeSpan>(0).TotalSeconds} of {c.Args.Count}"),
        });
        Assert.That(started, Is.EqualTo("motd x3"));
        Assert.That(fake.Dispatched.First(e => e.Event == "_start" && ReferenceEquals(e.Destination, server.Session)).Args,
                    Is.EqualTo(new object?[] { "motd", 3 }), "POE's Args are the server session's _start arguments");
        Assert.Throws<InvalidCastException>(() => server.Arg<int>(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => server.Arg<int>(2));

        using var a = Connect(server.Port);
        using var b = Connect(server.Port);
        Ready(fake, ListenerFd(fake, server));
        Assert.That(greetings, Is.EqualTo(new[] { "timeout 5 of 1", "timeout 5 of 1" }));
        fake.ThrowIfHandlerFailed();
    }

    [Test]
    public void AnAcceptorCannotBeCombinedWithTheClientCallbacks()
    {
        using var fake = new FakeKernel();
        var e = Assert.Throws<ArgumentException>(() => _ = new TcpServer<object>(fake.Kernel, new()
        {
            Acceptor = (_, a) => a.Socket.Dispose(),
            ClientInput = (_, _) => { },
        }));
        Assert.That(e!.Message, Does.Contain("TcpServerOptions.Acceptor").And.Contain("ClientInput"));
        e = Assert.Throws<ArgumentException>(() => _ = new TcpServer<object>(fake.Kernel, new()
        {
            Acceptor = (_, a) => a.Socket.Dispose(),
            Concurrency = 4,
        }));
        Assert.That(e!.Message, Does.Contain("Concurrency"));
    }
}
