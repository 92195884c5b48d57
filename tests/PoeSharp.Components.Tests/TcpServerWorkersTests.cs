using System.Net;
using System.Net.Sockets;
using System.Text;
using PoeSharp.Components.Tests.Workers;
using PoeSharp.Components.Workers;
using PoeSharp.Loop;
using PoeSharp.Os;
using PoeSharp.Testing;

namespace PoeSharp.Components.Tests;

/// <summary>
/// TcpServer with <see cref="TcpServerOptions{THeap}.Workers"/> on the fake kernel: fake forks,
/// fake child exits and recorded signals, with a real loopback listening socket.
/// </summary>
public sealed class TcpServerWorkersTests
{
    private static TcpServer<object> Start(FakeKernel fake, int workers, RecordingSignaller signals,
                                           TimeSpan? drainGrace = null, Action<TcpConnection<object>>? disconnected = null) =>
        new(fake.Kernel, new TcpServerOptions<object>
        {
            Address = "127.0.0.1",
            Workers = workers,
            DrainGrace = drainGrace ?? TcpServerOptions<object>.DefaultDrainGrace,
            ClientInput = (client, line) => client.Put($"echo {line}"),
            ClientDisconnected = disconnected,
        }, (kernel, options, createServer) =>
            PreforkPool.StartCore(new PreforkPool(kernel, options, createServer, null, signals, new Random(1))));

    private static WatchInfo[] ListenerReadWatches(FakeKernel fake, TcpServer<object> server) =>
        fake.Watches.Where(w => ReferenceEquals(w.Owner, server.Session) && w.Mode == IoMode.Read).ToArray();

    [Test]
    public void Workers_2_forks_two_workers_and_the_parent_holds_the_socket_without_accepting()
    {
        using var fake = new FakeKernel();
        var signals = new RecordingSignaller();
        var server = Start(fake, 2, signals);
        fake.RunUntilIdle();

        Assert.That(fake.Processes.ForkCount, Is.EqualTo(2));
        Assert.That(server.Pool, Is.Not.Null);
        Assert.That(server.Pool!.Role, Is.EqualTo(PoolRole.Parent));
        Assert.That(server.Pool.WorkerPids, Is.EquivalentTo(new[] { 5001, 5002 }));
        Assert.That(fake.Processes.WatchedChildren, Is.EquivalentTo(new[] { 5001, 5002 }));
        Assert.That(server.IsListening, Is.True, "the parent keeps the socket for its workers");
        Assert.That(server.Port, Is.GreaterThan(0), "port 0 became a real port before any fork");
        Assert.That(ListenerReadWatches(fake, server).Single().Paused, Is.True, "the parent never accepts");
        Assert.That(server.Session.Parent, Is.SameAs(server.Pool.Session), "the server's session is the pool's child");
    }

    [Test]
    public void Workers_0_forks_none_makes_no_pool_and_accepts_in_this_process()
    {
        using var fake = new FakeKernel();
        var server = Start(fake, 0, new RecordingSignaller());
        fake.RunUntilIdle();

        Assert.That(fake.Processes.ForkCount, Is.Zero);
        Assert.That(server.Pool, Is.Null);
        Assert.That(fake.Processes.WatchedSignals, Is.Empty, "no pool: TERM and INT keep their default meaning");
        Assert.That(ListenerReadWatches(fake, server).Single().Paused, Is.False);
    }

    [Test]
    public void A_worker_that_exits_is_replaced_and_TERM_stops_the_tree()
    {
        using var fake = new FakeKernel();
        var signals = new RecordingSignaller();
        var server = Start(fake, 2, signals);
        fake.RunUntilIdle();

        Assert.That(fake.Processes.ExitChild(5001, FakeProcessHost.SignalStatus(Signals.KILL)), Is.True);
        fake.RunUntilIdle();
        Assert.That(server.Pool!.WorkerPids, Is.EquivalentTo(new[] { 5002, 5003 }));

        Assert.That(fake.Processes.RaiseSignal("TERM"), Is.True);
        fake.RunUntilIdle();
        Assert.That(signals.To(Signals.TERM), Is.EquivalentTo(new[] { 5002, 5003 }));
        Assert.That(server.IsListening, Is.False, "the parent closed its copy of the socket");
        fake.Processes.ExitChild(5002);
        fake.Processes.ExitChild(5003);
        fake.RunUntilIdle();
        Assert.That(fake.Kernel.SessionCount, Is.Zero, "every worker reaped: the parent's Run returns");
    }

