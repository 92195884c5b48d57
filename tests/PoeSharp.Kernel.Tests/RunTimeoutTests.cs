using System.Diagnostics;
using PoeSharp.Testing;

namespace PoeSharp.KernelTests;

/// <summary>
/// <c>Kernel.Run(TimeSpan)</c>: a run that gives up when its time is up and says which sessions
/// are still alive and why, on the real kernel (epoll loop, system clock) and the fake one.
/// </summary>
public sealed class RunTimeoutTests
{
    [Test]
    public void AHangingSessionIsReportedWithWhatKeepsItAliveOnTheRealKernel()
    {
        using var kernel = new Kernel();
        var session = CreateHanging(kernel);
        var clock = Stopwatch.StartNew();

        var e = Assert.Throws<KernelTimeoutException>(() => kernel.Run(TimeSpan.FromMilliseconds(50)))!;

        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(50)));
        AssertHangingReport(e, session, TimeSpan.FromMilliseconds(50));
        // The sessions are left as they were: the run can go on once the cause is gone.
        Assert.That(kernel.SessionCount, Is.EqualTo(1));
        kernel.Post(session, "release");
        kernel.Run(TimeSpan.FromSeconds(30));
        Assert.That(kernel.SessionCount, Is.Zero);
        Assert.That(kernel.FindLeaks(), Is.Empty);
    }

    [Test]
    public void AHangingSessionIsReportedAtTheDeadlineInVirtualTimeOnTheFakeKernel()
    {
        using var fake = new FakeKernel();
        var session = CreateHanging(fake.Kernel);

        var e = Assert.Throws<KernelTimeoutException>(() => fake.Run(TimeSpan.FromMinutes(5)))!;

        Assert.That(fake.Time.Elapsed, Is.EqualTo(TimeSpan.FromMinutes(5)));
        AssertHangingReport(e, session, TimeSpan.FromMinutes(5));
        fake.Kernel.Post(session, "release");
        fake.Run(TimeSpan.FromMinutes(5));
        Assert.That(fake.Kernel.SessionCount, Is.Zero);
        Assert.That(fake.FindLeaks(), Is.Empty);
    }

    [Test]
    public void TimersDueUpToTheDeadlineStillFire()
    {
        using var fake = new FakeKernel();
        var ticks = new List<double>();
        fake.Create(0, b => b
            .On("_start", c => c.Kernel.Delay("tick", TimeSpan.FromMinutes(1)))
            .On("tick", c =>
            {
                ticks.Add(fake.Time.Elapsed.TotalMinutes);
                c.Kernel.Delay("tick", TimeSpan.FromMinutes(1));
            }));

        var e = Assert.Throws<KernelTimeoutException>(() => fake.Run(TimeSpan.FromMinutes(5)))!;

        Assert.That(ticks, Is.EqualTo(new double[] { 1, 2, 3, 4, 5 }));
        Assert.That(e.Alive.Select(r => r.ToString()), Is.EqualTo(new[] { "session 1: 1 timer" }));
        fake.Kernel.Stop();
    }

    [Test]
    public void ABusySessionThatNeverWaitsIsStoppedAtTheDeadlineOnTheRealKernel()
    {
        using var kernel = new Kernel();
        int spins = 0;
        kernel.Create(0, b => b
            .On("_start", c => c.Kernel.Yield("spin"))
            .On("spin", c => { spins++; c.Kernel.Yield("spin"); }));

        var e = Assert.Throws<KernelTimeoutException>(() => kernel.Run(TimeSpan.FromMilliseconds(20)))!;

        Assert.That(spins, Is.GreaterThan(0));
        Assert.That(e.Alive.Select(r => r.ToString()), Is.EqualTo(new[] { "session 1: 1 event queued" }));
        kernel.Stop();
        Assert.That(kernel.FindLeaks(), Is.Empty);
    }

    [Test]
    public void ARunThatFinishesInTimeReturnsNormally()
    {
        using var kernel = new Kernel();
        var log = new List<string>();
        kernel.Create(0, b => b
            .On("_start", c => c.Kernel.Delay("done", TimeSpan.FromMilliseconds(5)))
            .On("done", _ => log.Add("done")));

        kernel.Run(TimeSpan.FromSeconds(30));

        Assert.That(log, Is.EqualTo(new[] { "done" }));
        Assert.That(kernel.SessionCount, Is.Zero);
        // Without sessions there is nothing to wait for, whatever the limit.
        Assert.DoesNotThrow(() => kernel.Run(TimeSpan.Zero));
    }

    [Test]
    public void StopBeforeTheDeadlineIsNoTimeout()
    {
        using var fake = new FakeKernel();
        fake.Create(0, b => b
            .On("_start", c =>
            {
                c.Kernel.RefcountIncrement(c.Session, "hold");
                c.Kernel.Delay("quit", TimeSpan.FromSeconds(1));
            })
            .On("quit", c => c.Kernel.Stop()));

        Assert.DoesNotThrow(() => fake.Run(TimeSpan.FromMinutes(1)));
        Assert.That(fake.Time.Elapsed, Is.EqualTo(TimeSpan.FromSeconds(1)));
        Assert.That(fake.Kernel.SessionCount, Is.Zero);
    }

    [Test]
    public void ANegativeTimeoutIsRefused()
    {
        using var fake = new FakeKernel();
        Assert.Throws<ArgumentOutOfRangeException>(() => fake.Kernel.Run(TimeSpan.FromTicks(-1)));
    }

    // A session that would keep the kernel running for ever: an extra reference and a timer an
    // hour away, both given up when it is told "release".
    private static Session CreateHanging(Kernel kernel) =>
        kernel.Create(0, b => b
            .On("_start", c =>
            {
                c.Kernel.AliasSet("hanger");
                c.Kernel.RefcountIncrement(c.Session, "hold");
                c.Kernel.Delay("later", TimeSpan.FromHours(1));
            })
            .On("release", c =>
            {
                c.Kernel.RefcountDecrement(c.Session, "hold");
                c.Kernel.Delay("later");
                c.Kernel.AliasRemove("hanger");
            })
            .On("later", _ => { }))!;

    private static void AssertHangingReport(KernelTimeoutException e, Session session, TimeSpan timeout)
    {
        Assert.That(e.Timeout, Is.EqualTo(timeout));
        Assert.That(e.Alive, Has.Count.EqualTo(1));
        var report = e.Alive[0];
        Assert.That(report.SessionId, Is.EqualTo(session.Id));
        Assert.That(report.Timers, Is.EqualTo(1));
        Assert.That(report.Aliases, Is.EqualTo(new[] { "hanger" }));
        Assert.That(report.ExtraRefs, Is.EqualTo(new Dictionary<string, int> { ["hold"] = 1 }));
        Assert.That(e.Message, Does.Contain($"session {session.Id}: 1 timer, alias 'hanger', extra ref 'hold' x1"));
        Assert.That(e.Message, Does.Contain("1 session(s) alive"));
    }
}
