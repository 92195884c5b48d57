using PoeSharp.Loop;
using PoeSharp.Testing;

namespace PoeSharp.KernelTests;

/// <summary>
/// Typed event keys (<see cref="Event"/>, <see cref="Event{T}"/>, <see cref="Event{T1, T2}"/>,
/// <see cref="Event{T1, T2, T3}"/>): declared once, posted, yielded, called and timed with typed
/// arguments and handled with typed values, interoperating with string names, on the real kernel
/// and on the fake one.
/// </summary>
public sealed class TypedEventTests
{
    private static readonly Event Tick = new("tick");
    private static readonly Event<string> Got = new("got");
    private static readonly Event<string, int> GotCount = new("got_count");
    private static readonly Event<int, int, string> Sum = new("sum");
    private static readonly Event<(string Line, int Count)> GotPair = new("got_pair");
    private static readonly Event<int> Later = new("later");
    private static readonly Event<string, int> At = new("at");

    private sealed class Heap
    {
        public List<string> Lines { get; } = [];
    }

    /// <summary>A kernel to run a scenario on: the real one (epoll, system clock) or the fake one.</summary>
    public enum KernelKind
    {
        /// <summary><see cref="Kernel"/> with its epoll loop and the system clock.</summary>
        Real,

        /// <summary><see cref="FakeKernel"/>: manual loop and clock.</summary>
        Fake,
    }

    private static List<string> RunOn(KernelKind kind, Action<Kernel, Heap> scenario)
    {
        var heap = new Heap();
        if (kind == KernelKind.Real)
        {
            using var kernel = new Kernel();
            scenario(kernel, heap);
            kernel.Run(TimeSpan.FromSeconds(30));
            Assert.That(kernel.FindLeaks(), Is.Empty);
        }
        else
        {
            using var fake = new FakeKernel();
            scenario(fake.Kernel, heap);
            fake.Run(TimeSpan.FromSeconds(30));
            Assert.That(fake.FindLeaks(), Is.Empty);
        }
        return heap.Lines;
    }

    [Test]
    public void PostYieldAndCallDeliverTypedValuesToTypedHandlers([Values] KernelKind kind)
    {
        var lines = RunOn(kind, static (kernel, heap) =>
        {
            kernel.Create(heap, b => b
                .On("_start", c =>
                {
                    c.Kernel.AliasSet("me");
                    c.Kernel.Yield(Tick);
                    c.Kernel.Post("me", Got, "hello");
                    c.Kernel.Yield(GotCount, "apples", 3);
                    c.Kernel.Post(c.Session, GotPair, ("pears", 2));
                    var sum = c.Kernel.Call(c.Session, Sum, 40, 2, "sum");
                    c.Heap.Lines.Add($"call returned {sum}");
                })
                .On(Tick, c => c.Heap.Lines.Add($"tick from {c.Sender}"))
                .On(Got, (c, text) => c.Heap.Lines.Add($"got {text.ToUpperInvariant()} at line {c.CallerLine > 0}"))
                .On(GotCount, (c, what, n) => c.Heap.Lines.Add($"{n + 1} {what}"))
                .On(GotPair, (c, pair) =>
                {
                    c.Heap.Lines.Add($"{pair.Count} {pair.Line}");
                    c.Kernel.AliasRemove("me");
                })
                .OnCall(Sum, (c, a, b, label) => $"{label}={a + b}"));
        });
        Assert.That(lines, Is.EqualTo(new[]
        {
            "call returned sum=42", "tick from session 1", "got HELLO at line True", "4 apples", "2 pears",
        }));
    }

    [Test]
    public void TimersCarryTypedValues([Values] KernelKind kind)
    {
        var lines = RunOn(kind, static (kernel, heap) =>
        {
            kernel.Create(heap, b => b
                .On("_start", c =>
                {
                    var now = c.Kernel.Time.GetUtcNow();
                    c.Kernel.Delay(Later, TimeSpan.FromMilliseconds(30), 1);
                    c.Kernel.Delay(Later, TimeSpan.FromMilliseconds(20), 2);        // replaces 1
                    c.Kernel.DelayAdd(Later, TimeSpan.FromMilliseconds(40), 3);
                    int id = c.Kernel.DelaySet(Later, TimeSpan.FromMilliseconds(50), 4);
                    c.Kernel.AlarmAdjust(id, TimeSpan.FromMilliseconds(10));          // 4 now at 60 ms
                    c.Kernel.Alarm(At, now.AddMilliseconds(10), "alarm", 1);
                    c.Kernel.AlarmAdd(At, now.AddMilliseconds(15), "alarm-add", 2);
                    int gone = c.Kernel.AlarmSet(At, now.AddMilliseconds(25), "removed", 3);
                    c.Kernel.AlarmRemove(gone);
                    c.Kernel.AlarmSet(Tick, now.AddMilliseconds(300));     // well after the rest, however slow the machine
                    c.Heap.Lines.Add(string.Join(",", c.Kernel.Timers.Select(t => $"{t.Name}[{string.Join("/", t.Args)}]")));
                })
                .On(Later, (c, n) => c.Heap.Lines.Add($"later {n}"))
                .On(At, (c, what, n) => c.Heap.Lines.Add($"{what} {n}"))
                .On(Tick, c => c.Heap.Lines.Add("tick")));
        });
        Assert.That(lines, Is.EqualTo(new[]
        {
            "at[alarm/1],at[alarm-add/2],later[2],later[3],later[4],tick[]",
            "alarm 1", "alarm-add 2", "later 2", "later 3", "later 4", "tick",
        }));
    }

