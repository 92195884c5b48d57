namespace PoeSharp.KernelTests;

/// <summary>§1.5: timers on the manual clock.</summary>
public sealed class TimerTests : KernelTestBase
{
    private DateTimeOffset Now => Fake.Time.GetUtcNow();

    [Test]
    public void TimersFireInDueOrderWithTheClockAtTheirDueTime()
    {
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                c.Kernel.Delay("c", TimeSpan.FromSeconds(3));
                c.Kernel.Delay("a", TimeSpan.FromSeconds(1));
                c.Kernel.Delay("b", TimeSpan.FromSeconds(2));
            })
            .OnDefault(c => { if (c.Arg<string>(0) != "_stop") Log.Add($"{c.Arg<string>(0)}@{Fake.Time.Elapsed.TotalSeconds}"); }));
        Fake.Advance(TimeSpan.FromSeconds(1.5));
        Assert.That(Log, Is.EqualTo(new[] { "a@1" }));
        Fake.Advance(TimeSpan.FromSeconds(10));
        Assert.That(Log, Is.EqualTo(new[] { "a@1", "b@2", "c@3" }));
    }

    [Test]
    public void EqualDueTimesKeepInsertionOrder()
    {
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                var when = Now + TimeSpan.FromSeconds(1);
                for (int i = 0; i < 5; i++) c.Kernel.AlarmAdd("t", when, i);
            })
            .On("t", c => Log.Add(c.Arg<int>(0).ToString())));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "0", "1", "2", "3", "4" }));
    }

    [Test]
    public void ReArmingWithDelayIsARemoveAndAnAdd()
    {
        // Delay(name, span) on a name with one pending timer re-arms it in place; it must look
        // exactly like POE's remove-then-add: a new alarm ID, the new due time and arguments, and
        // a place after every timer already due at that time.
        int oldId = 0;
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                oldId = c.Kernel.DelaySet("a", TimeSpan.FromSeconds(5), "first");
                c.Kernel.DelayAdd("b", TimeSpan.FromSeconds(2), "b");
                c.Kernel.Delay("a", TimeSpan.FromSeconds(2), "rearmed");
                Log.Add(c.Kernel.AlarmRemove(oldId) is null ? "old id gone" : "old id still there");
                Log.Add($"{c.Kernel.AlarmRemoveAll().Count} pending");
                oldId = c.Kernel.DelaySet("a", TimeSpan.FromSeconds(5), "first");
                c.Kernel.DelayAdd("b", TimeSpan.FromSeconds(2), "b");
                c.Kernel.Delay("a", TimeSpan.FromSeconds(2), "rearmed");
            })
            .On("a", c => Log.Add($"a {c.Arg<string>(0)}@{Fake.Time.Elapsed.TotalSeconds}"))
            .On("b", c => Log.Add($"b@{Fake.Time.Elapsed.TotalSeconds}")));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "old id gone", "2 pending", "b@2", "a rearmed@2" }));
    }

    [Test]
    public void AlarmAndDelayReplaceEveryTimerOfThatNameAndAloneClearThem()
    {
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                c.Kernel.DelayAdd("t", TimeSpan.FromSeconds(1), "add1");
                c.Kernel.AlarmAdd("t", Now + TimeSpan.FromSeconds(2), "add2");
                c.Kernel.AlarmSet("t", Now + TimeSpan.FromSeconds(3), "set3");
                c.Kernel.Delay("other", TimeSpan.FromSeconds(1));
                c.Kernel.Delay("t", TimeSpan.FromSeconds(5), "replacement");
                c.Kernel.Alarm("other");
            })
            .On("t", c => Log.Add(c.Arg<string>(0)))
            .On("other", _ => Log.Add("other")));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "replacement" }));
    }

    [Test]
    public void AlarmSetReturnsIdsAndAlarmAdjustMovesByDelta()
    {
        // k_alarms: alarm_set at 50 then adjust -1 gives 49.
        DateTimeOffset? adjusted = null;
        var start = Now;
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                int id = c.Kernel.AlarmSet("t", start + TimeSpan.FromSeconds(50));
                int id2 = c.Kernel.AlarmSet("t", start + TimeSpan.FromSeconds(60));
                Assert.That(id, Is.GreaterThan(0));
                Assert.That(id2, Is.Not.EqualTo(id));
                adjusted = c.Kernel.AlarmAdjust(id, TimeSpan.FromSeconds(-1));
                c.Kernel.AlarmRemove(id2);
            })
            .On("t", c => Log.Add($"t@{Fake.Time.Elapsed.TotalSeconds}")));
        Fake.Run();
        Assert.That(adjusted, Is.EqualTo(start + TimeSpan.FromSeconds(49)));
        Assert.That(Log, Is.EqualTo(new[] { "t@49" }));
    }

    [Test]
    public void AdjustedAlarmAndDelayBothFireWithinTwoSeconds()
    {
        // leolo-alarm-adjust: alarm_set(now+10) adjust -9; delay_set(10) delay_adjust(1).
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                int a = c.Kernel.AlarmSet("alarm", Now + TimeSpan.FromSeconds(10));
                c.Kernel.AlarmAdjust(a, TimeSpan.FromSeconds(-9));
                int d = c.Kernel.DelaySet("delay", TimeSpan.FromSeconds(10));
                c.Kernel.DelayAdjust(d, TimeSpan.FromSeconds(1));
            })
            .On("alarm", _ => Log.Add($"alarm@{Fake.Time.Elapsed.TotalSeconds}"))
            .On("delay", _ => Log.Add($"delay@{Fake.Time.Elapsed.TotalSeconds}")));
        Fake.Advance(TimeSpan.FromSeconds(2));
        Assert.That(Log, Is.EqualTo(new[] { "alarm@1", "delay@1" }));
        Fake.Run();
    }

    [Test]
    public void DelayAdjustIsRelativeToNowNotToTheOldDueTime()
    {
        Fake.Create(0, b => b
            .On("_start", c => { c.Kernel.Yield("later", c.Kernel.DelaySet("t", TimeSpan.FromSeconds(100))); })
            .On("later", c => c.Kernel.Delay("wait", TimeSpan.FromSeconds(5), c.Arg<int>(0)))
            .On("wait", c => c.Kernel.DelayAdjust(c.Arg<int>(0), TimeSpan.FromSeconds(1)))
            .On("t", _ => Log.Add($"t@{Fake.Time.Elapsed.TotalSeconds}")));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "t@6" }));
    }

    [Test]
    public void AlarmRemoveReturnsTheTimerAndOnlyForItsOwner()
    {
        RemovedAlarm? removed = null, again = null, foreign = null;
        int id = 0;
        var start = Now;
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                id = c.Kernel.AlarmSet("t", start + TimeSpan.FromSeconds(5), "x", 1);
                c.Kernel.Create(0, cb => cb.On("_start", cc => foreign = cc.Kernel.AlarmRemove(id)));
                removed = c.Kernel.AlarmRemove(id);
                again = c.Kernel.AlarmRemove(id);
            })
            .On("t", _ => Log.Add("fired")));
        Fake.Run();
        Assert.That(foreign, Is.Null);
        Assert.That(removed!.Value.Name, Is.EqualTo("t"));
        Assert.That(removed.Value.Due, Is.EqualTo(start + TimeSpan.FromSeconds(5)));
        Assert.That(removed.Value.Args, Is.EqualTo(new object?[] { "x", 1 }));
        Assert.That(again, Is.Null);
        Assert.That(Log, Is.Empty);
    }

    [Test]
    public void AlarmRemoveAllReturnsRealDueTimesAndArgumentArrays()
    {
        // §8.8 fixed: POE flattens args and reports only the delta for delay() timers.
        IReadOnlyList<RemovedAlarm>? all = null;
        var start = Now;
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                c.Kernel.Delay("d", TimeSpan.FromSeconds(3), 1, 2);
                c.Kernel.AlarmAdd("a", start + TimeSpan.FromSeconds(1), "x");
                c.Kernel.Yield("plain");
                all = c.Kernel.AlarmRemoveAll();
            })
            .On("plain", _ => Log.Add("plain event survives"))
            .OnDefault(_ => Log.Add("a timer fired")));
        Fake.Run();
        Assert.That(all!.Select(a => a.Name), Is.EqualTo(new[] { "a", "d" }));
        Assert.That(all![1].Due, Is.EqualTo(start + TimeSpan.FromSeconds(3)));
        Assert.That(all[1].Args, Is.EqualTo(new object?[] { 1, 2 }));
        Assert.That(Log, Is.EqualTo(new[] { "plain event survives", "a timer fired" }), "only _stop reaches _default");
    }

    [Test]
    public void TimersOfAStoppedSessionNeverFire()
    {
        Fake.Create(0, b => b
            .On("_start", c => { c.Kernel.Delay("late", TimeSpan.FromSeconds(10)); c.Kernel.Delay("die", TimeSpan.FromSeconds(1)); })
            .On("die", c => c.Kernel.Signal(c.Session, "TERM"))
            .On("late", _ => Log.Add("late fired")));
        Fake.Run();
        Assert.That(Log, Is.Empty);
        Assert.That(Fake.Time.Elapsed, Is.EqualTo(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public void TimerApisOutsideASessionReportNoSuchSession()
    {
        Assert.That(K.Delay("x", TimeSpan.FromSeconds(1)), Is.EqualTo(KernelError.NoSuchSession));
        Assert.That(K.DelaySet("x", TimeSpan.FromSeconds(1)), Is.Zero);
        Assert.That(K.AlarmRemove(1), Is.Null);
        Assert.That(K.AlarmRemoveAll(), Is.Empty);
    }

    [Test]
    public void TimerSenderIsTheSessionItself()
    {
        Session? sender = null, me = null;
        Fake.Create(0, b => b
            .On("_start", c => { me = c.Session; c.Kernel.Delay("t", TimeSpan.FromSeconds(1)); })
            .On("t", c => sender = c.Sender));
        Fake.Run();
        Assert.That(sender, Is.SameAs(me));
    }

    [Test]
    public void ManyTimersRemovedInRandomOrderLeaveTheRestInOrder()
    {
        var rng = new Random(7);
        var fired = new List<int>();
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                var ids = new List<(int Id, int Due)>();
                for (int i = 0; i < 2000; i++)
                {
                    int due = rng.Next(1, 500);
                    ids.Add((c.Kernel.DelaySet("t", TimeSpan.FromMilliseconds(due), due), due));
                }
                foreach (var (id, _) in ids.OrderBy(_ => rng.Next()).Take(1000)) c.Kernel.AlarmRemove(id);
            })
            .On("t", c => fired.Add(c.Arg<int>(0))));
        Fake.Run();
        Assert.That(fired, Has.Count.EqualTo(1000));
        Assert.That(fired, Is.Ordered);
    }

    [Test]
    public void StoppingOneSessionRemovesOnlyItsInterleavedTimers()
    {
        var victim = Fake.Create(0, b => b
            .On("_start", c => { for (int i = 1; i <= 5; i++) c.Kernel.DelayAdd("v", TimeSpan.FromSeconds(i * 2)); })
            .On("v", _ => Log.Add("victim timer")));
        Fake.Create(0, b => b
            .On("_start", c => { for (int i = 1; i <= 5; i++) c.Kernel.DelayAdd("k", TimeSpan.FromSeconds(i * 2 + 1), i); })
            .On("k", c => { Log.Add("keeper " + c.Arg<int>(0)); if (c.Arg<int>(0) == 1) c.Kernel.Signal(victim, "TERM"); }));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "victim timer", "keeper 1", "keeper 2", "keeper 3", "keeper 4", "keeper 5" }));
    }
}
