using PoeSharp.Examples;
using PoeSharp.Os;
using PoeSharp.Testing;

namespace PoeSharp.Examples.Tests;

/// <summary>The PreforkHttpd listener on the fake kernel: forks, exits, signals and churn in virtual time.</summary>
public sealed class ListenerSessionTests
{
    private const int Term = 15, Kill = 9;
    private FakeKernel _fake = null!;
    private StringWriter _log = null!;
    private readonly List<FakeListenSocket> _servers = [];
    private readonly List<FileDescriptor> _fds = [];
    private RecordingSignaller _signals = null!;
    private ScriptedRandom _random = null!;

    [SetUp]
    public void SetUp()
    {
        _fake = new FakeKernel();
        _log = new StringWriter();
        _signals = new RecordingSignaller();
        _random = new ScriptedRandom();
        _servers.Clear();
    }

    [TearDown]
    public void TearDown()
    {
        foreach (FileDescriptor fd in _fds) fd.Dispose();
        _fds.Clear();
        _fake.Dispose();
        _log.Dispose();
    }

    private (Session Session, ListenerHeap Heap) Start(ServerOptions? options = null)
    {
        var environment = new ServerEnvironment
        {
            Log = new DebugLog(_log, true),
            CreateServer = (kernel, _) =>
            {
                var s = new FakeListenSocket(kernel);
                _servers.Add(s);
                return s;
            },
            Random = _random,
            Signals = _signals,
        };
        Session session = ListenerSession.Create(_fake.Kernel, options ?? new ServerOptions { MaxProcesses = 3 }, environment)!;
        _fake.RunUntilIdle();
        return (session, (ListenerHeap)session.Heap!);
    }

    private string[] Log => _log.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

    private FileDescriptor Connection()
    {
        var pair = PosixSocket.SocketPair().Value;
        _fds.Add(pair.Second);
        return pair.First;
    }

    [Test]
    public void The_fork_loop_fills_the_pool_to_max_processes_and_watches_every_child()
    {
        (_, ListenerHeap heap) = Start(new ServerOptions { MaxProcesses = 3 });
        Assert.That(_fake.Processes.ForkCount, Is.EqualTo(3));
        Assert.That(heap.Children.Keys, Is.EquivalentTo(new[] { 5001, 5002, 5003 }));
        Assert.That(_fake.Processes.WatchedChildren, Is.EquivalentTo(new[] { 5001, 5002, 5003 }));
        Assert.That(heap.IsAChild, Is.False);
        Assert.That(Log, Does.Contain("Server 4242 forked child 5003"));
        Assert.That(_fake.Processes.WatchedSignals, Is.SupersetOf(new[] { "INT", "TERM", "HUP" }));
    }

    [Test]
    public void With_max_processes_0_the_parent_forks_nothing_and_serves_alone()
    {
        (_, ListenerHeap heap) = Start(new ServerOptions { MaxProcesses = 0 });
        Assert.That(_fake.Processes.ForkCount, Is.Zero);
        Assert.That(heap.Children, Is.Empty);
        Assert.That(_servers, Has.Count.EqualTo(1));
        Assert.That(_servers[0].IsListening, Is.True);
        Assert.That(heap.IsAChild, Is.False);
    }

    [Test]
    public void A_failed_fork_is_retried_after_one_second_of_fake_time()
    {
        _fake.Processes.FailNextFork();
        (_, ListenerHeap heap) = Start();
        Assert.That(_fake.Processes.ForkCount, Is.EqualTo(1));
        Assert.That(heap.Children, Is.Empty);
        Assert.That(Log, Does.Contain("Server 4242 will retry fork shortly."));

        _fake.Advance(TimeSpan.FromMilliseconds(999));
        Assert.That(_fake.Processes.ForkCount, Is.EqualTo(1));
        _fake.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(_fake.Processes.ForkCount, Is.EqualTo(4));
        Assert.That(heap.Children, Has.Count.EqualTo(3));
    }

    [Test]
    public void Repeated_fork_failures_back_off_and_success_resets_the_delay()
    {
        _fake.Processes.FailNextFork();
        _fake.Processes.FailNextFork();
        (_, ListenerHeap heap) = Start();
        _fake.Advance(TimeSpan.FromSeconds(1));
        Assert.That(_fake.Processes.ForkCount, Is.EqualTo(2), "second attempt after 1 s");
        _fake.Advance(TimeSpan.FromSeconds(1.999));
        Assert.That(_fake.Processes.ForkCount, Is.EqualTo(2), "the next waits 2 s");
        _fake.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(heap.Children, Has.Count.EqualTo(3));
        Assert.That(heap.ForkFailures, Is.Zero);
        Assert.That(ListenerSession.ForkRetryDelay(10), Is.EqualTo(ListenerSession.MaxForkRetryDelay));
    }