    [Test]
    public void A_forked_worker_accepts_on_the_shared_socket_and_echoes()
    {
        using var fake = new FakeKernel();
        fake.Processes.NextForkIsChild(6001);
        var server = Start(fake, 1, new RecordingSignaller());
        fake.RunUntilIdle();

        Assert.That(server.Pool!.Role, Is.EqualTo(PoolRole.Worker));
        WatchInfo listener = ListenerReadWatches(fake, server).Single();
        Assert.That(listener.Paused, Is.False, "the worker resumed accepting after the fork");
        using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
        peer.Connect(IPAddress.Loopback, server.Port);
        fake.Loop.FireOnce(listener.Fd, IoMode.Read);
        fake.RunUntilIdle();
        var client = server.Connections.Single();

        peer.Send("hello\n"u8);
        int clientFd = fake.Watches.First(w => ReferenceEquals(w.Owner, client.Session) && w.Mode == IoMode.Read).Fd;
        fake.Loop.FireOnce(clientFd, IoMode.Read);
        fake.RunUntilIdle();

        var answer = new byte[64];
        int n = peer.Receive(answer);
        Assert.That(Encoding.ASCII.GetString(answer, 0, n), Is.EqualTo("echo hello\r\n"));
    }

    // A worker with one accepted client whose first line is in the socket, unread, when TERM comes.
    private static (TcpServer<object> Server, TcpConnection<object> Client, int ClientFd) WorkerWithUnreadLine(
        FakeKernel fake, Socket peer, TimeSpan drainGrace, List<string> log)
    {
        fake.Processes.NextForkIsChild(6001);
        var server = Start(fake, 1, new RecordingSignaller(), drainGrace, _ => log.Add("disconnected"));
        fake.RunUntilIdle();
        peer.Connect(IPAddress.Loopback, server.Port);
        LoopbackPeer.Ready(fake, ListenerReadWatches(fake, server).Single().Fd);
        var client = server.Connections.Single();
        int clientFd = fake.Watches.First(w => ReferenceEquals(w.Owner, client.Session) && w.Mode == IoMode.Read).Fd;
        peer.Send("sent before the stop\n"u8);
        Assert.That(fake.Processes.RaiseSignal("TERM"), Is.True);
        fake.RunUntilIdle();
        return (server, client, clientFd);
    }

    [Test]
    public void A_draining_worker_answers_the_input_already_sent_and_what_comes_within_the_grace_then_closes()
    {
        using var fake = new FakeKernel();
        using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
        var log = new List<string>();
        var (server, client, clientFd) = WorkerWithUnreadLine(fake, peer, TimeSpan.FromSeconds(1), log);

        Assert.That(server.IsListening, Is.False, "the worker stopped accepting");
        Assert.That(client.IsConnected && client.IsDraining, Is.True, "the client is still read");
        LoopbackPeer.Ready(fake, clientFd);
        Assert.That(LoopbackPeer.ReceiveLine(peer), Is.EqualTo("echo sent before the stop"));

        fake.Advance(TimeSpan.FromMilliseconds(900));
        peer.Send("sent within the grace\n"u8);
        LoopbackPeer.Ready(fake, clientFd);
        Assert.That(LoopbackPeer.ReceiveLine(peer), Is.EqualTo("echo sent within the grace"));
        Assert.That(log, Is.Empty, "open until the grace is over");

        fake.Advance(TimeSpan.FromMilliseconds(100));
        Assert.That(log, Is.EqualTo(new[] { "disconnected" }));
        Assert.That(peer.Receive(new byte[1]), Is.Zero, "then the peer reads end of file");
        Assert.That(fake.Kernel.SessionCount, Is.Zero, "the worker's sessions end: no timer is left behind");
    }

    [Test]
    public void A_draining_client_that_closes_its_side_is_answered_and_closed_before_the_grace_is_over()
    {
        using var fake = new FakeKernel();
        using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
        var log = new List<string>();
        var (_, _, clientFd) = WorkerWithUnreadLine(fake, peer, TimeSpan.FromSeconds(30), log);

        peer.Shutdown(SocketShutdown.Send);
        LoopbackPeer.Ready(fake, clientFd);
        if (log.Count == 0) LoopbackPeer.Ready(fake, clientFd); // the line and the end of file may take two reads
        Assert.That(LoopbackPeer.ReceiveLine(peer), Is.EqualTo("echo sent before the stop"));
        Assert.That(log, Is.EqualTo(new[] { "disconnected" }), "closed at the peer's end of file, not at the grace's end");
        Assert.That(peer.Receive(new byte[1]), Is.Zero);
        Assert.That(fake.Kernel.SessionCount, Is.Zero);
    }

    [Test]
    public void A_zero_drain_grace_closes_each_client_once_its_output_is_flushed_without_reading()
    {
        using var fake = new FakeKernel();
        using var peer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
        var log = new List<string>();
        WorkerWithUnreadLine(fake, peer, TimeSpan.Zero, log);

        Assert.That(log, Is.EqualTo(new[] { "disconnected" }), "the graceful stop as it was: nothing more is read");
        Assert.That(fake.Kernel.SessionCount, Is.Zero);
    }
}
