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