    [Test]
    public void A_child_exit_respawns_only_while_the_server_listens()
    {
        (_, ListenerHeap heap) = Start();
        Assert.That(_fake.Processes.ExitChild(5001, FakeProcessHost.SignalStatus(9)), Is.True);
        _fake.RunUntilIdle();
        Assert.That(Log, Does.Contain("Server 4242 reaped child 5001. (wait status 9)"));
        Assert.That(heap.Children.Keys, Is.EquivalentTo(new[] { 5002, 5003, 5004 }));

        _fake.Processes.RaiseSignal("INT");
        _fake.RunUntilIdle();
        _fake.Processes.ExitChild(5002);
        _fake.RunUntilIdle();
        Assert.That(_fake.Processes.ForkCount, Is.EqualTo(4), "no respawn once the server is deleted");
        Assert.That(heap.Children.Keys, Is.EquivalentTo(new[] { 5003, 5004 }));
    }

    [Test]
    public void Running_out_of_descriptors_keeps_the_server_but_other_errors_shut_it_down()
    {
        (Session session, ListenerHeap heap) = Start();
        _fake.Kernel.Post(session, "got_error", "accept", 24, "Too many open files", 1);
        _fake.RunUntilIdle();
        Assert.That(heap.Server, Is.SameAs(_servers[0]));
        Assert.That(_servers[0].IsDisposed, Is.False);
        Assert.That(_signals.Sent, Is.Empty, "the children keep serving");
        Assert.That(Log, Does.Contain("Server 4242 got accept error 24: Too many open files; accepting again shortly."));

        _fake.Kernel.Post(session, "got_error", "accept", 22, "Invalid argument", 1);
        _fake.RunUntilIdle();
        Assert.That(heap.Server, Is.Null);
        Assert.That(_servers[0].IsDisposed, Is.True);
        Assert.That(Log, Does.Contain("Server 4242 is shutting down."));
        _fake.ThrowIfHandlerFailed();
    }

    [Test]
    public void Sigint_removes_the_server_is_handled_and_the_parent_ends_when_its_children_are_reaped()
    {
        (Session session, ListenerHeap heap) = Start();
        _fake.Processes.RaiseSignal("INT");
        _fake.RunUntilIdle();
        Assert.That(_servers[0].IsDisposed, Is.True);
        Assert.That(heap.Server, Is.Null);
        Assert.That(session.State, Is.EqualTo(SessionState.Alive), "sig_handled kept the listener alive");
        Assert.That(Log, Does.Contain("Server 4242 received SIGINT."));
        Assert.That(_signals.Sent, Is.EquivalentTo(new[] { (5001, Term), (5002, Term), (5003, Term) }));

        foreach (int pid in new[] { 5001, 5002, 5003 }) _fake.Processes.ExitChild(pid);
        _fake.RunUntilIdle();
        Assert.That(session.State, Is.EqualTo(SessionState.Stopped), _fake.Kernel.Explain(session));
        Assert.That(Log, Does.Contain("Server 4242 stopped."));
        _fake.ThrowIfHandlerFailed();
    }

    [Test]
    public void A_second_signal_or_the_shutdown_timeout_kills_the_children()
    {
        Start(new ServerOptions { MaxProcesses = 2, ShutdownTimeout = TimeSpan.FromSeconds(5) });
        _fake.Processes.RaiseSignal("TERM");
        _fake.RunUntilIdle();
        _fake.Advance(TimeSpan.FromSeconds(4.9));
        Assert.That(_signals.Sent.Where(s => s.Signal == Kill), Is.Empty);
        _fake.Advance(TimeSpan.FromSeconds(0.1));
        Assert.That(_signals.Sent.Where(s => s.Signal == Kill).Select(s => s.Pid), Is.EquivalentTo(new[] { 5001, 5002 }));

        _signals.Sent.Clear();
        _fake.Processes.RaiseSignal("INT");
        _fake.RunUntilIdle();
        Assert.That(_signals.Sent.Where(s => s.Signal == Kill).Select(s => s.Pid), Is.EquivalentTo(new[] { 5001, 5002 }));
    }

