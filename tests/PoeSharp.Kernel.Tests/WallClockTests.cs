using PoeSharp.Loop;
using PoeSharp.Testing;

namespace PoeSharp.KernelTests;

/// <summary>
/// Wall-clock timers (<c>Alarm</c>, <c>AlarmAdd</c>, <c>AlarmSet</c>) on the real kernel (epoll loop,
/// system clock) and on the fake one: equal due times keep insertion order and the times the
/// kernel hands back are exactly the ones set, as in POE with its static epoch.
/// </summary>
public sealed class WallClockTests
{
    private const int Rounds = 100;

    [Test]
    public void EqualWallClockTimesFireInInsertionOrderOnTheRealKernel()
    {
        for (int round = 0; round < Rounds; round++)
        {
            using var kernel = new Kernel();
            var fired = FireEqualAlarms(kernel, TimeSpan.FromMilliseconds(1), kernel.Run);
            Assert.That(fired, Is.EqualTo(Enumerable.Range(0, 200)), $"round {round}");
        }
    }

    [Test]
    public void EqualWallClockTimesFireInInsertionOrderOnTheFakeKernel()
    {
        using var fake = new FakeKernel();
        var fired = FireEqualAlarms(fake.Kernel, TimeSpan.FromSeconds(1), fake.Run);
        Assert.That(fired, Is.EqualTo(Enumerable.Range(0, 200)));
    }

    [Test]
    public void ReturnedTimesEqualTheTimesSetOnTheRealKernel()
    {
        for (int round = 0; round < Rounds; round++)
        {
            using var kernel = new Kernel();
            var seen = RoundTrip(kernel, kernel.Run, round);
            Assert.That(seen, Is.EqualTo(AllExact), $"round {round}");
        }
    }

    [Test]
    public void ReturnedTimesEqualTheTimesSetOnTheFakeKernel()
    {
        using var fake = new FakeKernel();
        var seen = RoundTrip(fake.Kernel, fake.Run, 7);
        Assert.That(seen, Is.EqualTo(AllExact));
    }

    [Test]
    public void AnAlarmSetAfterTheWallClockWasSteppedFiresAtTheWallClockTimeAskedFor()
    {
        // A step of the system clock (settimeofday, a suspend) moves the wall clock but not the
        // monotonic one; an alarm set afterwards must still fire at the wall-clock time given.
        var clock = new SteppableClock();
        using var kernel = new Kernel(new ManualLoop(), clock);
        var fired = new List<string>();
        kernel.Create(0, b => b
            .On("_start", c =>
            {
                c.Kernel.Alarm("before", clock.GetUtcNow() + TimeSpan.FromSeconds(10));
                clock.StepWallClock(TimeSpan.FromHours(1));
                c.Kernel.Alarm("after", clock.GetUtcNow() + TimeSpan.FromSeconds(5));
            })
            .On("before", _ => fired.Add($"before@{clock.Elapsed.TotalSeconds}"))
            .On("after", _ => fired.Add($"after@{clock.Elapsed.TotalSeconds}")));
        while (kernel.SessionCount > 0)
        {
            if (kernel.TimeUntilNextEvent() is { } wait) clock.Advance(wait);
            kernel.RunOneTimeslice();
        }
        Assert.That(fired, Is.EqualTo(new[] { "after@5", "before@10" }));
    }

    [Test]
    public void ASmallDifferenceBetweenTheClocksKeepsTheOffset()
    {
        // Below the step tolerance the offset stays, so times set before and after still compare
        // exactly and equal times keep their order.
        var clock = new SteppableClock();
        using var kernel = new Kernel(new ManualLoop(), clock);
        var when = clock.GetUtcNow() + TimeSpan.FromSeconds(2);
        var log = new List<string>();
        kernel.Create(0, b => b
            .On("_start", c =>
            {
                c.Kernel.AlarmAdd("t", when, 0);
                clock.StepWallClock(TimeSpan.FromMilliseconds(300));
                int id = c.Kernel.AlarmSet("t", when, 1);
                log.Add(Compare("adjust", c.Kernel.AlarmAdjust(id, TimeSpan.Zero), when));
            })
            .On("t", c => log.Add($"t{c.Arg<int>(0)}@{clock.Elapsed.TotalSeconds}")));
        while (kernel.SessionCount > 0)
        {
            if (kernel.TimeUntilNextEvent() is { } wait) clock.Advance(wait);
            kernel.RunOneTimeslice();
        }
        Assert.That(log, Is.EqualTo(new[] { "adjust exact", "t0@2", "t1@2" }));
    }

