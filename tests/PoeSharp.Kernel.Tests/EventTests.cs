namespace PoeSharp.KernelTests;

/// <summary>§1.1: post, yield, call, FIFO order, _default, caller state.</summary>
public sealed class EventTests : KernelTestBase
{
    [Test]
    public void PostedAndYieldedEventsRunInPostOrder()
    {
        Fake.Create(new LogHeap(), b => b
            .On("_start", c =>
            {
                c.Kernel.Yield("e", 1);
                c.Kernel.Post(c.Session, "e", 2);
                c.Kernel.Yield("e", 3);
                c.Kernel.Post(c.Session.Id, "e", 4);
            })
            .On("e", c => Log.Add("e" + c.Arg<int>(0))));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "e1", "e2", "e3", "e4" }));
    }

    [Test]
    public void YieldAndPostSenderIsThePostingSession()
    {
        Session? a = null;
        Fake.Create(0, b => b
            .On("_start", c => { a = c.Session; c.Kernel.Yield("self"); c.Kernel.AliasSet("a"); })
            .On("self", c => Log.Add($"self from {c.Sender.Id}"))
            .On("hello", c => { Log.Add($"hello from {c.Sender.Id}"); c.Kernel.AliasRemove("a"); }));
        Fake.Create(0, b => b.On("_start", c => c.Kernel.Post("a", "hello")));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "self from 1", "hello from 2" }));
    }

    [Test]
    public void PostToUnknownSessionIsNoSuchSession()
    {
        KernelError e = KernelError.None, e2 = KernelError.None;
        Fake.Create(0, b => b.On("_start", c =>
        {
            e = c.Kernel.Post("nobody", "x");
            e2 = c.Kernel.Post(99, "x");
        }));
        Fake.Run();
        Assert.That((e, e2), Is.EqualTo((KernelError.NoSuchSession, KernelError.NoSuchSession)));
    }

    [Test]
    public void SessionIdWinsOverAnIdenticalAlias()
    {
        Fake.Create(0, b => b
            .On("_start", c => c.Kernel.Yield("go"))
            .On("go", c => Log.Add("session 1 got it")));
        Fake.Create(0, b => b
            .On("_start", c => { c.Kernel.AliasSet("1"); c.Kernel.Post("1", "go"); c.Kernel.AliasRemove("1"); })
            .On("go", c => Log.Add("alias '1' got it")));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "session 1 got it", "session 1 got it" }));
    }

    [Test]
    public void CallReturnsTheHandlersValueSynchronously()
    {
        object? result = null;
        Fake.Create(new LogHeap(), b => b
            .On("_start", c =>
            {
                result = c.Kernel.Call(c.Session, "double", 21);
                Log.Add("after call");
            })
            .OnCall("double", c => { Log.Add("in call"); return c.Arg<int>(0) * 2; }));
        Fake.Run();
        Assert.That(result, Is.EqualTo(42));
        Assert.That(Log, Is.EqualTo(new[] { "in call", "after call" }));
    }

    [Test]
    public void CallToUnknownSessionOrUnhandledEventReportsTheError()
    {
        KernelError unknown = KernelError.None, unhandled = KernelError.None;
        object? value = "x";
        Fake.Create(0, b => b.On("_start", c =>
        {
            unknown = c.Kernel.TryCall("ghost", "x", out value);
            unhandled = c.Kernel.TryCall(c.Session, "nothing", out _);
        }));
        Fake.Run();
        Assert.That(unknown, Is.EqualTo(KernelError.NoSuchSession));
        Assert.That(value, Is.Null);
        Assert.That(unhandled, Is.EqualTo(KernelError.NoHandler));
    }

    [Test]
    public void DefaultGetsTheOriginalNameAndArgsAndItsValueIsWhatCallReturns()
    {
        object? ret = null;
        object?[]? originalArgs = null;
        string? state = null;
        Fake.Create(0, b => b
            .On("_start", c => ret = c.Kernel.Call(c.Session, "unknown_event", 1, "two"))
            .OnDefaultCall(c =>
            {
                if (c.Arg<string>(0) != "unknown_event") return null; // _stop also lands here
                state = c.State;
                originalArgs = c.Arg<object?[]>(1);
                return "default:" + c.Arg<string>(0);
            }));
        Fake.Run();
        Assert.That(state, Is.EqualTo("_default"));
        Assert.That(ret, Is.EqualTo("default:unknown_event"));
        Assert.That(originalArgs, Is.EqualTo(new object?[] { 1, "two" }));
    }

    [Test]
    public void UnhandledEventWithoutDefaultIsDropped()
    {
        Fake.Create(0, b => b
            .On("_start", c => { c.Kernel.Yield("nobody_handles_this"); c.Kernel.Yield("after"); })
            .On("after", c => Log.Add("after")));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "after" }));
    }

    [Test]
    public void TimersDueInThePastRunBeforeQueuedFifoEvents()
    {
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                c.Kernel.Yield("fifo1");
                c.Kernel.Alarm("past", c.Kernel.Time.GetUtcNow() - TimeSpan.FromSeconds(5));
                c.Kernel.Yield("fifo2");
            })
            .On("fifo1", c => Log.Add("fifo1"))
            .On("fifo2", c => Log.Add("fifo2"))
            .On("past", c => Log.Add("past")));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "past", "fifo1", "fifo2" }));
    }

    [Test]
    public void EventsQueuedDuringABatchRunInTheNextTimeslice()
    {
        Fake.Create(0, b => b
            .On("_start", c => { c.Kernel.Yield("a"); c.Kernel.Yield("b"); })
            .On("a", c => { Log.Add("a"); c.Kernel.Yield("nested"); })
            .On("b", c => Log.Add("b"))
            .On("nested", c => Log.Add("nested")));
        Fake.Kernel.RunOneTimeslice();
        Assert.That(Log, Is.EqualTo(new[] { "a", "b" }));
        Fake.Kernel.RunOneTimeslice();
        Assert.That(Log, Is.EqualTo(new[] { "a", "b", "nested" }));
        Fake.Run();
    }

    [Test]
    public void CallerStateIsTheEventActiveWhenTheEventWasSent()
    {
        // caller_state: post from _start, yield from check_1, call from check_2.
        var seen = new List<string?>();
        Fake.Create(0, b => b
            .On("_start", c => c.Kernel.Post(c.Session, "check_1"))
            .On("check_1", c => { seen.Add(c.CallerState); c.Kernel.Yield("check_2"); })
            .On("check_2", c => { seen.Add(c.CallerState); c.Kernel.Call(c.Session, "check_3"); })
            .On("check_3", c => seen.Add(c.CallerState)));
        Fake.Run();
        Assert.That(seen, Is.EqualTo(new[] { "_start", "check_1", "check_2" }));
    }

    [Test]
    public void CallToTheActiveSessionKeepsTheOuterActiveEvent()
    {
        // §8.9 kept: call() to self leaves get_active_event at the outer event.
        string? inner = null, other = null;
        Fake.Create(0, b => b
            .On("_start", c => { c.Kernel.AliasSet("o"); c.Kernel.Yield("outer"); })
            .On("outer", c => { c.Kernel.Call(c.Session, "inner"); c.Kernel.Call("o2", "x"); c.Kernel.AliasRemove("o"); })
            .On("inner", c => inner = c.Kernel.ActiveEvent));
        Fake.Create(0, b => b
            .On("_start", c => c.Kernel.AliasSet("o2"))
            .On("x", c => { other = c.Kernel.ActiveEvent; c.Kernel.AliasRemove("o2"); }));
        Fake.Run();
        Assert.That(inner, Is.EqualTo("outer"));
        Assert.That(other, Is.EqualTo("x"));
    }

    [Test]
    public void ExceptionInACallToSelfPropagatesIntoTheCaller()
    {
        // §8.9 kept: no exception wrapping for call() to the active session.
        string? caught = null;
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                try { c.Kernel.Call(c.Session, "boom"); }
                catch (InvalidOperationException e) { caught = e.Message; }
            })
            .On("boom", c => throw new InvalidOperationException("boom")));
        Fake.Run();
        Assert.That(caught, Is.EqualTo("boom"));
        Assert.That(Fake.Failures, Is.Empty);
    }

    [Test]
    public void YieldOutsideAHandlerIsAClearError()
    {
        Assert.That(() => K.Yield("x"), Throws.InvalidOperationException.With.Message.Contains("inside a handler"));
    }

    [Test]
    public void ZeroArgumentYieldPassesTheSharedEmptyArray()
    {
        object?[]? seen = null;
        Fake.Create(0, b => b
            .On("_start", c => c.Kernel.Yield("e"))
            .On("e", c => seen = c.ArgArray));
        Fake.Run();
        Assert.That(seen, Is.SameAs(Array.Empty<object?>()));
    }

    [Test]
    public void ArgOfTheWrongTypeNamesEventPositionAndTypes()
    {
        Fake.Create(0, b => b
            .On("_start", c => c.Kernel.Yield("e", "text"))
            .On("e", c => c.Arg<int>(0)));
        Assert.That(() => Fake.Run(), Throws.InstanceOf<InvalidCastException>()
            .With.Message.Contains("'e'").And.Message.Contains("ARG0").And.Message.Contains("String").And.Message.Contains("Int32"));
        Assert.That(Fake.Failures, Has.Count.EqualTo(1));
    }
}
