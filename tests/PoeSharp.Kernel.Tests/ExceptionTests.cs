using PoeSharp.Testing;

namespace PoeSharp.KernelTests;

/// <summary>§1.6 DIE and §5.2 scenario 11: exceptions thrown by handlers.</summary>
public sealed class ExceptionTests : KernelTestBase
{
    [Test]
    public void HandledDieSeesTheErrorAndFromStateAndLaterTimersStillFire()
    {
        DieInfo? info = null;
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                c.Kernel.Sig("DIE", "die");
                c.Kernel.Delay("later", TimeSpan.FromSeconds(0.5));
                c.Kernel.Yield("fail");
            })
            .On("fail", _ => throw new InvalidOperationException("oops"))
            .On("die", c => { info = c.Arg<DieInfo>(1); c.Kernel.SigHandled(); })
            .On("later", _ => Log.Add("later fired")));
        Fake.Run();
        Assert.That(info!.ErrorText, Is.EqualTo("oops"));
        Assert.That(info.Event, Is.EqualTo("fail"));
        Assert.That(info.FromState, Is.EqualTo("_start"));
        Assert.That(Log, Is.EqualTo(new[] { "later fired" }));
        Assert.That(Fake.Failures, Has.Count.EqualTo(1));
        Assert.That(() => Fake.ThrowIfHandlerFailed(), Throws.InvalidOperationException.With.Message.Contains("oops"));
    }

    [Test]
    public void UnhandledDieStopsEverySessionAndRunRethrowsTheOriginalException()
    {
        var thrown = new InvalidOperationException("original");
        int dieWatcherRuns = 0;
        Fake.Create(0, b => b
            .On("_start", c => { c.Kernel.Sig("DIE", "die"); c.Kernel.Yield("fail"); })
            .On("fail", _ => throw thrown)
            .On("die", _ => dieWatcherRuns++));
        Fake.Create(0, b => b
            .On("_start", c => c.Kernel.Delay("t", TimeSpan.FromSeconds(0.5)))
            .On("t", _ => Log.Add("unrelated timer fired"))
            .On("_stop", _ => Log.Add("unrelated _stop")));
        var caught = Assert.Throws<InvalidOperationException>(() => Fake.Run());
        Assert.That(caught, Is.SameAs(thrown));
        Assert.That(caught!.StackTrace, Does.Contain(nameof(UnhandledDieStopsEverySessionAndRunRethrowsTheOriginalException)));
        Assert.That(dieWatcherRuns, Is.EqualTo(1));
        Assert.That(Log, Is.EqualTo(new[] { "unrelated _stop" }));
        Assert.That(K.SessionCount, Is.Zero);
    }

    [Test]
    public void DiePropagatesToChildAndParentWatchers()
    {
        // whelan-dieprop: both the thrower's descendants and its ancestors see DIE.
        var seen = new List<string>();
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                c.Kernel.Sig("DIE", "die");
                c.Kernel.Create(0, mb => mb
                    .On("_start", mc =>
                    {
                        mc.Kernel.Create(0, lb => lb
                            .On("_start", lc => { lc.Kernel.Sig("DIE", "die"); lc.Kernel.Delay("t", TimeSpan.FromSeconds(1)); })
                            .On("die", _ => seen.Add("grandchild"))
                            .On("t", _ => { }));
                        mc.Kernel.Yield("fail");
                    })
                    .On("fail", _ => throw new InvalidOperationException("middle failed")));
            })
            .On("die", c => { seen.Add("parent"); c.Kernel.SigHandled(); }));
        Fake.Run();
        Assert.That(seen, Is.EqualTo(new[] { "grandchild", "parent" }));
    }

    [Test]
    public void DieHandlerThatThrowsMakesRunReportBothErrors()
    {
        // grinnz-die-in-die
        Fake.Create(0, b => b
            .On("_start", c => { c.Kernel.Sig("DIE", "die"); c.Kernel.Yield("fail"); })
            .On("fail", _ => throw new InvalidOperationException("first"))
            .On("die", _ => throw new InvalidOperationException("second")));
        var e = Assert.Throws<AggregateException>(() => Fake.Run());
        Assert.That(e!.Message, Does.Contain("first").And.Contain("second"));
        Assert.That(e.InnerExceptions.Select(x => x.Message), Is.EqualTo(new[] { "first", "second" }));
    }

    [Test]
    public void ExceptionInStopIsRethrownAfterStopRanOnceAndRunWorksAgain()
    {
        // rt19908-merlyn-stop
        int stops = 0;
        Fake.Create(0, b => b
            .On("_start", _ => { })
            .On("_stop", _ => { stops++; throw new InvalidOperationException("in _stop"); }));
        var e = Assert.Throws<InvalidOperationException>(() => Fake.Run());
        Assert.That(e!.Message, Is.EqualTo("in _stop"));
        Assert.That(stops, Is.EqualTo(1));
        Fake.Create(0, b => b.On("_start", c => c.Kernel.Yield("e")).On("e", _ => Log.Add("second run")));
        Assert.That(() => Fake.Run(), Throws.Nothing);
        Assert.That(Log, Is.EqualTo(new[] { "second run" }));
    }

    [Test]
    public void ExceptionInStartBecomesDieAndIsRethrownByTheNextRun()
    {
        var s = K.Create(0, b => b.On("_start", _ => throw new ArgumentException("bad start")));
        Assert.That(s, Is.Not.Null);
        Assert.That(s!.IsAlive, Is.False);
        Assert.That(() => K.Run(), Throws.ArgumentException.With.Message.EqualTo("bad start"));
        Assert.That(() => K.Run(), Throws.Nothing);
    }

    [Test]
    public void WithoutCatchingExceptionsTheyLeaveRunDirectly()
    {
        using var fake = new FakeKernel(new KernelOptions { CatchExceptions = false });
        fake.Create(0, b => b
            .On("_start", c => { c.Kernel.Sig("DIE", "die"); c.Kernel.Yield("fail"); })
            .On("fail", _ => throw new InvalidOperationException("plain"))
            .On("die", _ => Log.Add("die watcher")));
        Assert.That(() => fake.Run(), Throws.InvalidOperationException.With.Message.EqualTo("plain"));
        Assert.That(Log, Is.Empty);
        fake.Kernel.Stop();
        Assert.That(fake.FindLeaks(), Is.Empty);
    }
}
