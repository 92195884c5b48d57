using BenchmarkDotNet.Attributes;
using PoeSharp.Loop;

namespace PoeSharp.Benchmarks.KernelBenchmarks;

/// <summary>
/// BenchmarkDotNet view of the kernel's dispatch: one session, 1,000 yield chains in flight,
/// a trivial handler (the same loop as the quick benchmark and bench/poe/yield_loop.pl).
/// Run: <c>dotnet run -c Release --project bench/PoeSharp.Benchmarks -- --filter *KernelDispatch*</c>.
/// </summary>
[MemoryDiagnoser]
public class KernelDispatchBenchmark
{
    private const int Events = 1_000_000;

    private sealed class Counter
    {
        public int Left;
    }

    /// <summary>Yield chains kept in flight.</summary>
    [Params(1, 1000)]
    public int Chains { get; set; }

    /// <summary>Runs <see cref="Events"/> yields to completion on a fresh kernel.</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public int YieldLoop()
    {
        using var kernel = new PoeSharp.Kernel(new ManualLoop(), TimeProvider.System);
        var heap = new Counter { Left = Events - Chains };
        kernel.Create(heap, b => b
            .On("_start", static c =>
            {
                for (int i = 0; i < (int)c[0]!; i++) c.Kernel.Yield("tick");
            })
            .On("tick", static c =>
            {
                if (--c.Heap.Left >= 0) c.Kernel.Yield("tick");
            }), Chains);
        kernel.Run();
        return heap.Left;
    }
}
