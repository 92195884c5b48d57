using System.Net;
using System.Net.Sockets;
using System.Text;
using PoeSharp.Loop;
using PoeSharp.Testing;
using static PoeSharp.Components.Tests.LoopbackPeer;

namespace PoeSharp.Components.Tests;

/// <summary>
/// TcpServer on the fake kernel with real loopback sockets: the test marks descriptors ready,
/// so every step (accept, read, close) happens exactly when the test says.
/// </summary>
public sealed class TcpServerFakeKernelTests
{
    private sealed class ClientState
    {
        public int Lines;
    }

    private sealed class Log
    {
        public readonly List<string> Events = [];
    }

    private static TcpServer<ClientState> Start(FakeKernel fake, Log log, int concurrency = -1) =>
        new(fake.Kernel, new()
        {
            Address = "127.0.0.1",
            Concurrency = concurrency,
            ClientConnected = c => log.Events.Add($"connected {c.RemoteAddress}"),
            ClientInput = (c, line) =>
            {
                c.Heap.Lines++;
                log.Events.Add($"input {line} #{c.Heap.Lines}");
                c.Put($"echo {line}");
            },
            ClientDisconnected = c => log.Events.Add("disconnected"),
        });

    private static int ListenerFd(FakeKernel fake, TcpServer<ClientState> server) =>
        fake.Watches.Single(w => ReferenceEquals(w.Owner, server.Session) && w.Mode == IoMode.Read).Fd;

    private static int ClientFd(FakeKernel fake, TcpConnection<ClientState> client) =>
        fake.Watches.First(w => ReferenceEquals(w.Owner, client.Session) && w.Mode == IoMode.Read).Fd;

    [Test]
    public void ConnectInputAndDisconnectReachTheCallbacksInOrder()
    {
        using var fake = new FakeKernel();
        var log = new Log();
        var server = Start(fake, log);
        Assert.That(server.Port, Is.GreaterThan(0), "port 0 became a real port");
        Assert.That(server.IsListening, Is.True);

        using var peer = Connect(server.Port);
        Ready(fake, ListenerFd(fake, server));
        Assert.That(log.Events, Is.EqualTo(new[] { "connected 127.0.0.1" }));
        var client = server.Connections.Single();
        Assert.That(client.RemotePort, Is.EqualTo(((IPEndPoint)peer.LocalEndPoint!).Port));
        Assert.That(client.Session, Is.Not.SameAs(server.Session), "one session per client");

        peer.Send("one\ntwo\n"u8);
        Ready(fake, ClientFd(fake, client));
        Assert.That(ReceiveLine(peer), Is.EqualTo("echo one"));
        Assert.That(ReceiveLine(peer), Is.EqualTo("echo two"));
        Assert.That(client.Heap.Lines, Is.EqualTo(2), "the heap is per client and typed");

        int fd = ClientFd(fake, client);
        peer.Shutdown(SocketShutdown.Both);
        Ready(fake, fd);
        Assert.That(log.Events, Is.EqualTo(new[] { "connected 127.0.0.1", "input one #1", "input two #2", "disconnected" }));
        Assert.That(server.ConnectionCount, Is.EqualTo(0));
        Assert.That(client.IsConnected, Is.False);
        Assert.That(fake.Kernel.IdToSession(client.Session.Id), Is.Null, "the client's session ended with its connection");
        fake.ThrowIfHandlerFailed();
    }

    [Test]
    public void TheConcurrencyLimitPausesAcceptingAndOneDisconnectResumesIt()
    {
        using var fake = new FakeKernel();
        var log = new Log();
        var server = Start(fake, log, concurrency: 2);
        int listener = ListenerFd(fake, server);
        using var a = Connect(server.Port);
        using var b = Connect(server.Port);
        using var c = Connect(server.Port);

        Ready(fake, listener); // one readiness could accept all three; the limit stops it at two
        Assert.That(server.ConnectionCount, Is.EqualTo(2));
        Assert.That(server.IsAcceptPaused, Is.True);
        Assert.That(fake.Loop.IsPaused(listener, IoMode.Read), Is.True, "the listener is not watched at the limit");

        var first = server.Connections.First();
        int fd = ClientFd(fake, first);
        a.Shutdown(SocketShutdown.Both);
        b.Shutdown(SocketShutdown.Both);
        Ready(fake, fd);
        Assert.That(server.ConnectionCount, Is.EqualTo(1));
        Assert.That(server.IsAcceptPaused, Is.False);
        Assert.That(fake.Loop.IsPaused(listener, IoMode.Read), Is.False, "below the limit the listener is watched again");

        Ready(fake, listener);
        Assert.That(server.ConnectionCount, Is.EqualTo(2), "the third connection waited in the backlog and is accepted now");
        Assert.That(server.IsAcceptPaused, Is.True);
        Assert.That(log.Events.Count(e => e.StartsWith("connected", StringComparison.Ordinal)), Is.EqualTo(3));
        fake.ThrowIfHandlerFailed();
    }

