namespace PoeSharp.KernelTests;

/// <summary>§1.2 and §1.7/§1.8: _start, _stop, _child, _parent, detach, stop(), run().</summary>
public sealed class LifecycleTests : KernelTestBase
{
    [Test]
    public void StartRunsSynchronouslyInsideCreateWithArgsAndTheParentAsSender()
    {
        var heap = new LogHeap();
        var s = Fake.Create(heap, b => b.On("_start", c => c.Heap.Lines.Add($"{c.Arg<string>(0)} {c.Arg<int>(1)} from {c.Sender}")), "hi", 7);
        Assert.That(heap.Lines, Is.EqualTo(new[] { "hi 7 from kernel" }));
        Assert.That(s.Id, Is.EqualTo(1));
        Fake.Run();
    }

    [Test]
    public void SessionIdsCountFromOneInCreationOrder()
    {
        var ids = new List<int>();
        for (int i = 0; i < 3; i++) ids.Add(Fake.Create(0, b => b.On("_start", _ => { })).Id);
        Fake.Run();
        ids.Add(Fake.Create(0, b => b.On("_start", _ => { })).Id);
        Fake.Run();
        Assert.That(ids, Is.EqualTo(new[] { 1, 2, 3, 4 }));
    }

    [Test]
    public void CreateWithoutStartIsDiscarded()
    {
        var s = K.Create(0, b => b.On("x", _ => { }));
        Assert.That(s, Is.Null);
        Assert.That(K.SessionCount, Is.Zero);
    }

    [Test]
    public void ParentGetsChildCreateAndLoseWithStartAndStopReturnValues()
    {
        // meh-startstop-return
        var seen = new List<string>();
        Fake.Create(0, b => b
            .On("_start", c => c.Kernel.Create(0, cb => cb
                .OnCall("_start", _ => "_start")
                .OnCall("_stop", _ => "_stop")))
            .On("_child", c => seen.Add($"{c.Arg<string>(0)}:{c[2]}")));
        Fake.Run();
        Assert.That(seen, Is.EqualTo(new[] { "create:_start", "lose:_stop" }));
    }

    [Test]
    public void StoppingParentHandsChildrenToGrandparentWithGainAndParentEvents()
    {
        // A session only stops with live children when something stops it directly: here an
        // unhandled DIE in A walks up to its ancestors (top, then root) while sibling B lives.
        var events = new List<string>();
        Fake.Create(0, rb => rb
            .On("_start", rc => rc.Kernel.Create(0, tb => tb
                .On("_start", tc =>
                {
                    tc.Kernel.Create(0, ab => ab.On("_start", ac => ac.Kernel.Yield("boom")).On("boom", _ => throw new InvalidOperationException("A failed")));
                    tc.Kernel.Create(0, bb => bb
                        .On("_start", bc => bc.Kernel.Delay("wait", TimeSpan.FromHours(1)))
                        .On("_parent", bc => events.Add($"B _parent {bc.Arg<Session>(0)} -> {bc.Arg<Session>(1)}"))
                        .On("_stop", _ => events.Add("B _stop")));
                })
                .On("_stop", _ => events.Add("top _stop"))))
            .On("_child", rc => { if (rc.Arg<string>(0) != "create") events.Add($"root _child {rc.Arg<string>(0)} {rc.Arg<Session>(1)}"); })
            .On("_stop", _ => events.Add("root _stop")));
        Assert.That(() => Fake.Run(), Throws.InvalidOperationException.With.Message.EqualTo("A failed"));
        Assert.That(events, Is.EqualTo(new[]
        {
            "root _child gain session 4",
            "B _parent session 2 -> session 1",
            "top _stop",
            "root _child lose session 2",
            "B _parent session 1 -> kernel",
            "root _stop",
            "B _stop",
        }));
    }

