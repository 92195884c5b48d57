using PoeSharp.Loop;
using PoeSharp.Testing;

namespace PoeSharp.KernelTests;

/// <summary>§1.1 SENDER table and small API rows not covered elsewhere.</summary>
public sealed class SenderTests : KernelTestBase
{
    [Test]
    public void LifecycleSenders()
    {
        var seen = new List<string>();
        Fake.Create(0, b => b
            .On("_start", c => c.Kernel.Create(0, cb => cb
                .On("_start", cc => seen.Add($"_start from {cc.Sender}"))
                .On("_stop", cc => seen.Add($"_stop from {cc.Sender}"))))
            .On("_child", c => seen.Add($"_child {c.Arg<string>(0)} from {c.Sender}")));
        Fake.Run();
        Assert.That(seen, Is.EqualTo(new[]
        {
            "_start from session 1", "_child create from kernel", "_stop from kernel", "_child lose from kernel",
        }));
    }

    [Test]
    public void StopSenderIsTheSessionThatCalledStop()
    {
        Session? sender = null;
        Fake.Create(0, b => b.On("_start", c => c.Kernel.Yield("halt")).On("halt", c => c.Kernel.Stop()).On("_stop", c => sender = c.Sender));
        Fake.Run();
        Assert.That(sender?.Id, Is.EqualTo(1));
    }

    [Test]
    public void SigReplacesTheSessionsOneWatcherForAName()
    {
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                c.Kernel.Sig("HUP", "first");
                c.Kernel.Sig("HUP", "second");
                c.Kernel.Signal(c.Session, "HUP");
                Log.Add($"watchers: {c.Kernel.SignalWatchers("HUP").Count}");
            })
            .On("first", _ => Log.Add("first"))
            .On("second", c => { Log.Add("second"); c.Kernel.SigHandled(); }));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "watchers: 1", "second" }));
    }

    [Test]
    public void SignalToTheKernelByItsIdIsABroadcast()
    {
        Fake.Create(0, b => b.On("_start", c => { c.Kernel.Sig("APP", "app"); c.Kernel.Delay("t", TimeSpan.FromSeconds(1)); }).On("app", _ => Log.Add("app")).On("t", _ => { }));
        Assert.That(K.Signal(K.Id, "APP"), Is.EqualTo(KernelError.None));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "app" }));
    }

    [Test]
    public void PostToTheKernelIsAcceptedAndGoesNowhere()
    {
        Assert.That(K.Post(K.KernelSession, "anything"), Is.EqualTo(KernelError.None));
        Assert.That(K.GetEventCount(), Is.Zero);
    }

    [Test]
    public void EventCountAndNextEventTime()
    {
        Assert.That(K.GetNextEventTime(), Is.Null);
        Fake.Create(0, b => b.On("_start", c => c.Kernel.Delay("t", TimeSpan.FromSeconds(3))).On("t", _ => { }));
        Fake.RunUntilIdle();
        Assert.That(K.GetEventCount(), Is.EqualTo(1));
        Assert.That(K.GetNextEventTime(), Is.EqualTo(ManualTimeProvider.DefaultStart + TimeSpan.FromSeconds(3)));
        Assert.That(K.TimeUntilNextEvent(), Is.EqualTo(TimeSpan.FromSeconds(3)));
        Fake.Run();
    }

    [Test]
    public void KernelWithAnExplicitHostAttachesItOnlyWhenNeeded()
    {
        var host = new FakeProcessHost();
        using var kernel = new Kernel(new ManualLoop(), new ManualTimeProvider(), host);
        kernel.Create(0, b => b.On("_start", c => c.Kernel.Yield("e")).On("e", _ => { }));
        kernel.Run();
        Assert.That(host.IsAttached, Is.False);
        kernel.Create(0, b => b.On("_start", c => c.Kernel.Sig("TERM", "t")));
        Assert.That(host.IsAttached, Is.True);
        Assert.That(host.WatchedSignals, Is.EqualTo(new[] { "TERM" }));
        kernel.Run();
        Assert.That(kernel.FindLeaks(), Is.Empty);
        Assert.That(host.IsDisposed, Is.False, "a host passed in belongs to the caller");
    }

    [Test]
    public void RefcountIncrementReturnsTheTagCountAndAnySessionMayChangeIt()
    {
        var counts = new List<int?>();
        var target = Fake.Create(0, b => b.On("_start", _ => { }));
        Fake.Create(0, b => b.On("_start", c =>
        {
            counts.Add(c.Kernel.RefcountIncrement(target.Id, "t"));
            counts.Add(c.Kernel.RefcountIncrement(target.Id, "t"));
            counts.Add(c.Kernel.RefcountDecrement(target.Id, "t"));
            counts.Add(c.Kernel.RefcountDecrement(target.Id, "t"));
        }));
        Fake.Run();
        Assert.That(counts, Is.EqualTo(new int?[] { 1, 2, 1, 0 }));
    }
}
