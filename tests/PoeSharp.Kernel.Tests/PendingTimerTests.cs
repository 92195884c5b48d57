using PoeSharp.Loop;
using PoeSharp.Testing;

namespace PoeSharp.KernelTests;

/// <summary>
/// <see cref="Kernel.Timers"/>: the read-only view of pending timers, on the real kernel (system
/// clock, manual loop) and on the fake one, in the order they will fire.
/// </summary>
public sealed class PendingTimerTests
{
    private sealed record Set(int Late, int First, int Second, int Delayed, DateTimeOffset At);

    // Sets, in this order: a late alarm, two alarms for one instant, and a delay between them.
    private static (Session Session, Set Ids) CreateTimers(Kernel kernel)
    {
        Set? ids = null;
        var s = kernel.Create(0, b => b
            .On("_start", c =>
            {
                var at = c.Kernel.Time.GetUtcNow() + TimeSpan.FromHours(1);
                int late = c.Kernel.AlarmSet("late", at + TimeSpan.FromHours(1), "z");
                int first = c.Kernel.AlarmSet("same", at, 1);
                int second = c.Kernel.AlarmSet("same", at, 2);
                int delayed = c.Kernel.DelaySet("soon", TimeSpan.FromMinutes(30), "a", null);
                ids = new Set(late, first, second, delayed, at);
            })
            .On("stop", c => c.Kernel.AlarmRemoveAll()))!;
        return (s, ids!);
    }

    private static void AssertView(Kernel kernel, TimeProvider time, Session s, Set ids)
    {
        var timers = kernel.Timers;
        Assert.That(timers.Select(t => t.Id), Is.EqualTo(new[] { ids.Delayed, ids.First, ids.Second, ids.Late }),
            "due order, equal due times in the order they were set");
        Assert.That(timers.Select(t => t.Name), Is.EqualTo(new[] { "soon", "same", "same", "late" }));
        Assert.That(timers.Select(t => t.Session), Is.All.SameAs(s));
        Assert.That(timers[1].Due, Is.EqualTo(ids.At), "wall-clock due time exactly as set");
        Assert.That(timers[3].Due, Is.EqualTo(ids.At + TimeSpan.FromHours(1)));
        Assert.That(timers[1].DueTimestamp, Is.EqualTo(timers[2].DueTimestamp));
        Assert.That(time.GetElapsedTime(timers[1].DueTimestamp, timers[3].DueTimestamp), Is.EqualTo(TimeSpan.FromHours(1)),
            "the monotonic due times are the kernel's timestamps");
        // A delay's monotonic due time need not fall on a 100 ns TimeSpan tick; its wall-clock time is rounded to one.
        Assert.That(time.GetElapsedTime(timers[0].DueTimestamp, timers[1].DueTimestamp),
            Is.EqualTo(timers[1].Due - timers[0].Due).Within(TimeSpan.FromTicks(1)));
        Assert.That(timers[0].Args, Is.EqualTo(new object?[] { "a", null }));
        Assert.That(timers[2].Args, Is.EqualTo(new object?[] { 2 }));
        Assert.That(() => ((IList<object?>)timers[2].Args)[0] = 3, Throws.TypeOf<NotSupportedException>(), "the arguments are read-only");
        Assert.That(kernel.Timers[2].Args[0], Is.EqualTo(2));
    }

    [Test]
    public void TheRealKernelShowsPendingTimersInFiringOrder()
    {
        using var kernel = new Kernel(new ManualLoop(), TimeProvider.System);
        var (s, ids) = CreateTimers(kernel);
        AssertView(kernel, TimeProvider.System, s, ids);

        var before = kernel.Timers;
        kernel.Post(s, "stop");
        kernel.Run();
        Assert.That(kernel.Timers, Is.Empty);
        Assert.That(before, Has.Count.EqualTo(4), "a view is a snapshot");
        Assert.That(kernel.FindLeaks(), Is.Empty);
    }

    [Test]
    public void TheFakeKernelShowsTheKernelsView()
    {
        using var fake = new FakeKernel();
        var (s, ids) = CreateTimers(fake.Kernel);
        AssertView(fake.Kernel, fake.Time, s, ids);
        Assert.That(fake.Timers, Is.EqualTo(fake.Kernel.Timers).Using<PendingTimer>((a, b) =>
            a.Id == b.Id && a.Due == b.Due && a.DueTimestamp == b.DueTimestamp && a.Args.SequenceEqual(b.Args)));

        fake.Advance(TimeSpan.FromMinutes(30));
        Assert.That(fake.Timers.Select(t => t.Id), Is.EqualTo(new[] { ids.First, ids.Second, ids.Late }), "fired timers leave the view");
        Assert.That(fake.Timers[0].DueTimestamp - fake.Time.GetTimestamp(),
            Is.EqualTo(TimeSpan.FromMinutes(30).Ticks * fake.Time.TimestampFrequency / TimeSpan.TicksPerSecond));

        fake.Deliver(s, "stop");
        Assert.That(fake.Timers, Is.Empty);
        Assert.That(fake.FindLeaks(), Is.Empty);
    }

    [Test]
    public void AdjustedAndRemovedTimersShowWhereTheyWillFire()
    {
        using var fake = new FakeKernel();
        Set? ids = null;
        var s = fake.Create(0, b => b
            .On("_start", c =>
            {
                var at = c.Kernel.Time.GetUtcNow() + TimeSpan.FromHours(1);
                ids = new Set(c.Kernel.AlarmSet("late", at + TimeSpan.FromHours(1)), c.Kernel.AlarmSet("same", at, 1),
                              c.Kernel.AlarmSet("same", at, 2), c.Kernel.DelaySet("soon", TimeSpan.FromMinutes(30)), at);
            })
            .On("change", c =>
            {
                c.Kernel.AlarmAdjust(ids!.Late, -TimeSpan.FromMinutes(75));
                c.Kernel.AlarmRemove(ids.Second);
            })
            .On("stop", c => c.Kernel.AlarmRemoveAll()));
        fake.Deliver(s, "change");
        var timers = fake.Timers;
        Assert.That(timers.Select(t => t.Id), Is.EqualTo(new[] { ids!.Delayed, ids.Late, ids.First }));
        Assert.That(timers[1].Due, Is.EqualTo(ids.At - TimeSpan.FromMinutes(15)));
        fake.Deliver(s, "stop");
        Assert.That(fake.FindLeaks(), Is.Empty);
    }
}
