namespace PoeSharp.KernelTests;

/// <summary>The dispatch path allocates nothing in steady state (speed targets live in the benchmark).</summary>
public sealed class AllocationTests : KernelTestBase
{
    private sealed class Counter
    {
        public int Left;
    }

    [Test]
    public void YieldAndDispatchWithoutArgumentsAllocateNothing()
    {
        var heap = new Counter { Left = 100_000 };
        Fake.Create(heap, b => b
            .On("_start", static c => { for (int i = 0; i < 100; i++) c.Kernel.Yield("tick"); })
            .On("tick", static c => { if (--c.Heap.Left > 0) c.Kernel.Yield("tick"); }));
        using var plain = new Kernel(new PoeSharp.Loop.ManualLoop(), TimeProvider.System);
        var heap2 = new Counter { Left = 100_000 };
        plain.Create(heap2, b => b
            .On("_start", static c => { for (int i = 0; i < 100; i++) c.Kernel.Yield("tick"); })
            .On("tick", static c => { if (--c.Heap.Left > 0) c.Kernel.Yield("tick"); }));
        for (int i = 0; i < 50; i++) plain.RunOneTimeslice();
        long before = GC.GetAllocatedBytesForCurrentThread();
        int left = heap2.Left;
        for (int i = 0; i < 200; i++) plain.RunOneTimeslice();
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(left - heap2.Left, Is.EqualTo(20_000));
        Assert.That(bytes, Is.Zero);
        plain.Run();
        Fake.Run();
        Assert.That(plain.FindLeaks(), Is.Empty);
    }

    private static readonly Event Tick = new("tick");
    private static readonly Event<int, string> Step = new("step");

    // Runs a session that keeps 100 events in flight, then measures 200 timeslices (20,000 events) in steady state.
    private static long SteadyStateBytes(Action<SessionBuilder<Counter>> states, out int handled)
    {
        using var kernel = new Kernel(new PoeSharp.Loop.ManualLoop(), TimeProvider.System);
        var heap = new Counter { Left = 100_000 };
        kernel.Create(heap, states);
        for (int i = 0; i < 50; i++) kernel.RunOneTimeslice();
        int left = heap.Left;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++) kernel.RunOneTimeslice();
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        handled = left - heap.Left;
        kernel.Run();
        Assert.That(kernel.FindLeaks(), Is.Empty);
        return bytes;
    }

    [Test]
    public void TypedYieldAndDispatchWithoutArgumentsAllocateNothing()
    {
        long bytes = SteadyStateBytes(b => b
            .On("_start", static c => { for (int i = 0; i < 100; i++) c.Kernel.Yield(Tick); })
            .On(Tick, static c => { if (--c.Heap.Left > 0) c.Kernel.Yield(Tick); }), out int handled);
        Assert.That(handled, Is.EqualTo(20_000));
        Assert.That(bytes, Is.Zero);
    }

    [Test]
    public void ATypedEventWithArgumentsAllocatesExactlyWhatTheStringEventDoes()
    {
        long stringBytes = SteadyStateBytes(b => b
            .On("_start", static c => { for (int i = 0; i < 100; i++) c.Kernel.Yield("step", i, "x"); })
            .On("step", static c => { if (--c.Heap.Left > 0) c.Kernel.Yield("step", c.Arg<int>(0) + 1, c.Arg<string>(1)); }),
            out int stringHandled);
        long typedBytes = SteadyStateBytes(b => b
            .On("_start", static c => { for (int i = 0; i < 100; i++) c.Kernel.Yield(Step, i, "x"); })
            .On(Step, static (c, n, text) => { if (--c.Heap.Left > 0) c.Kernel.Yield(Step, n + 1, text); }),
            out int typedHandled);
        Assert.That(typedHandled, Is.EqualTo(20_000));
        Assert.That(stringHandled, Is.EqualTo(20_000));
        // The argument array and the boxed int, both paths alike; nothing per event for the typed key.
        Assert.That(stringBytes, Is.GreaterThan(0));
        Assert.That(typedBytes, Is.EqualTo(stringBytes));
    }

    private sealed class Rearm
    {
        public int Left;
        public long Bytes = -1;
    }

    [Test]
    public void ReArmingATimeoutWithDelayAllocatesNothing()
    {
        // The interactor pattern: every request pushes its timeout back with Delay(name, span).
        using var kernel = new Kernel(new PoeSharp.Loop.ManualLoop(), TimeProvider.System);
        var heap = new Rearm { Left = 2_000 };
        kernel.Create(heap, b => b
            .On("_start", static c => c.Kernel.Yield("tick"))
            .On("tick", static c =>
            {
                var h = c.Heap;
                long before = h.Left == 1_000 ? GC.GetAllocatedBytesForCurrentThread() : 0;
                if (h.Left <= 1_000)
                {
                    // 1,000 re-arms in one handler: after the warm-up half, steady state.
                    for (int i = 0; i < 1_000; i++) c.Kernel.Delay("timeout", TimeSpan.FromSeconds(10));
                    h.Bytes = GC.GetAllocatedBytesForCurrentThread() - before;
                    c.Kernel.Delay("timeout");
                    return;
                }
                c.Kernel.Delay("timeout", TimeSpan.FromSeconds(10));
                h.Left--;
                c.Kernel.Yield("tick");
            })
            .On("timeout", static _ => { }));
        kernel.Run();
        Assert.That(heap.Bytes, Is.Zero);
        Assert.That(kernel.FindLeaks(), Is.Empty);
    }
}