    [Test]
    public void ClearingATypedTimerRemovesEveryTimerOfItsName([Values] KernelKind kind)
    {
        var lines = RunOn(kind, static (kernel, heap) =>
        {
            kernel.Create(heap, b => b
                .On("_start", c =>
                {
                    c.Kernel.DelayAdd(Later, TimeSpan.FromMilliseconds(10), 1);
                    c.Kernel.DelayAdd(Later, TimeSpan.FromMilliseconds(20), 2);
                    c.Kernel.AlarmAdd(At, c.Kernel.Time.GetUtcNow().AddMilliseconds(10), "x", 1);
                    c.Kernel.Delay(Tick, TimeSpan.FromMilliseconds(5));
                    c.Kernel.Delay(Later);
                    c.Kernel.Alarm(At);
                })
                .On(Later, (c, n) => c.Heap.Lines.Add($"later {n}"))
                .On(At, (c, _, _) => c.Heap.Lines.Add("at"))
                .On(Tick, c => c.Heap.Lines.Add("tick")));
        });
        Assert.That(lines, Is.EqualTo(new[] { "tick" }));
    }

    [Test]
    public void TypedAndStringNamesInteroperate([Values] KernelKind kind)
    {
        var lines = RunOn(kind, static (kernel, heap) =>
        {
            kernel.Create(heap, b => b
                .On("_start", c =>
                {
                    c.Kernel.Yield(GotCount, "typed", 1);          // to a string handler
                    c.Kernel.Yield("got", "string");               // to a typed handler
                    c.Kernel.Yield(Sum, 1, 2, "three");            // no handler: _default
                })
                .On("got_count", c => c.Heap.Lines.Add($"string handler: {c.Arg<string>(0)} {c.Arg<int>(1)} ({c.ArgCount} args)"))
                .On(Got, (c, text) => c.Heap.Lines.Add($"typed handler: {text}"))
                .OnDefault(c =>
                {
                    if (c.DefaultEvent != KnownEvents.Stop)
                        c.Heap.Lines.Add($"_default: {c.DefaultEvent} {c.DefaultArg<int>(0)} {c.DefaultArg<int>(1)} {c.DefaultArg<string>(2)}");
                }));
        });
        Assert.That(lines, Is.EqualTo(new[]
        {
            "string handler: typed 1 (2 args)", "typed handler: string", "_default: sum 1 2 three",
        }));
    }

    [Test]
    public void AStringPostWithTheWrongTypeFailsLoudlyInTheTypedHandler()
    {
        using var fake = new FakeKernel();
        fake.Create(0, b => b
            .On("_start", c => c.Kernel.Yield("got_count", "apples", "three"))
            .On(GotCount, (_, _, _) => Assert.Fail("the handler must not run with a mistyped argument")));
        Assert.That(() => fake.Run(),
            Throws.InstanceOf<InvalidCastException>().With.Message.Contains("'got_count'").And.Message.Contains("ARG1 is String, not Int32"));
    }

    [Test]
    public void AStringPostWithTooFewArgumentsFailsLoudlyInTheTypedHandler()
    {
        using var fake = new FakeKernel();
        fake.Create(0, b => b
            .On("_start", c => c.Kernel.Yield("got_count", "apples"))
            .On(GotCount, (_, _, _) => Assert.Fail("the handler must not run without its ARG1")));
        Assert.That(() => fake.Run(),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("'got_count'").And.Message.Contains("ARG1 does not exist"));
    }

    [Test]
    public void TryCallReportsATypedEventWithoutAHandler()
    {
        using var fake = new FakeKernel();
        KernelError missing = KernelError.None, found = KernelError.NoHandler;
        object? result = null;
        fake.Create(0, b => b
            .On("_start", c =>
            {
                missing = c.Kernel.TryCall(c.Session, Got, out _, "nobody");
                found = c.Kernel.TryCall(c.Session, Later, out result, 20);
            })
            .OnCall(Later, (_, n) => n + 1));
        fake.Run();
        Assert.That(missing, Is.EqualTo(KernelError.NoHandler));
        Assert.That(found, Is.EqualTo(KernelError.None));
        Assert.That(result, Is.EqualTo(21));
    }