    [Test]
    public void DetachChildSendsLoseToParentAndParentToChild()
    {
        var events = new List<string>();
        KernelError result = KernelError.InvalidArgument, again = KernelError.None;
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                var child = c.Kernel.Create(0, cb => cb
                    .On("_start", cc => cc.Kernel.Yield("tick"))
                    .On("tick", _ => { })
                    .On("_parent", cc => events.Add($"child _parent {cc.Arg<Session>(0).Id}->{(cc.Arg<Session>(1).IsKernel ? "kernel" : "?")}")))!;
                result = c.Kernel.DetachChild(child);
                again = c.Kernel.DetachChild(child);
            })
            .On("_child", c => events.Add($"_child {c.Arg<string>(0)} {c[2] ?? "null"}")));
        Fake.Run();
        Assert.That(result, Is.EqualTo(KernelError.None));
        Assert.That(again, Is.EqualTo(KernelError.NotPermitted));
        Assert.That(events, Is.EqualTo(new[] { "_child create null", "_child lose null", "child _parent 1->kernel" }));
    }

    [Test]
    public void DetachMyselfInsideStartSkipsCreateAndLoseAndFailsForTopLevelSessions() =>
        AssertDetachInStart(Fake.Kernel, Fake.Run);

    [Test]
    public void DetachMyselfInsideStartSkipsCreateAndLoseOnTheRealKernel()
    {
        using var kernel = new Kernel();
        AssertDetachInStart(kernel, kernel.Run);
        Assert.That(kernel.FindLeaks(), Is.Empty);
    }

    private static void AssertDetachInStart(Kernel kernel, Action run)
    {
        // POE (session_alloc) sends "create" to the child's parent as it is after _start; a child
        // that detached itself there belongs to the kernel, so its creator hears of it neither as
        // "create" nor as "lose". A sibling that stays still produces "create".
        var events = new List<string>();
        KernelError top = KernelError.None, inner = KernelError.InvalidArgument;
        kernel.Create(0, b => b
            .On("_start", c =>
            {
                top = c.Kernel.DetachMyself();
                c.Kernel.Create(0, cb => cb
                    .OnCall("_start", cc => { inner = cc.Kernel.DetachMyself(); return "detached"; })
                    .On("_parent", cc => events.Add(
                        $"child _parent {cc.Arg<Session>(0).Id}->{(cc.Arg<Session>(1).IsKernel ? "kernel" : "?")}")));
                c.Kernel.Create(0, cb => cb.OnCall("_start", _ => "stayed"));
            })
            .On("_child", c => events.Add($"_child {c.Arg<string>(0)} {c.Arg<Session>(1).Id} {c[2] ?? "null"}")));
        run();
        Assert.That(top, Is.EqualTo(KernelError.NotPermitted));
        Assert.That(inner, Is.EqualTo(KernelError.None));
        Assert.That(events, Is.EqualTo(new[] { "child _parent 1->kernel", "_child create 3 stayed", "_child lose 3 null" }));
    }

    [Test]
    public void PostsFromStopAreAcceptedButNeverDelivered()
    {
        // §0.7: events sent by a stopping session are discarded, whatever the destination.
        KernelError fromStop = KernelError.InvalidArgument;
        Fake.Create(0, b => b
            .On("_start", c => c.Kernel.AliasSet("listener"))
            .On("note", c => Log.Add("listener got note"))
            .On("done", c => c.Kernel.AliasRemove("listener")));
        Fake.Create(0, b => b
            .On("_start", _ => { })
            .On("_stop", c => { fromStop = c.Kernel.Post("listener", "note"); c.Kernel.Post("listener", "done"); }));
        Fake.Run();
        Assert.That(fromStop, Is.EqualTo(KernelError.None));
        Assert.That(Log, Is.Empty);
    }

    [Test]
    public void StopFromTheTopOfAFourDeepChainGivesFourStopsThreeLosesNoParents()
    {
        // ses_session: each with an alias and a one-hour delay; stop() from the top.
        int stops = 0, loses = 0, parents = 0;
        var heaps = new List<WeakReference>();
        void Make(SessionBuilder<LogHeap> b, int depth) => b
            .On("_start", c =>
            {
                c.Kernel.AliasSet("chain" + depth);
                c.Kernel.Delay("hour", TimeSpan.FromHours(1));
                if (depth < 4) c.Kernel.Create(new LogHeap(), cb => Make(cb, depth + 1));
                else c.Kernel.Yield("stop_all");
            })
            .On("stop_all", c => c.Kernel.Stop())
            .On("_stop", c => stops++)
            .On("_child", c => { if (c.Arg<string>(0) == "lose") loses++; })
            .On("_parent", c => parents++);
        Fake.Create(new LogHeap(), b => Make(b, 1));
        Fake.Run();
        Assert.That((stops, loses, parents), Is.EqualTo((4, 3, 0)));
        Assert.That(K.SessionCount, Is.Zero);
    }

    [Test]
    public void RunWithNoSessionsReturnsAtOnce()
    {
        Assert.That(() => K.Run(), Throws.Nothing);
        Assert.That(K.RunOneTimeslice(), Is.False);
    }

    [Test]
    public void RunCanBeCalledAgainWithNewSessions()
    {
        for (int round = 0; round < 2; round++)
        {
            Fake.Create(new LogHeap(), b => b
                .On("_start", c => c.Kernel.Yield("next"))
                .On("next", c => { Log.Add("yielded"); c.Kernel.Delay("tick", TimeSpan.FromSeconds(1)); })
                .On("tick", c => Log.Add("tick"))
                .On("_stop", c => Log.Add("stop")));
            Fake.Run();
        }
        Assert.That(Log, Is.EqualTo(new[] { "yielded", "tick", "stop", "yielded", "tick", "stop" }));
    }

    [Test]
    public void ActiveSessionIsTheKernelOutsideHandlersAndTheSessionInsideStop()
    {
        Session? inStop = null;
        Assert.That(K.ActiveSession.IsKernel, Is.True);
        var s = Fake.Create(0, b => b.On("_start", _ => { }).On("_stop", c => inStop = c.Kernel.ActiveSession));
        Fake.Run();
        Assert.That(inStop, Is.SameAs(s));
        Assert.That(K.ActiveSession.IsKernel, Is.True);
        Assert.That(K.ActiveEvent, Is.Null);
    }

    [Test]
    public void StateAddsAndRemovesHandlersAtRunTime()
    {
        Fake.Create(new LogHeap(), b => b
            .On("_start", c =>
            {
                c.Kernel.State<LogHeap>("dyn", dc => dc.Heap.Lines.Add("dyn " + dc.Arg<int>(0)));
                c.Kernel.Yield("dyn", 1);
                c.Kernel.Yield("remove");
                c.Kernel.Yield("dyn", 2);
            })
            .On("remove", c => c.Kernel.State("dyn"))
            .OnDefault(c => { c.Heap.Lines.Add("default " + c.Arg<string>(0)); })
            .On("_stop", c => Log.AddRange(c.Heap.Lines)));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "dyn 1", "default dyn" }));
    }

    [Test]
    public void StateOutsideASessionIsNoSuchSessionAndAWrongHeapTypeThrows()
    {
        Assert.That(K.State("x", (EventContext<object?> _) => { }), Is.EqualTo(KernelError.NoSuchSession));
        Exception? wrong = null;
        Fake.Create(new LogHeap(), b => b.On("_start", c =>
        {
            try { c.Kernel.State<int>("x", (EventContext<int> _) => { }); }
            catch (ArgumentException e) { wrong = e; }
        }));
        Fake.Run();
        Assert.That(wrong?.Message, Does.Contain("LogHeap"));
    }

    [Test]
    public void MethodGroupsOfAnObjectAreHandlers()
    {
        // object_states: handlers are methods of an object.
        var counter = new CountingObject();
        Fake.Create(new LogHeap(), b => b
            .On("_start", counter.Start)
            .On("count", counter.Count)
            .OnCall("_stop", counter.Stop));
        Fake.Run();
        Assert.That(counter.Final, Is.EqualTo(5));
    }

    private sealed class CountingObject
    {
        public int Final;

        public void Start(EventContext<LogHeap> c) => c.Kernel.Yield("count");

        public void Count(EventContext<LogHeap> c)
        {
            if (++c.Heap.Count < 5) c.Kernel.Yield("count");
        }

        public object? Stop(EventContext<LogHeap> c) => Final = c.Heap.Count;
    }

    [Test]
    public void TypedEventsCarryTheirArgumentType()
    {
        var gotLine = new Event<string>("got_line");
        Fake.Create(0, b => b
            .On("_start", c => c.Kernel.Yield(gotLine, "hello"))
            .On(gotLine, (c, line) => Log.Add(line.ToUpperInvariant())));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "HELLO" }));
    }

    [Test]
    public void TraceOptionLogsEveryDispatchedEvent()
    {
        var trace = new StringWriter();
        using var fake = new PoeSharp.Testing.FakeKernel(new KernelOptions { Trace = true, TraceWriter = trace });
        fake.Create(0, b => b.On("_start", c => c.Kernel.Yield("ping")).On("ping", _ => { }));
        fake.Run();
        Assert.That(trace.ToString(), Does.Contain("1 -> _start").And.Contain("1 -> ping"));
    }

    [Test]
    public void DefaultWarningsReportUnhandledEvents()
    {
        var warnings = new StringWriter();
        using var fake = new PoeSharp.Testing.FakeKernel(new KernelOptions { WarningWriter = warnings });
        fake.Create(0, b => b.Options(defaultWarnings: true).On("_start", c => c.Kernel.Yield("lost")));
        fake.Run();
        Assert.That(warnings.ToString(), Does.Contain("'lost'"));
    }
}