    [Test]
    public void SetConcurrencyAtRunTimeResumesAPausedListener()
    {
        using var fake = new FakeKernel();
        var server = Start(fake, new Log(), concurrency: 1);
        using var a = Connect(server.Port);
        Ready(fake, ListenerFd(fake, server));
        Assert.That(server.IsAcceptPaused, Is.True);

        server.SetConcurrency(TcpServerOptions<ClientState>.Unlimited);
        Assert.That(server.IsAcceptPaused, Is.False);
        Assert.That(server.Concurrency, Is.EqualTo(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => server.SetConcurrency(0));
    }

    [Test]
    public void ShuttingTheServerDownWithItsClientsClosesEverySocketAndEndsEverySession()
    {
        using var fake = new FakeKernel();
        var log = new Log();
        string? stopped = null;
        var server = new TcpServer<ClientState>(fake.Kernel, new()
        {
            Address = "127.0.0.1",
            ClientDisconnected = _ => log.Events.Add("disconnected"),
            Stopped = s => stopped = $"stopped with {s.ConnectionCount} clients",
        });
        using var a = Connect(server.Port);
        using var b = Connect(server.Port);
        Ready(fake, ListenerFd(fake, server));
        Assert.That(server.ConnectionCount, Is.EqualTo(2));

        server.Shutdown(disconnectClients: true);
        fake.Run(TimeSpan.FromSeconds(1)); // virtual time; throws, naming them, if any session stays alive
        Assert.That(log.Events, Is.EqualTo(new[] { "disconnected", "disconnected" }));
        Assert.That(a.Receive(new byte[1]), Is.EqualTo(0), "the peer reads end of file");
        Assert.That(b.Receive(new byte[1]), Is.EqualTo(0));
        Assert.That(server.IsListening, Is.False);
        Assert.That(stopped, Is.EqualTo("stopped with 0 clients"));
        Assert.That(fake.Kernel.SessionCount, Is.EqualTo(0));
        Assert.That(fake.FindLeaks(), Is.Empty);
    }

    [Test]
    public void ShuttingOneClientDownWritesItsPendingOutputFirst()
    {
        using var fake = new FakeKernel();
        var server = new TcpServer<ClientState>(fake.Kernel, new()
        {
            Address = "127.0.0.1",
            ClientInput = (c, line) =>
            {
                c.Put($"bye {line}");
                c.Shutdown();
            },
        });
        using var peer = Connect(server.Port);
        Ready(fake, ListenerFd(fake, server));
        var client = server.Connections.Single();
        peer.Send("ann\n"u8);
        Ready(fake, ClientFd(fake, client));
        fake.RunUntilIdle();
        Assert.That(ReceiveLine(peer), Is.EqualTo("bye ann"));
        Assert.That(peer.Receive(new byte[1]), Is.EqualTo(0), "then the server closed");
        Assert.That(server.ConnectionCount, Is.EqualTo(0));
        Assert.That(server.IsListening, Is.True, "one client's shutdown leaves the server listening");
    }

    [Test]
    public void StartedRunsOnceListeningAndABindErrorReachesError()
    {
        using var fake = new FakeKernel();
        int startedPort = -1;
        var first = new TcpServer<object>(fake.Kernel, new() { Address = "127.0.0.1", Started = s => startedPort = s.Port });
        Assert.That(startedPort, Is.EqualTo(first.Port));

        TcpError? error = null;
        bool started = false;
        var second = new TcpServer<object>(fake.Kernel, new()
        {
            Address = "127.0.0.1", Port = first.Port, Reuse = false,
            Started = _ => started = true,
            Error = (_, e) => error = e,
        });
        fake.RunUntilIdle();
        Assert.That(started, Is.False);
        Assert.That(error?.Operation, Is.EqualTo("bind"));
        Assert.That(error?.Errno, Is.EqualTo(98), "EADDRINUSE");
        Assert.That(second.IsListening, Is.False);
        Assert.That(fake.Kernel.IdToSession(second.Session.Id), Is.Null, "a server that cannot listen ends");
    }
}
