using PoeSharp.Components.Workers;
using PoeSharp.Os;
using PoeSharp.Testing;

namespace PoeSharp.Components.Tests.Workers;

/// <summary>The pool on the fake kernel: fake forks, fake child exits, recorded signals, virtual time.</summary>
public sealed class PreforkPoolTests
{
    [Test]
    public void The_parent_forks_every_worker_watches_them_and_never_accepts()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 3 });

        Assert.That(rig.Pool.Role, Is.EqualTo(PoolRole.Parent));
        Assert.That(rig.Pool.WorkerPids, Is.EquivalentTo(new[] { 5001, 5002, 5003 }));
        Assert.That(rig.Processes.WatchedChildren, Is.EquivalentTo(new[] { 5001, 5002, 5003 }));
        Assert.That(rig.Server.Calls, Is.EqualTo(new[] { "pause" }));
        Assert.That(rig.Processes.WatchedSignals, Is.SupersetOf(new[] { "INT", "TERM", "HUP", "USR1" }));
    }

    [Test]
    public void A_worker_that_exits_is_replaced_in_its_slot()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 2 });

        rig.Exit(5001, FakeProcessHost.SignalStatus(Signals.KILL));

        Assert.That(rig.Pool.WorkerPids, Is.EquivalentTo(new[] { 5002, 5003 }));
        Assert.That(rig.Pool.WorkersStarted, Is.EqualTo(3));
        Assert.That(rig.Ended, Is.False);
    }

    [Test]
    public void A_failed_fork_is_retried_after_a_delay_that_doubles()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 1, ForkRetryDelay = TimeSpan.FromSeconds(1) },
                                    beforeStart: p => { p.FailNextFork(); p.FailNextFork(); });
        Assert.That(rig.Processes.ForkCount, Is.EqualTo(1));
        Assert.That(rig.Pool.WorkerPids, Is.Empty);

        rig.Fake.Advance(TimeSpan.FromMilliseconds(999));
        Assert.That(rig.Processes.ForkCount, Is.EqualTo(1));
        rig.Fake.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(rig.Processes.ForkCount, Is.EqualTo(2), "first retry after 1 s");

        rig.Fake.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.That(rig.Processes.ForkCount, Is.EqualTo(2));
        rig.Fake.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(rig.Processes.ForkCount, Is.EqualTo(3), "second retry 2 s later");
        Assert.That(rig.Pool.WorkerPids, Has.Count.EqualTo(1));
    }

    [Test]
    public void The_retry_delay_stops_growing_at_its_maximum()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 1, ForkRetryDelay = TimeSpan.FromSeconds(1), MaxForkRetryDelay = TimeSpan.FromSeconds(3) },
                                    beforeStart: p => { for (int i = 0; i < 5; i++) p.FailNextFork(); });
        rig.Fake.Advance(TimeSpan.FromSeconds(1 + 2 + 3));
        Assert.That(rig.Processes.ForkCount, Is.EqualTo(4));
        rig.Fake.Advance(TimeSpan.FromSeconds(3));
        Assert.That(rig.Processes.ForkCount, Is.EqualTo(5), "3 s, not 8 s");
    }

    [Test]
    public void TERM_stops_accepting_tells_every_worker_and_the_parent_ends_once_all_are_reaped()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 2 });

        rig.Raise("TERM");

        Assert.That(rig.Pool.IsStopping, Is.True);
        Assert.That(rig.Signals.To(Signals.TERM), Is.EquivalentTo(new[] { 5001, 5002 }));
        Assert.That(rig.Server.Calls, Does.Contain("stop-accepting"));
        rig.Exit(5001);
        Assert.That(rig.Processes.ForkCount, Is.EqualTo(2), "a stopping pool is not refilled");
        Assert.That(rig.Ended, Is.False);
        rig.Exit(5002);
        Assert.That(rig.Ended, Is.True, "every worker reaped: the parent's session ends and Run returns");
    }

    [Test]
    public void A_second_INT_kills_the_workers_at_once()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 2 });
        rig.Raise("INT");
        rig.Raise("INT");
        Assert.That(rig.Signals.To(Signals.KILL), Is.EquivalentTo(new[] { 5001, 5002 }));
    }

    [Test]
    public void Workers_that_do_not_finish_within_the_shutdown_timeout_are_killed()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 2, ShutdownTimeout = TimeSpan.FromSeconds(5) });
        rig.Raise("TERM");
        rig.Exit(5001);
        rig.Fake.Advance(TimeSpan.FromMilliseconds(4999));
        Assert.That(rig.Signals.To(Signals.KILL), Is.Empty);
        rig.Fake.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(rig.Signals.To(Signals.KILL), Is.EqualTo(new[] { 5002 }));
        rig.Exit(5002, FakeProcessHost.SignalStatus(Signals.KILL));
        Assert.That(rig.Ended, Is.True);
    }

    [Test]
    public void HUP_replaces_the_workers_one_at_a_time()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 2 });

        rig.Raise("HUP");
        Assert.That(rig.Signals.To(Signals.TERM), Is.EqualTo(new[] { 5001 }), "only one old worker at a time");

        rig.Exit(5001);
        Assert.That(rig.Pool.WorkerPids, Is.EquivalentTo(new[] { 5002, 5003 }));
        Assert.That(rig.Signals.To(Signals.TERM), Is.EqualTo(new[] { 5001, 5002 }), "the next once the pool is full again");

        rig.Exit(5002);
        Assert.That(rig.Pool.WorkerPids, Is.EquivalentTo(new[] { 5003, 5004 }));
        Assert.That(rig.Signals.To(Signals.TERM), Has.Length.EqualTo(2), "new workers are not replaced");
        Assert.That(rig.Pool.IsStopping, Is.False);
    }

    [Test]
    public void USR1_is_forwarded_to_every_worker()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 2 });
        rig.Raise("USR1");
        Assert.That(rig.Signals.To(Signals.USR1), Is.EquivalentTo(new[] { 5001, 5002 }));
    }

    [Test]
    public void In_a_new_worker_the_pool_drops_inherited_connections_then_accepts()
    {
        int started = 0;
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 2, WorkerStarted = _ => started++ },
                                    beforeStart: p => p.NextForkIsChild(7001));

        Assert.That(rig.Pool.Role, Is.EqualTo(PoolRole.Worker));
        Assert.That(rig.Pool.WorkerSlot, Is.EqualTo(0));
        Assert.That(rig.Pool.WorkerPids, Is.Empty, "a worker has no workers");
        Assert.That(rig.Processes.ForkCount, Is.EqualTo(1), "a worker never forks");
        Assert.That(rig.Server.Calls, Is.EqualTo(new[] { "pause", "drop-inherited", "resume" }));
        Assert.That(started, Is.EqualTo(1));
        Assert.That(rig.Processes.AfterForkCount, Is.EqualTo(1));
    }

    [Test]
    public void A_worker_retires_after_max_requests_finishing_its_connections_first()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 1, MaxRequests = 3 }, beforeStart: p => p.NextForkIsChild(7001));
        Assert.That(rig.Pool.RequestLimit, Is.EqualTo(3));
        rig.Server.Connections = 1;

        rig.Pool.RequestServed();
        rig.Pool.RequestServed();
        Assert.That(rig.Pool.IsStopping, Is.False);
        rig.Pool.RequestServed();
        rig.Fake.RunUntilIdle();

        Assert.That(rig.Pool.IsStopping, Is.True);
        Assert.That(rig.Server.Calls, Is.EqualTo(new[] { "pause", "drop-inherited", "resume", "stop-accepting", "drain" }));
        Assert.That(rig.Ended, Is.False, "its last connection is still open");
        rig.Server.CloseConnections();
        rig.Fake.RunUntilIdle();
        Assert.That(rig.Ended, Is.True, "the worker's kernel runs out of sessions, so the worker exits");
    }

    [Test]
    public void A_retiring_worker_that_cannot_finish_aborts_after_the_shutdown_timeout()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 1, MaxRequests = 1, ShutdownTimeout = TimeSpan.FromSeconds(2) },
                                    beforeStart: p => p.NextForkIsChild(7001));
        rig.Server.Connections = 1;
        rig.Pool.RequestServed();
        rig.Fake.Advance(TimeSpan.FromSeconds(2));
        Assert.That(rig.Server.Calls, Does.Contain("abort"));
        Assert.That(rig.Ended, Is.True);
    }

    [Test]
    public void Each_worker_gets_its_own_limit_within_the_jitter()
    {
        var limits = new List<int>();
        for (int seed = 0; seed < 20; seed++)
        {
            using var rig = new PoolRig(new PreforkPoolOptions { Workers = 1, MaxRequests = 100, MaxRequestsJitter = 10 }, seed: seed,
                                        beforeStart: p => p.NextForkIsChild(7001));
            limits.Add(rig.Pool.RequestLimit);
        }
        Assert.That(limits, Has.All.InRange(100, 110));
        Assert.That(limits.Distinct().Count(), Is.GreaterThan(1), "the jitter varies");
    }

    [Test]
    public void A_worker_whose_heartbeat_stops_is_killed_and_replaced()
    {
        var timeout = TimeSpan.FromSeconds(1);
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 2, WorkerTimeout = timeout });

        // Worker 5001 (slot 0) keeps beating; 5002 (slot 1) is stuck in a handler.
        for (int i = 0; i < 5; i++)
        {
            rig.Fake.Advance(TimeSpan.FromMilliseconds(250));
            rig.Board.Beat(0, rig.Fake.Time.GetTimestamp());
            if (i < 3) Assert.That(rig.Signals.To(Signals.KILL), Is.Empty, $"not yet after {(i + 1) * 250} ms");
        }

        Assert.That(rig.Signals.To(Signals.KILL), Is.EqualTo(new[] { 5002 }));
        Assert.That(rig.Pool.WorkersTimedOut, Is.EqualTo(1));
        rig.Fake.Advance(TimeSpan.FromMilliseconds(500));
        Assert.That(rig.Signals.To(Signals.KILL), Is.EqualTo(new[] { 5002 }), "killed once");

        rig.Exit(5002, FakeProcessHost.SignalStatus(Signals.KILL));
        Assert.That(rig.Pool.WorkerPids, Is.EquivalentTo(new[] { 5001, 5003 }));
        rig.Board.Beat(0, rig.Fake.Time.GetTimestamp());
        rig.Fake.Advance(TimeSpan.FromMilliseconds(750));
        Assert.That(rig.Signals.To(Signals.KILL), Is.EqualTo(new[] { 5002 }), "the replacement starts with a fresh heartbeat");
    }

    [Test]
    public void A_worker_beats_from_its_kernel_timer_and_on_every_request()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 2, WorkerTimeout = TimeSpan.FromSeconds(1) },
                                    beforeStart: p => p.NextForkIsChild(7001));
        rig.Fake.Advance(TimeSpan.FromMilliseconds(250));
        Assert.That(rig.Board.LastBeat(0, 0), Is.EqualTo(rig.Fake.Time.GetTimestamp()));
        rig.Fake.Advance(TimeSpan.FromMilliseconds(100));
        rig.Pool.RequestServed();
        Assert.That(rig.Board.LastBeat(0, 0), Is.EqualTo(rig.Fake.Time.GetTimestamp()));
        Assert.That(rig.Signals.Sent, Is.Empty, "a worker checks nobody");
    }

    [Test]
    public void With_no_workers_the_process_serves_and_TERM_drains_it()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 0 });
        Assert.That(rig.Pool.Role, Is.EqualTo(PoolRole.Single));
        Assert.That(rig.Processes.ForkCount, Is.Zero);
        Assert.That(rig.Server.Calls, Is.Empty, "it accepts from the start");
        rig.Server.Connections = 1;

        rig.Raise("TERM");
        Assert.That(rig.Server.Calls, Is.EqualTo(new[] { "stop-accepting", "drain" }));
        Assert.That(rig.Ended, Is.False);
        rig.Server.CloseConnections();
        rig.Fake.RunUntilIdle();
        Assert.That(rig.Ended, Is.True);
    }

    [Test]
    public void A_server_that_could_not_listen_forks_nothing_and_fails()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 2 }, listening: false);
        Assert.That(rig.Pool.Failed, Is.True);
        Assert.That(rig.Processes.ForkCount, Is.Zero);
        Assert.That(rig.Ended, Is.True);
    }

    [TestCase(-1, 0, 0, null, "Workers")]
    [TestCase(2, -1, 0, null, "MaxRequests")]
    [TestCase(2, 0, 5, null, "MaxRequestsJitter")]
    [TestCase(2, 10, -1, null, "MaxRequestsJitter")]
    [TestCase(2, 0, 0, 10, "WorkerTimeout")]
    public void Invalid_options_throw_at_construction_naming_the_option(int workers, int maxRequests, int jitter, int? timeoutMs, string name)
    {
        var options = new PreforkPoolOptions
        {
            Workers = workers, MaxRequests = maxRequests, MaxRequestsJitter = jitter,
            WorkerTimeout = timeoutMs is int ms ? TimeSpan.FromMilliseconds(ms) : null,
        };
        using var fake = new FakeKernel();
        var e = Assert.Throws(Is.InstanceOf<ArgumentException>(), () => PreforkPool.Start(fake.Kernel, options, k => new FakePoolServer(k)));
        Assert.That(((ArgumentException)e!).ParamName, Is.EqualTo(name));
        Assert.That(e.Message, Does.Contain(name));
    }
}
