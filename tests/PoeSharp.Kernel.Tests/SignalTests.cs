namespace PoeSharp.KernelTests;

/// <summary>§1.6: signals, propagation, classes, OS signals through the fake process host.</summary>
public sealed class SignalTests : KernelTestBase
{
    [Test]
    public void SignalBeforeRunReachesNestedWatchersWithItsArguments()
    {
        // z_steinert: signal(kernel, 'MOO', 99) before run(); two nested sessions both see it.
        var seen = new List<string>();
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                c.Kernel.Sig("MOO", "moo");
                c.Kernel.Delay("keep", TimeSpan.FromSeconds(1));
                c.Kernel.Create(0, cb => cb
                    .On("_start", cc => { cc.Kernel.Sig("MOO", "moo"); cc.Kernel.Delay("keep", TimeSpan.FromSeconds(1)); })
                    .On("moo", cc => seen.Add($"child {cc.Arg<string>(0)} {cc.Arg<int>(1)}"))
                    .On("keep", _ => { }));
            })
            .On("moo", c => seen.Add($"parent {c.Arg<string>(0)} {c.Arg<int>(1)} from {c.Sender}"))
            .On("keep", _ => { }));
        Assert.That(K.Signal(K.KernelSession, "MOO", 99), Is.EqualTo(KernelError.None));
        Fake.Run();
        Assert.That(seen, Is.EqualTo(new[] { "child MOO 99", "parent MOO 99 from kernel" }), "deepest first, SENDER kernel");
    }

    [Test]
    public void WatcherArgumentsFollowTheSignalArguments()
    {
        object?[]? args = null;
        Fake.Create(0, b => b
            .On("_start", c => { c.Kernel.Sig("PING", "ping", "reg"); c.Kernel.Signal(c.Session, "PING", "sig"); })
            .On("ping", c => args = c.ArgArray));
        Fake.Run();
        Assert.That(args, Is.EqualTo(new object?[] { "PING", "sig", "reg" }));
    }

    [Test]
    public void SignalToUnknownSessionIsNoSuchSession()
    {
        Assert.That(K.Signal("nobody", "USR1"), Is.EqualTo(KernelError.NoSuchSession));
    }

    [Test]
    public void UnhandledTerminalSignalStopsEveryTouchedSessionWatcherOrNot()
    {
        var stops = new List<string>();
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                c.Kernel.Delay("hour", TimeSpan.FromHours(1));
                c.Kernel.Sig("TERM", "term");
                c.Kernel.Create(0, cb => cb
                    .On("_start", cc => cc.Kernel.Delay("hour", TimeSpan.FromHours(1)))
                    .On("_stop", _ => stops.Add("child")));
                c.Kernel.Yield("kill");
            })
            .On("kill", c => c.Kernel.Signal(c.Session, "TERM"))
            .On("term", _ => stops.Add("watcher ran"))
            .On("_stop", _ => stops.Add("parent")));
        Fake.Create(0, b => b
            .On("_start", c => c.Kernel.Delay("t", TimeSpan.FromSeconds(5)))
            .On("t", _ => stops.Add("bystander timer"))
            .On("_stop", _ => stops.Add("bystander")));
        Fake.Run();
        Assert.That(stops, Is.EqualTo(new[] { "watcher ran", "child", "parent", "bystander timer", "bystander" }));
        Assert.That(Fake.Time.Elapsed, Is.EqualTo(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public void OneSigHandledPreventsTheTerminalStopForTheWholeGroup()
    {
        var s = Fake.Create(0, b => b
            .On("_start", c =>
            {
                c.Kernel.Sig("INT", "int");
                c.Kernel.Delay("end", TimeSpan.FromSeconds(2));
                c.Kernel.Create(0, cb => cb
                    .On("_start", cc => { cc.Kernel.Sig("INT", "int"); cc.Kernel.Delay("end", TimeSpan.FromSeconds(2)); })
                    .On("int", cc => cc.Kernel.SigHandled())
                    .On("end", _ => Log.Add("child survived")));
                c.Kernel.Delay("raise", TimeSpan.FromSeconds(1));
            })
            .On("raise", c => c.Kernel.Signal(c.Session, "INT"))
            .On("int", _ => Log.Add("parent saw INT"))
            .On("end", _ => Log.Add("parent survived")));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "parent saw INT", "parent survived", "child survived" }));
    }

    [Test]
    public void BenignSignalsStopNobody()
    {
        Fake.Create(0, b => b
            .On("_start", c => { c.Kernel.Delay("end", TimeSpan.FromSeconds(1)); c.Kernel.Signal(c.Session, "USR1"); c.Kernel.Signal(c.Session, "MY_OWN"); })
            .On("end", _ => Log.Add("still alive")));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "still alive" }));
    }

    [Test]
    public void ZombieIsNonMaskable()
    {
        Fake.Create(0, b => b
            .On("_start", c => { c.Kernel.Sig("ZOMBIE", "z"); c.Kernel.Delay("end", TimeSpan.FromSeconds(1)); c.Kernel.Signal(c.Session, "ZOMBIE"); })
            .On("z", c => { Log.Add("handled"); c.Kernel.SigHandled(); })
            .On("end", _ => Log.Add("survived")));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "handled" }));
    }

    [Test]
    public void PostsQueuedBeforeATerminalSignalKillsTheSenderAreDropped()
    {
        // §0.7: posts made after a terminal signal was queued are dropped when it kills the sender.
        Fake.Create(0, b => b
            .On("_start", c => c.Kernel.AliasSet("listener"))
            .On("note", _ => Log.Add("note delivered"))
            .On("bye", c => c.Kernel.AliasRemove("listener")));
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                c.Kernel.Signal(c.Session, "TERM");
                c.Kernel.Post("listener", "note");
                c.Kernel.Post("listener", "bye");
            }));
        Fake.Run();
        Assert.That(Log, Is.Empty);
    }

    [Test]
    public void FirstWatcherOfAnOsSignalMakesTheHostDeliverItAndIntStopsEveryone()
    {
        // With an INT watcher that does not call sig_handled, every session gets _stop and run() returns.
        Fake.Create(0, b => b
            .On("_start", c => { c.Kernel.Sig("INT", "int"); c.Kernel.Delay("hour", TimeSpan.FromHours(1)); })
            .On("int", _ => Log.Add("int"))
            .On("_stop", _ => Log.Add("stop 1")));
        Fake.Create(0, b => b
            .On("_start", c => c.Kernel.Delay("hour", TimeSpan.FromHours(1)))
            .On("_stop", _ => Log.Add("stop 2")));
        Assert.That(Fake.Processes.WatchedSignals, Is.EqualTo(new[] { "INT" }));
        Assert.That(Fake.Processes.RaiseSignal("INT"), Is.True);
        Assert.That(Fake.Processes.RaiseSignal("TERM"), Is.False, "nobody watches TERM");
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "int", "stop 2", "stop 1" }));
        Assert.That(Fake.Time.Elapsed, Is.EqualTo(TimeSpan.Zero));
        Assert.That(Fake.Processes.WatchedSignals, Is.Empty);
    }

    [Test]
    public void OsSignalsRaisedRepeatedlyAreEachDeliveredOnce()
    {
        // k_signals: USR1 and PIPE to self, five rounds.
        int usr1 = 0, pipe = 0;
        Fake.Create(0, b => b
            .On("_start", c => { c.Kernel.Sig("USR1", "got"); c.Kernel.Sig("PIPE", "got"); c.Kernel.Delay("round", TimeSpan.FromSeconds(1), 5); })
            .On("got", c => { if (c.Arg<string>(0) == "USR1") usr1++; else pipe++; })
            .On("round", c =>
            {
                Fake.Processes.RaiseSignal("USR1");
                Fake.Processes.RaiseSignal("PIPE");
                int left = c.Arg<int>(0) - 1;
                if (left > 0) c.Kernel.Delay("round", TimeSpan.FromSeconds(1), left);
                else c.Kernel.Yield("finish");
            })
            .On("finish", c => { c.Kernel.Sig("USR1"); c.Kernel.Sig("PIPE"); }));
        Fake.Run();
        Assert.That((usr1, pipe), Is.EqualTo((5, 5)));
    }

    [Test]
    public void ProcessHostIsNotTouchedWithoutForkOrOsSignals()
    {
        Fake.Create(0, b => b.On("_start", c => { c.Kernel.Sig("MY_SIGNAL", "x"); c.Kernel.Yield("e"); }).On("e", _ => { }));
        Fake.Run();
        Assert.That(Fake.Processes.IsAttached, Is.False);
    }
}
