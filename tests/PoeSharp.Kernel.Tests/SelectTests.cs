using PoeSharp.Loop;

namespace PoeSharp.KernelTests;

/// <summary>§1.9: descriptor watchers on the manual loop, and the wheel-style direct handlers.</summary>
public sealed class SelectTests : KernelTestBase
{
    [Test]
    public void ReadyDescriptorDispatchesItsEventWithFdModeAndArgs()
    {
        object?[]? args = null;
        Session? sender = null, me = null;
        me = Fake.Create(0, b => b
            .On("_start", c => c.Kernel.SelectRead(5, "readable", "extra"))
            .On("readable", c => { args = c.ArgArray; sender = c.Sender; c.Kernel.SelectRead(5, null); }));
        Assert.That(Fake.Loop.IsWatched(5, IoMode.Read), Is.True);
        Fake.Loop.SetReady(5, IoMode.Read);
        Fake.Run();
        Assert.That(args, Is.EqualTo(new object?[] { 5, IoMode.Read, "extra" }));
        Assert.That(sender, Is.SameAs(me));
        Assert.That(Fake.Loop.WatchCount, Is.Zero);
    }

    [Test]
    public void WatchersAreLevelTriggeredAndPauseStopsReports()
    {
        int reads = 0;
        var s = Fake.Create(0, b => b
            .On("_start", c => c.Kernel.SelectRead(3, "r"))
            .On("r", c => { if (++reads == 3) c.Kernel.SelectPauseRead(3); })
            .On("resume", c => c.Kernel.SelectResumeRead(3))
            .On("close", c => c.Kernel.SelectRead(3, null)));
        Fake.Loop.SetReady(3, IoMode.Read);
        Fake.RunUntilIdle();
        Assert.That(reads, Is.EqualTo(3));
        Assert.That(Fake.Loop.IsPaused(3, IoMode.Read), Is.True);
        Fake.Advance(TimeSpan.FromSeconds(10));
        Assert.That(reads, Is.EqualTo(3));
        Assert.That(s.IsAlive, Is.True, "a paused watcher still keeps the session alive");
        Fake.Loop.SetReady(3, IoMode.Read, false);
        Fake.Deliver(s, "resume");
        Fake.Loop.FireOnce(3, IoMode.Read);
        Fake.RunUntilIdle();
        Assert.That(reads, Is.EqualTo(4));
        Fake.Deliver(s, "close");
        Assert.That(s.IsAlive, Is.False);
    }

    [Test]
    public void PauseAndResumeReportWhetherAWatcherExists()
    {
        Assert.That(K.SelectPauseRead(9), Is.False);
        Assert.That(K.SelectResumeWrite(9), Is.False);
        bool paused = false, resumed = false;
        Fake.Create(0, b => b.On("_start", c =>
        {
            c.Kernel.SelectWrite(9, "w");
            paused = c.Kernel.SelectPauseWrite(9);
            resumed = c.Kernel.SelectResumeWrite(9);
            c.Kernel.SelectWrite(9, null);
        }));
        Fake.Run();
        Assert.That((paused, resumed), Is.EqualTo((true, true)));
    }