    [Test]
    public void Sighup_replaces_the_children_one_at_a_time()
    {
        (_, ListenerHeap heap) = Start(new ServerOptions { MaxProcesses = 2 });
        _fake.Processes.RaiseSignal("HUP");
        _fake.RunUntilIdle();
        Assert.That(_signals.Sent, Is.EqualTo(new[] { (5001, Term) }));
        _fake.Processes.ExitChild(5001);
        _fake.RunUntilIdle();
        Assert.That(heap.Children.Keys, Is.EquivalentTo(new[] { 5002, 5003 }));
        Assert.That(_signals.Sent, Is.EqualTo(new[] { (5001, Term), (5002, Term) }));
        _fake.Processes.ExitChild(5002);
        _fake.RunUntilIdle();
        Assert.That(heap.Children.Keys, Is.EquivalentTo(new[] { 5003, 5004 }));
        Assert.That(_signals.Sent, Has.Count.EqualTo(2));
        Assert.That(heap.Server, Is.Not.Null);
    }

    [Test]
    public void The_child_branch_does_not_fork_and_forgets_the_parents_children()
    {
        _fake.Processes.NextForkIsChild(7001);
        (Session session, ListenerHeap heap) = Start();
        Assert.That(heap.IsAChild, Is.True);
        Assert.That(heap.Children, Is.Empty);
        Assert.That(_fake.Processes.ForkCount, Is.EqualTo(1));
        Assert.That(_random.Reseeds, Is.EqualTo(1));

        _fake.Deliver(session, "do_fork");
        Assert.That(_fake.Processes.ForkCount, Is.EqualTo(1));
        Assert.That(heap.Server, Is.Not.Null, "the child keeps listening");
    }

    [TestCase(0.24, true)]
    [TestCase(0.25, false)]
    public void With_churn_a_child_stops_listening_after_a_connection_with_probability_one_quarter(double roll, bool stops)
    {
        _fake.Processes.NextForkIsChild(7001);
        _random.Enqueue(roll);
        (Session session, ListenerHeap heap) = Start();
        _fake.Deliver(session, "got_connection", Connection(), null, 0, 1);
        Assert.That(heap.Server is null, Is.EqualTo(stops));
        Assert.That(_servers[0].IsDisposed, Is.EqualTo(stops));
        Assert.That(heap.Interactors, Has.Count.EqualTo(1));
        _fake.ThrowIfHandlerFailed();
    }

    [Test]
    public void Churn_never_stops_the_parent_nor_a_child_with_no_churn()
    {
        _random.Enqueue(0.0);
        (Session parent, ListenerHeap parentHeap) = Start();
        _fake.Deliver(parent, "got_connection", Connection(), null, 0, 1);
        Assert.That(parentHeap.Server, Is.Not.Null);

        using var other = new FakeKernel();
        other.Processes.NextForkIsChild(7001);
        var environment = new ServerEnvironment
        {
            Log = new DebugLog(TextWriter.Null, false), CreateServer = (kernel, _) => new FakeListenSocket(kernel),
            Random = new ScriptedRandom(0.0), Signals = _signals,
        };
        Session child = ListenerSession.Create(other.Kernel, new ServerOptions { Churn = false }, environment)!;
        other.RunUntilIdle();
        other.Deliver(child, "got_connection", Connection(), null, 0, 1);
        Assert.That(((ListenerHeap)child.Heap!).Server, Is.Not.Null);
    }

    [Test]
    public void A_new_child_drops_the_connections_it_inherited_and_the_parent_keeps_them()
    {
        (Session session, ListenerHeap heap) = Start(new ServerOptions { MaxProcesses = 1 });
        FileDescriptor inherited = Connection();
        _fake.Deliver(session, "got_connection", inherited, null, 0, 1);
        Session interactor = heap.Interactors.Single();

        // A child exits; the respawn is, this time, the child's side of the fork.
        _fake.Processes.NextForkIsChild(7002);
        _fake.Processes.ExitChild(5001);
        _fake.RunUntilIdle();

        Assert.That(heap.IsAChild, Is.True);
        Assert.That(interactor.State, Is.EqualTo(SessionState.Stopped));
        Assert.That(inherited.IsClosed, Is.True, "the inherited socket is closed in the child");
        Assert.That(heap.Interactors, Is.Empty);
        Assert.That(Log.Any(l => l.Contains("dropped a connection inherited from its parent")), Is.True);
        _fake.ThrowIfHandlerFailed();
    }
}
