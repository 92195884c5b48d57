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
}