    [Test]
    public void SelectSetsAndClearsAllThreeModes()
    {
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                c.Kernel.Select(4, "r", "w", "x");
                Log.Add(string.Join(",", c.Kernel.Watches.Select(w => $"{w.Mode}:{w.Event}")));
                c.Kernel.SelectRead(4, null);
                c.Kernel.SelectWrite(4, "w2");
                c.Kernel.SelectRead(4, "r2");
                c.Kernel.Select(4, null, null, null);
                Log.Add(c.Kernel.Watches.Count.ToString());
            }));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "Read:r,Write:w,Expedite:x", "0" }));
    }

    [Test]
    public void TwoSessionsWatchingOneDescriptorIsAnError()
    {
        Exception? error = null;
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                c.Kernel.SelectRead(6, "r");
                c.Kernel.Create(0, cb => cb.On("_start", cc =>
                {
                    try { cc.Kernel.SelectRead(6, "mine"); }
                    catch (InvalidOperationException e) { error = e; }
                }));
                c.Kernel.SelectRead(6, null);
            }));
        Fake.Run();
        Assert.That(error?.Message, Does.Contain("fd 6").And.Contain("already watched"));
    }

    [Test]
    public void StopFromAReadHandlerStopsTheSessionOnce()
    {
        // ton-stop-corruption
        int stops = 0;
        Fake.Create(0, b => b
            .On("_start", c => c.Kernel.SelectRead(8, "r"))
            .On("r", c => c.Kernel.Stop())
            .On("_stop", _ => stops++));
        Fake.Loop.SetReady(8, IoMode.Read);
        Fake.Run();
        Assert.That(stops, Is.EqualTo(1));
        Assert.That(Fake.Loop.WatchCount, Is.Zero);
    }

    private sealed class Reader(Kernel kernel, List<string> log) : IReadyHandler
    {
        public int Count;

        public void OnReady(int fd, IoMode mode)
        {
            log.Add($"{kernel.ActiveSession.Id}:{fd}:{mode}");
            if (++Count == 2) kernel.Unwatch(fd, mode);
        }
    }

    [Test]
    public void DirectReadyHandlersRunWithTheOwningSessionActive()
    {
        var reader = new Reader(K, Log);
        var s = Fake.Create(0, b => b.On("_start", c => c.Kernel.Watch(11, IoMode.Write, reader)));
        Assert.That(K.Explain(s), Does.Contain("fd 11 write"));
        Fake.Loop.SetReady(11, IoMode.Write);
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "1:11:Write", "1:11:Write" }));
        Assert.That(s.IsAlive, Is.False);
    }

    private sealed class Thrower : IReadyHandler
    {
        public void OnReady(int fd, IoMode mode) => throw new IOException("read failed");
    }

    [Test]
    public void ExceptionFromADirectHandlerIsTheOwnersDie()
    {
        DieInfo? die = null;
        Fake.Create(0, b => b
            .On("_start", c => { c.Kernel.Watch(12, IoMode.Read, new Thrower()); c.Kernel.Sig("DIE", "die"); })
            .On("die", c => { die = c.Arg<DieInfo>(1); c.Kernel.SigHandled(); c.Kernel.Unwatch(12, IoMode.Read); }));
        Fake.Loop.FireOnce(12, IoMode.Read);
        Fake.Run();
        Assert.That(die?.Exception, Is.InstanceOf<IOException>());
    }

    [Test]
    public void PauseWatchKeepsTheWatcherAndResumeWatchRestoresIt()
    {
        var reader = new Reader(K, Log);
        var s = Fake.Create(0, b => b
            .On("_start", c => { c.Kernel.Watch(13, IoMode.Read, reader); c.Kernel.PauseWatch(13, IoMode.Read); })
            .On("resume", c => c.Kernel.ResumeWatch(13, IoMode.Read)));
        Fake.Loop.SetReady(13, IoMode.Read);
        Assert.That(() => Fake.RunUntilIdle(), Throws.Nothing);
        Assert.That(Log, Is.Empty);
        Assert.That(Fake.Watches.Single().Paused, Is.True);
        Fake.Deliver(s, "resume");
        Fake.Run();
        Assert.That(Log, Has.Count.EqualTo(2));
    }

    [Test]
    public void AnExclusiveWatchPassesTheFlagToTheLoopAndIsReportedAsUsual()
    {
        var reader = new Reader(K, Log);
        var s = Fake.Create(0, b => b
            .On("_start", c => { c.Kernel.Watch(14, IoMode.Read, reader, exclusive: true); c.Kernel.Watch(15, IoMode.Read, reader); c.Kernel.PauseWatch(14, IoMode.Read); })
            .On("resume", c => c.Kernel.ResumeWatch(14, IoMode.Read))
            .On("stop", c => { c.Kernel.Unwatch(14, IoMode.Read); c.Kernel.Unwatch(15, IoMode.Read); }));
        Assert.That(Fake.Loop.IsExclusive(14, IoMode.Read), Is.True);
        Assert.That(Fake.Loop.IsExclusive(15, IoMode.Read), Is.False);
        Fake.Deliver(s, "resume");
        Assert.That(Fake.Loop.IsExclusive(14, IoMode.Read), Is.True, "kept through pause and resume");
        Fake.Loop.FireOnce(14, IoMode.Read);
        Fake.RunUntilIdle();
        Assert.That(Log, Is.EqualTo(new[] { $"{s.Id}:14:Read" }));
        Fake.Deliver(s, "stop");
        Assert.That(Fake.Loop.IsWatched(14, IoMode.Read), Is.False);
    }

    [Test]
    public void WatchOutsideASessionIsAClearError()
    {
        Assert.That(() => K.Watch(1, IoMode.Read, new Thrower()), Throws.InvalidOperationException);
    }
}
