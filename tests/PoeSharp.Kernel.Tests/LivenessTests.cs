using PoeSharp.Loop;

namespace PoeSharp.KernelTests;

/// <summary>§1.3: what keeps a session alive, batched GC, IDLE and ZOMBIE, Explain.</summary>
public sealed class LivenessTests : KernelTestBase
{
    [Test]
    public void SessionWithNothingToDoStopsAfterItsCreationCheck()
    {
        var s = Fake.Create(0, b => b.On("_start", _ => { }).On("_stop", _ => Log.Add("stop")));
        Assert.That(s.IsAlive, Is.True, "the private _garbage_collect event keeps it alive until dequeued");
        K.RunOneTimeslice();
        Assert.That(Log, Is.EqualTo(new[] { "stop" }));
        Assert.That(K.SessionCount, Is.Zero);
    }

    [Test]
    public void GcIsSweptAfterTheBatchNotAfterEachEvent()
    {
        // Two sessions each with one queued event: both handlers run before either _stop.
        for (int i = 1; i <= 2; i++)
        {
            int n = i;
            Fake.Create(0, b => b.On("_start", c => c.Kernel.Yield("e")).On("e", _ => Log.Add("e" + n)).On("_stop", _ => Log.Add("stop" + n)));
        }
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "e1", "e2", "stop1", "stop2" }));
    }

    [Test]
    public void PendingEventsFromASessionKeepTheSenderAlive()
    {
        Session? sender = null;
        Fake.Create(0, b => b.On("_start", c => c.Kernel.AliasSet("sink")).On("e", c => { Log.Add($"sender alive: {c.Sender.IsAlive}"); c.Kernel.AliasRemove("sink"); }));
        sender = Fake.Create(0, b => b.On("_start", c => c.Kernel.Post("sink", "e")));
        Assert.That(K.GetLiveness(sender)!.EventsSent, Is.EqualTo(1));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "sender alive: True" }));
    }

    [Test]
    public void ExtraRefChangedInsideStartDoesNotStopTheSessionEarly()
    {
        // extrefs_gc
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                c.Kernel.RefcountIncrement(c.Session, "tag");
                c.Kernel.Yield("later");
                c.Kernel.RefcountDecrement(c.Session, "tag");
            })
            .On("later", _ => Log.Add("later ran")));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "later ran" }));
    }

    [Test]
    public void BystanderHeldByAnExtraRefStopsBeforeIdleWhenReleased()
    {
        // extrefs_gc: the bystander is kept alive only by an extra ref the other session drops in _stop.
        var bystander = Fake.Create(0, b => b
            .On("_start", c => c.Kernel.Sig("IDLE", "idle"))
            .On("idle", _ => Log.Add("bystander saw IDLE"))
            .On("_stop", _ => Log.Add("bystander _stop")));
        K.RefcountIncrement(bystander, "hold");
        Fake.Create(0, b => b
            .On("_start", c => c.Kernel.Yield("work"))
            .On("work", _ => Log.Add("work"))
            .On("_stop", c => c.Kernel.RefcountDecrement(bystander.Id, "hold")));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "work", "bystander _stop" }));
    }

    [Test]
    public void RefcountOfUnknownSessionIsNull()
    {
        Assert.That(K.RefcountIncrement(77, "x"), Is.Null);
        Assert.That(K.RefcountDecrement("nobody", "x"), Is.Null);
    }

    [Test]
    public void SignalWatchersDoNotKeepASessionAlive()
    {
        Fake.Create(0, b => b.On("_start", c => c.Kernel.Sig("USR1", "usr1")).On("_stop", _ => Log.Add("stopped")));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "stopped" }));
        Assert.That(Fake.Processes.WatchedSignals, Is.Empty, "the last watcher's removal gives the signal back");
    }

    [Test]
    public void PausedSelectKeepsTheSessionAlive()
    {
        var s = Fake.Create(0, b => b
            .On("_start", c => { c.Kernel.SelectRead(7, "readable"); c.Kernel.SelectPauseRead(7); })
            .On("done", c => c.Kernel.SelectRead(7, null)));
        Fake.RunUntilIdle();
        Fake.Advance(TimeSpan.FromHours(1));
        Assert.That(s.IsAlive, Is.True);
        Assert.That(K.Explain(s), Is.EqualTo("session 1: fd 7 read"));
        Fake.Deliver(s, "done");
        Assert.That(s.IsAlive, Is.False);
    }

    [Test]
    public void ChildKeepsItsParentAlive()
    {
        Session? child = null;
        var parent = Fake.Create(0, b => b.On("_start", c => child = c.Kernel.Create(0, cb => cb
            .On("_start", cc => cc.Kernel.Delay("t", TimeSpan.FromSeconds(10)))
            .On("t", _ => { }))));
        Fake.Advance(TimeSpan.FromSeconds(5));
        Assert.That(parent.IsAlive, Is.True);
        Assert.That(K.GetLiveness(parent)!.Children, Is.EqualTo(1));
        Fake.Advance(TimeSpan.FromSeconds(6));
        Assert.That(parent.IsAlive, Is.False);
        Assert.That(child!.IsAlive, Is.False);
    }

    [Test]
    public void AliasOnlySessionsAreReapedByIdle()
    {
        Fake.Create(0, b => b.On("_start", c => c.Kernel.AliasSet("lonely")).On("_stop", _ => Log.Add("stop")));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "stop" }));
        Assert.That(Fake.Dispatched.Select(e => e.Event), Does.Not.Contain("IDLE"), "no session watches IDLE");
        Assert.That(Fake.Posted.Select(e => e.Event), Does.Contain("IDLE"));
    }

    [Test]
    public void HandledIdleIsFollowedByExactlyOneZombieThenStop()
    {
        // k_aliases
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                c.Kernel.AliasSet("a");
                c.Kernel.Sig("IDLE", "sig");
                c.Kernel.Sig("ZOMBIE", "sig");
            })
            .On("sig", c => { Log.Add(c.Arg<string>(0)); c.Kernel.SigHandled(); })
            .On("_stop", _ => Log.Add("_stop")));
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                c.Kernel.AliasSet("b");
                c.Kernel.AliasRemove("b");
                c.Kernel.Sig("IDLE", "sig");
                c.Kernel.Sig("ZOMBIE", "sig");
            })
            .On("sig", _ => Log.Add("second session saw a signal")));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "IDLE", "ZOMBIE", "_stop" }));
    }

    [Test]
    public void ExplainNamesEveryCause()
    {
        var s = Fake.Create(0, b => b
            .On("_start", c =>
            {
                c.Kernel.AliasSet("x");
                c.Kernel.Delay("t", TimeSpan.FromSeconds(1));
                c.Kernel.SelectRead(7, "r");
                c.Kernel.Yield("e");
                c.Kernel.RefcountIncrement(c.Session, "job");
            })
            .On("release", c =>
            {
                c.Kernel.AliasRemove("x");
                c.Kernel.Delay("t");
                c.Kernel.SelectRead(7, null);
                c.Kernel.RefcountDecrement(c.Session, "job");
            }));
        Assert.That(K.Explain(s), Is.EqualTo("session 1: 2 events queued, 1 timer, alias 'x', fd 7 read, extra ref 'job' x1"));
        var report = K.GetLiveness(s)!;
        Assert.That(report.Descriptors, Is.EqualTo(new[] { (7, IoMode.Read) }));
        Assert.That(report.IsCollectable, Is.False);
        Fake.RunUntilIdle();
        Fake.Deliver(s, "release");
        Assert.That(K.Explain(s), Is.EqualTo("session 1: no such session"));
    }
}