    private static List<int> FireEqualAlarms(Kernel kernel, TimeSpan ahead, Action run)
    {
        var fired = new List<int>();
        kernel.Create(0, b => b
            .On("_start", c =>
            {
                // Every call converts the same DateTimeOffset: all four ways of setting a wall-clock
                // timer, interleaved, must land on one due time in the order they were made.
                var when = c.Kernel.Time.GetUtcNow() + ahead;
                for (int i = 0; i < 200; i++)
                {
                    switch (i % 4)
                    {
                        case 0: c.Kernel.AlarmAdd("t", when, i); break;
                        case 1: c.Kernel.AlarmSet("t", when, i); break;
                        case 2: c.Kernel.Alarm($"t{i}", when, i); break;
                        default:
                            int id = c.Kernel.AlarmSet("t", when + TimeSpan.FromTicks(1), i);
                            c.Kernel.AlarmAdjust(id, TimeSpan.FromTicks(-1));
                            break;
                    }
                }
            })
            .OnDefault(c =>
            {
                if (c.Arg<string>(0).StartsWith('t')) fired.Add((int)c.Arg<object?[]>(1)[0]!);
            }));
        run();
        return fired;
    }

    // Sets alarms at times with odd tick counts, then reads them back every way the kernel reports them.
    private static List<string> RoundTrip(Kernel kernel, Action run, int salt)
    {
        var seen = new List<string>();
        kernel.Create(0, b => b
            .On("_start", c =>
            {
                var k = c.Kernel;
                var when = k.Time.GetUtcNow() + TimeSpan.FromSeconds(30) + TimeSpan.FromTicks(1_234_567 + salt * 7_919);
                var delta = TimeSpan.FromTicks(-987_653 - salt);
                int a = k.AlarmSet("a", when);
                int b = k.AlarmSet("b", when + TimeSpan.FromTicks(1));
                k.AlarmAdd("c", when + TimeSpan.FromTicks(3), "c");
                seen.Add(Compare("adjust", k.AlarmAdjust(a, delta), when + delta));
                seen.Add(Compare("adjust back", k.AlarmAdjust(a, -delta), when));
                seen.Add(Compare("remove", k.AlarmRemove(b)?.Due, when + TimeSpan.FromTicks(1)));
                var all = k.AlarmRemoveAll();
                seen.Add(Compare("remove all a", all[0].Due, when));
                seen.Add(Compare("remove all c", all[1].Due, when + TimeSpan.FromTicks(3)));
            }));
        run();
        return seen;
    }

    private static string Compare(string what, DateTimeOffset? got, DateTimeOffset want) =>
        got == want ? $"{what} exact" : $"{what} {got:O} != {want:O}";

    private static readonly string[] AllExact =
        ["adjust exact", "adjust back exact", "remove exact", "remove all a exact", "remove all c exact"];

    /// <summary>A manual clock whose wall time can be stepped without moving the monotonic time.</summary>
    private sealed class SteppableClock : TimeProvider
    {
        private readonly DateTimeOffset _start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        private TimeSpan _step;

        public TimeSpan Elapsed { get; private set; }

        public override DateTimeOffset GetUtcNow() => _start + _step + Elapsed;

        public override long GetTimestamp() => Elapsed.Ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public void Advance(TimeSpan by) => Elapsed += by;

        public void StepWallClock(TimeSpan by) => _step += by;
    }
}
