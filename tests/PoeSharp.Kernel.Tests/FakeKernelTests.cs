using PoeSharp.Testing;

namespace PoeSharp.KernelTests;

/// <summary>The fake kernel's own promises: virtual time, recording, delivery.</summary>
public sealed class FakeKernelTests : KernelTestBase
{
    [Test]
    public void DeliverRunsTheEventWithoutMovingTheClock()
    {
        var s = Fake.Create(0, b => b
            .On("_start", c => c.Kernel.Delay("keep", TimeSpan.FromSeconds(5)))
            .On("hello", c => Log.Add("hello " + c.Arg<string>(0)))
            .On("keep", _ => { }));
        Assert.That(Fake.Deliver(s, "hello", "world"), Is.EqualTo(KernelError.None));
        Assert.That(Log, Is.EqualTo(new[] { "hello world" }));
        Assert.That(Fake.Time.Elapsed, Is.EqualTo(TimeSpan.Zero));
        Assert.That(Fake.Deliver("ghost", "x"), Is.EqualTo(KernelError.NoSuchSession));
        Fake.Run();
        Assert.That(Fake.Time.Elapsed, Is.EqualTo(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public void RecordsPostedAndDispatchedEvents()
    {
        var s = Fake.Create(0, b => b.On("_start", c => c.Kernel.Delay("t", TimeSpan.FromSeconds(2), "x")).On("t", _ => { }));
        Fake.Run();
        var timer = Fake.Posted.Single(e => e.Event == "t");
        Assert.That(timer.Kind, Is.EqualTo(EventKind.Timer));
        Assert.That(timer.Args, Is.EqualTo(new object?[] { "x" }));
        Assert.That(Fake.EventsOf(s), Is.EqualTo(new[] { "_start", "t", "_stop" }));
        Assert.That(Fake.Dispatched.Single(e => e.Event == "t").Time, Is.EqualTo(TimeSpan.FromSeconds(2)));
        Fake.ClearRecords();
        Assert.That(Fake.Posted, Is.Empty);
    }

    [Test]
    public void ManualClockRefusesToGoBackwards()
    {
        Assert.That(() => Fake.Time.Advance(TimeSpan.FromSeconds(-1)), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => Fake.Advance(TimeSpan.FromSeconds(-1)), Throws.InstanceOf<ArgumentOutOfRangeException>());
        var t = new ManualTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        t.Advance(TimeSpan.FromSeconds(3));
        Assert.That(t.GetUtcNow(), Is.EqualTo(new DateTimeOffset(2030, 1, 1, 0, 0, 3, TimeSpan.Zero)));
        Assert.That(t.GetTimestamp(), Is.EqualTo(3 * TimeSpan.TicksPerSecond));
    }

    [Test]
    public void RunThatWouldWaitForeverThrowsInsteadOfHanging()
    {
        var s = Fake.Create(0, b => b.On("_start", c => c.Kernel.SelectRead(40, "r")).On("r", _ => { }).On("close", c => c.Kernel.SelectRead(40, null)));
        Assert.That(() => Fake.Run(), Throws.InvalidOperationException.With.Message.Contains("wait forever"));
        Fake.Deliver(s, "close");
        Assert.That(s.IsAlive, Is.False);
    }

    [Test]
    public void RunUntilIdleDoesNotRaiseIdleWhileNothingIsDue()
    {
        var s = Fake.Create(0, b => b.On("_start", c => { c.Kernel.AliasSet("srv"); c.Kernel.Yield("x"); }).On("x", _ => { }).On("bye", c => c.Kernel.AliasRemove("srv")));
        Fake.RunUntilIdle();
        Assert.That(s.IsAlive, Is.True);
        Assert.That(Fake.Aliases.Keys, Is.EqualTo(new[] { "srv" }));
        Fake.Deliver("srv", "bye");
        Assert.That(s.IsAlive, Is.False);
    }

    [Test]
    public void TimersShowsPendingTimersInDueOrder()
    {
        var s = Fake.Create(0, b => b
            .On("_start", c => { c.Kernel.Delay("b", TimeSpan.FromSeconds(2), 2); c.Kernel.Delay("a", TimeSpan.FromSeconds(1), 1); })
            .OnDefault(_ => { }));
        Assert.That(Fake.Timers.Select(t => (t.Name, t.Due - ManualTimeProvider.DefaultStart, t.Session)),
            Is.EqualTo(new[] { ("a", TimeSpan.FromSeconds(1), s), ("b", TimeSpan.FromSeconds(2), s) }));
        Fake.Run();
        Assert.That(Fake.Timers, Is.Empty);
    }

    [Test]
    public void RunInsideAHandlerIsRefused()
    {
        Exception? error = null;
        Fake.Create(0, b => b.On("_start", c => c.Kernel.Yield("e")).On("e", c =>
        {
            try { c.Kernel.Run(); }
            catch (InvalidOperationException e) { error = e; }
        }));
        Fake.Run();
        Assert.That(error?.Message, Does.Contain("already running"));
    }
}
