using PoeSharp.Components.Workers;
using PoeSharp.Os;
using PoeSharp.Testing;

namespace PoeSharp.Components.Tests.Workers;

/// <summary>The pool's operator signals (TTIN, TTOU, WINCH, QUIT) and its status file, on the fake kernel.</summary>
public sealed class PreforkPoolOperatorTests
{
    private string _dir = null!;

    [SetUp]
    public void MakeDirectory() => _dir = Directory.CreateTempSubdirectory("poolstatus").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void The_parent_watches_the_operator_signals_and_a_worker_does_not()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 2 });
        Assert.That(rig.Processes.WatchedSignals, Is.SupersetOf(new[] { "QUIT", "TTIN", "TTOU", "WINCH" }));

        using var worker = new PoolRig(new PreforkPoolOptions { Workers = 2 }, beforeStart: p => p.NextForkIsChild(7001));
        Assert.That(worker.Processes.WatchedSignals, Does.Not.Contain("TTIN").And.Not.Contain("TTOU").And.Not.Contain("WINCH"));
        Assert.That(worker.Processes.WatchedSignals, Does.Contain("QUIT"), "Ctrl-\\ reaches the whole group");
    }

    [Test]
    public void TTIN_adds_a_worker_in_a_new_slot()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 2 });
        rig.Raise("TTIN");
        Assert.That(rig.Pool.WorkerPids, Is.EquivalentTo(new[] { 5001, 5002, 5003 }));
        Assert.That(rig.Pool.TargetWorkers, Is.EqualTo(3));

        rig.Exit(5003);
        Assert.That(rig.Pool.WorkerPids, Is.EquivalentTo(new[] { 5001, 5002, 5004 }), "the added worker is replaced like the others");
    }

    [Test]
    public void TTOU_stops_the_highest_slot_gracefully_and_does_not_replace_it()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 3 });
        rig.Raise("TTOU");
        Assert.That(rig.Signals.Sent, Is.EqualTo(new[] { (5003, Signals.TERM) }), "TERM: the worker finishes what it has");
        Assert.That(rig.Pool.TargetWorkers, Is.EqualTo(2));

        rig.Exit(5003);
        Assert.That(rig.Pool.WorkerPids, Is.EquivalentTo(new[] { 5001, 5002 }));
        Assert.That(rig.Processes.ForkCount, Is.EqualTo(3), "not replaced");
        Assert.That(rig.Pool.IsStopping, Is.False);
    }

    [Test]
    public void TTOU_never_goes_below_one_worker()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 2 });
        rig.Raise("TTOU");
        rig.Raise("TTOU");
        rig.Raise("TTOU");
        Assert.That(rig.Signals.To(Signals.TERM), Is.EqualTo(new[] { 5002 }));
        Assert.That(rig.Pool.TargetWorkers, Is.EqualTo(1));
    }

    [Test]
    public void TTOU_during_a_HUP_takes_the_worker_being_replaced_without_a_second_TERM()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 2 });
        rig.Raise("HUP");
        Assert.That(rig.Signals.To(Signals.TERM), Is.EqualTo(new[] { 5001 }));
        rig.Raise("TTOU");
        Assert.That(rig.Signals.To(Signals.TERM), Is.EqualTo(new[] { 5001, 5002 }), "the highest slot leaves; the replaced one gets no second TERM");

        rig.Exit(5001);
        rig.Exit(5002);
        Assert.That(rig.Pool.WorkerPids, Is.EquivalentTo(new[] { 5003 }), "one worker, the replacement");
    }

    [Test]
    public void WINCH_stops_every_worker_keeps_the_parent_and_HUP_brings_them_back()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 2 });
        rig.Raise("WINCH");
        Assert.That(rig.Signals.To(Signals.TERM), Is.EquivalentTo(new[] { 5001, 5002 }));
        rig.Exit(5001);
        rig.Exit(5002);
        Assert.That(rig.Pool.WorkerPids, Is.Empty);
        Assert.That(rig.Processes.ForkCount, Is.EqualTo(2), "not replaced");
        Assert.That(rig.Ended, Is.False, "the parent stays, with its listening socket");
        Assert.That(rig.Server.Calls, Is.EqualTo(new[] { "pause" }));

        rig.Raise("HUP");
        Assert.That(rig.Pool.WorkerPids, Is.EquivalentTo(new[] { 5003, 5004 }));
        Assert.That(rig.Signals.To(Signals.TERM), Has.Length.EqualTo(2), "nothing to replace");
    }

    [Test]
    public void TTIN_after_WINCH_brings_back_one_worker()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 2 });
        rig.Raise("WINCH");
        rig.Raise("TTIN");
        Assert.That(rig.Pool.WorkerPids, Is.EquivalentTo(new[] { 5001, 5002, 5003 }), "the leaving ones still finish");
        rig.Exit(5001);
        rig.Exit(5002);
        Assert.That(rig.Pool.WorkerPids, Is.EquivalentTo(new[] { 5003 }));
        rig.Raise("TTOU");
        Assert.That(rig.Signals.To(Signals.TERM), Is.EquivalentTo(new[] { 5001, 5002 }), "not below one");
    }

    [Test]
    public void QUIT_stops_the_tree_gracefully_like_TERM()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 2, ShutdownTimeout = TimeSpan.FromSeconds(5) });
        rig.Raise("QUIT");
        Assert.That(rig.Pool.IsStopping, Is.True);
        Assert.That(rig.Signals.To(Signals.TERM), Is.EquivalentTo(new[] { 5001, 5002 }));
        Assert.That(rig.Server.Calls, Does.Contain("stop-accepting"));
        rig.Exit(5001);
        rig.Raise("TTIN");
        Assert.That(rig.Processes.ForkCount, Is.EqualTo(2), "a stopping pool does not grow");
        rig.Exit(5002);
        Assert.That(rig.Ended, Is.True);
        Assert.That(rig.Signals.To(Signals.KILL), Is.Empty);
    }

    [Test]
    public void A_worker_takes_QUIT_as_a_graceful_stop()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 1 }, beforeStart: p => p.NextForkIsChild(7001));
        rig.Server.Connections = 1;
        rig.Raise("QUIT");
        Assert.That(rig.Server.Calls, Is.EqualTo(new[] { "pause", "drop-inherited", "resume", "stop-accepting", "drain" }));
        Assert.That(rig.Ended, Is.False);
        rig.Server.CloseConnections();
        rig.Fake.RunUntilIdle();
        Assert.That(rig.Ended, Is.True);
    }

    [Test]
    public void The_status_file_is_written_at_start_on_every_change_and_every_interval()
    {
        string path = Path.Combine(_dir, "pool.status");
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 2, StatusFile = path, StatusInterval = TimeSpan.FromSeconds(10) });
        string[] lines = File.ReadAllLines(path);
        Assert.That(lines, Has.Length.EqualTo(4));
        Assert.That(lines[0], Is.EqualTo(PoolStatusFile.Header));
        Assert.That(lines[1], Does.StartWith($"master pid={rig.Fake.Kernel.ProcessId} uptime=0.0 listen=- state=running target=2 started=2 timed_out=0"));
        Assert.That(lines[2], Is.EqualTo("worker pid=5001 slot=0 age=0.0 requests=0 heartbeat=0.0 state=serving accepted=0 method=- target=- for=-"));
        Assert.That(lines[3], Is.EqualTo("worker pid=5002 slot=1 age=0.0 requests=0 heartbeat=0.0 state=serving accepted=0 method=- target=- for=-"));
        Assert.That(File.Exists(path + ".tmp"), Is.False, "written by rename");

        rig.Fake.Advance(TimeSpan.FromSeconds(3));
        rig.Board.Beat(0, rig.Fake.Time.GetTimestamp(), request: true);
        rig.Board.Beat(0, rig.Fake.Time.GetTimestamp(), request: true);
        rig.Exit(5002);
        lines = File.ReadAllLines(path);
        Assert.That(lines[1], Does.Contain("uptime=3.0").And.Contain("started=3"));
        Assert.That(lines[2], Is.EqualTo("worker pid=5001 slot=0 age=3.0 requests=2 heartbeat=0.0 state=serving accepted=0 method=- target=- for=-"));
        Assert.That(lines[3], Is.EqualTo("worker pid=5003 slot=1 age=0.0 requests=0 heartbeat=0.0 state=serving accepted=0 method=- target=- for=-"));
        Assert.That(lines[4], Is.EqualTo("exit pid=5002 slot=1 reason=exit:0 ago=0.0"));
        Assert.That(lines[1], Does.EndWith("respawns=1 accepted=0"));

        rig.Fake.Advance(TimeSpan.FromSeconds(7) - TimeSpan.FromMilliseconds(1));
        Assert.That(File.ReadAllLines(path)[1], Does.Contain("uptime=3.0"), "not yet");
        rig.Fake.Advance(TimeSpan.FromMilliseconds(1));
        lines = File.ReadAllLines(path);
        Assert.That(lines[1], Does.Contain("uptime=10.0"));
        Assert.That(lines[2], Is.EqualTo("worker pid=5001 slot=0 age=10.0 requests=2 heartbeat=7.0 state=serving accepted=0 method=- target=- for=-"));
    }

    [Test]
    public void The_status_file_shows_leaving_workers_and_goes_when_the_parent_ends()
    {
        string path = Path.Combine(_dir, "pool.status");
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 2, StatusFile = path });
        rig.Raise("WINCH");
        string[] lines = File.ReadAllLines(path);
        Assert.That(lines[1], Does.Contain("state=no-workers target=0"));
        Assert.That(lines.Skip(2), Has.All.Contains(" state=leaving "));
        rig.Exit(5001);
        lines = File.ReadAllLines(path);
        Assert.That(lines.Count(l => l.StartsWith("worker ", StringComparison.Ordinal)), Is.EqualTo(1));
        Assert.That(lines.Last(), Is.EqualTo("exit pid=5001 slot=0 reason=removed ago=0.0"), "WINCH removed it");
        Assert.That(lines[1], Does.Contain(" respawns=0 "));

        rig.Raise("TERM");
        Assert.That(File.ReadAllLines(path)[1], Does.Contain("state=stopping:SIGTERM"));
        Assert.That(rig.Signals.To(Signals.TERM), Is.EquivalentTo(new[] { 5001, 5002 }), "no second TERM for the leaving worker");
        rig.Exit(5002);
        Assert.That(rig.Ended, Is.True, "the status timer does not keep the parent alive");
        Assert.That(File.Exists(path), Is.False);
    }

    [Test]
    public void The_status_file_shows_each_workers_current_request_connections_and_why_workers_exited()
    {
        string path = Path.Combine(_dir, "pool.status");
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 2, StatusFile = path, WorkerTimeout = TimeSpan.FromSeconds(4) });
        long start = rig.Fake.Time.GetTimestamp();
        rig.Board.ConnectionAccepted(0);
        rig.Board.ConnectionAccepted(0);
        rig.Board.RequestStarted(0, start, "GET", "/slow?x=1");
        rig.Board.ConnectionAccepted(1);
        rig.Fake.Advance(TimeSpan.FromSeconds(2.5));
        rig.Board.Beat(0, rig.Fake.Time.GetTimestamp());
        rig.Board.Beat(1, rig.Fake.Time.GetTimestamp());
        rig.Raise("TTIN");   // rewrites the file
        string[] lines = File.ReadAllLines(path);
        Assert.That(lines[2], Does.EndWith("state=serving accepted=2 method=GET target=/slow?x=1 for=2.5"));
        Assert.That(lines[3], Does.EndWith("state=serving accepted=1 method=- target=- for=-"));
        Assert.That(lines[1], Does.EndWith("respawns=0 accepted=3"));

        rig.Board.Beat(0, rig.Fake.Time.GetTimestamp(), request: true);
        rig.Board.Retiring(1);
        rig.Exit(5002);                       // slot 1 retired at its request limit
        rig.Fake.Advance(TimeSpan.FromSeconds(2));
        rig.Board.Beat(0, rig.Fake.Time.GetTimestamp());
        rig.Board.Beat(1, rig.Fake.Time.GetTimestamp());   // 5002's successor
        rig.Fake.Advance(TimeSpan.FromSeconds(2.5));   // slot 2's worker (5003) stays silent: killed
        Assert.That(rig.Signals.To(Signals.KILL), Is.EqualTo(new[] { 5003 }));
        rig.Exit(5003, status: 9);
        rig.Exit(5001, status: 70 << 8);      // a crash
        lines = File.ReadAllLines(path);
        Assert.That(lines.Where(l => l.StartsWith("exit ", StringComparison.Ordinal)), Is.EqualTo(new[]
        {
            "exit pid=5001 slot=0 reason=exit:70 ago=0.0",
            "exit pid=5003 slot=2 reason=timeout ago=0.0",
            "exit pid=5002 slot=1 reason=max-requests ago=4.5",
        }));
        Assert.That(lines[1], Does.Contain(" timed_out=1 respawns=3 accepted=3"), "the gone workers' connections still count");
        Assert.That(lines[2], Does.EndWith("accepted=0 method=- target=- for=-"), "a new worker starts from nothing");
    }

    [Test]
    public void A_status_file_that_cannot_be_written_does_not_stop_the_pool()
    {
        string path = Path.Combine(_dir, "missing", "pool.status");
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 1, StatusFile = path });
        Assert.That(rig.Pool.WorkerPids, Has.Count.EqualTo(1));
        rig.Raise("TTIN");
        Assert.That(rig.Pool.WorkerPids, Has.Count.EqualTo(2));
    }

    [Test]
    public void The_status_format_lists_workers_as_documented()
    {
        string text = PoolStatusFile.Format(
            new PoolStatusFile.Master(4100, TimeSpan.FromSeconds(12.5), "0.0.0.0:8888", "running", 2, 3, 0, 1, 57),
            [new PoolStatusFile.Worker(4101, 0, TimeSpan.FromSeconds(12.5), 120, TimeSpan.FromSeconds(0.3), "serving", 50, "GET /report", TimeSpan.FromSeconds(2.4)),
             new PoolStatusFile.Worker(4107, 1, TimeSpan.FromSeconds(2), null, null, "replacing")],
            [new PoolStatusFile.Exit(4102, 1, "max-requests", TimeSpan.FromSeconds(2))]);
        Assert.That(text, Is.EqualTo(
            "# poesharp-pool-status 1\n" +
            "master pid=4100 uptime=12.5 listen=0.0.0.0:8888 state=running target=2 started=3 timed_out=0 respawns=1 accepted=57\n" +
            "worker pid=4101 slot=0 age=12.5 requests=120 heartbeat=0.3 state=serving accepted=50 method=GET target=/report for=2.4\n" +
            "worker pid=4107 slot=1 age=2.0 requests=- heartbeat=- state=replacing accepted=- method=- target=- for=-\n" +
            "exit pid=4102 slot=1 reason=max-requests ago=2.0\n"));
    }
}