    [Test]
    public void PostFromAnyThreadCarriesTypedValues()
    {
        using var kernel = new Kernel();
        var lines = new List<string>();
        using var ready = new ManualResetEventSlim();
        kernel.Create(lines, b => b
            .On("_start", c =>
            {
                c.Kernel.AliasSet("svc");
                c.Kernel.RefcountIncrement(c.Session, "jobs");   // an alias alone does not keep the kernel running
                ready.Set();
            })
            .On(GotCount, (c, what, n) =>
            {
                c.Heap.Add($"{what} {n}");
                if (n != 3) return;
                c.Kernel.AliasRemove("svc");
                c.Kernel.RefcountDecrement(c.Session, "jobs");
            }));
        var poster = new Thread(() =>
        {
            ready.Wait();
            for (int i = 1; i <= 3; i++) kernel.PostFromAnyThread("svc", GotCount, "job", i);
        });
        poster.Start();
        kernel.Run(TimeSpan.FromSeconds(30));
        poster.Join();
        Assert.That(lines, Is.EqualTo(new[] { "job 1", "job 2", "job 3" }));
    }

    [Test]
    public void TheFakeKernelDeliversAndRecordsTypedEvents()
    {
        using var fake = new FakeKernel();
        var seen = new List<string>();
        var s = fake.Create(0, b => b
            .On("_start", c => c.Kernel.AliasSet("svc"))
            .On(Tick, _ => seen.Add("tick"))
            .On(Got, (_, text) => seen.Add(text))
            .On(GotCount, (_, text, n) => seen.Add($"{text}x{n}"))
            .On(Sum, (c, a, b2, label) =>
            {
                seen.Add($"{label}={a + b2}");
                c.Kernel.AliasRemove("svc");
            }));
        Assert.That(s.HasHandler(Got), Is.True);
        Assert.That(s.HasHandler(Later), Is.False);
        Assert.That(fake.Deliver("svc", Tick), Is.EqualTo(KernelError.None));
        fake.Deliver("svc", Got, "one");
        fake.Deliver("svc", GotCount, "two", 2);
        fake.Deliver("svc", Sum, 1, 2, "three");
        Assert.That(seen, Is.EqualTo(new[] { "tick", "one", "twox2", "three=3" }));

        var got = fake.Dispatched.Single(e => e.Is(Got));
        Assert.That(got.Is(Got, out var text) && text == "one", Is.True);
        Assert.That(fake.Dispatched.Single(e => e.Is(GotCount)).Is(GotCount, out var what, out int n) && what == "two" && n == 2, Is.True);
        Assert.That(fake.Dispatched.Single(e => e.Is(Sum)).Is(Sum, out int a, out int b, out var label) && a + b == 3 && label == "three", Is.True);
        Assert.That(got.Is(Later, out _), Is.False, "another event of the same arity does not match");
        Assert.That(fake.Posted.Count(e => e.Is(Tick)), Is.EqualTo(1));
        Assert.That(s.IsAlive, Is.False);
    }

    [Test]
    public void ARecordedEventOfTheRightNameButWrongTypesDoesNotMatch()
    {
        using var fake = new FakeKernel();
        var k = fake.Kernel.KernelSession;
        var e = new RecordedEvent("got_count", k, k, ["x", "not a number"], EventKind.Post, TimeSpan.Zero);
        Assert.That(e.Is(GotCount), Is.True);
        Assert.That(e.Is(GotCount, out var what, out _), Is.False);
        Assert.That(what, Is.EqualTo("x"));
        Assert.That(new RecordedEvent("got_count", k, k, ["x"], EventKind.Post, TimeSpan.Zero).Is(GotCount, out _, out _), Is.False, "too few arguments");
    }

    [Test]
    public void TypedKeysHaveNoImplicitConversionToString()
    {
        // With one, Post(dest, Got, 42) would compile through the string overload instead of failing.
        foreach (var type in new[] { typeof(Event), typeof(Event<int>), typeof(Event<int, int>), typeof(Event<int, int, int>), typeof(TypedEvent) })
            Assert.That(type.GetMethods().Where(m => m.Name is "op_Implicit" or "op_Explicit"), Is.Empty, type.Name);
        Assert.That(Got.ToString(), Is.EqualTo("got"));
        Assert.That(() => new Event<int>(""), Throws.ArgumentException);
        Assert.That(() => new Event(null!), Throws.ArgumentNullException);
        Assert.That(new[] { Tick.Arity, Got.Arity, GotCount.Arity, Sum.Arity }, Is.EqualTo(new[] { 0, 1, 2, 3 }));
    }
}
