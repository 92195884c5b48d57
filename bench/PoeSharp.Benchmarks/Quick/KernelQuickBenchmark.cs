using System.Diagnostics;
using System.Globalization;
using PoeSharp.Loop;
using PoeSharp.Testing;

namespace PoeSharp.Benchmarks.Quick;

/// <summary>
/// Kernel figures: dispatch rate of a yield loop, posts between two sessions, one million
/// pending timers set then fired, allocation per dispatched event, and the same yield loop
/// under POE 1.370 (bench/poe/yield_loop.pl) when perl and POE are installed.
/// </summary>
/// <remarks>
/// The yield loop keeps <see cref="Chains"/> yield chains in flight in one session (each trivial
/// handler yields the next event), so each timeslice dispatches a batch as POE's would; the
/// Perl peer does exactly the same. The kernel runs on the manual loop with the system clock:
/// with no descriptor watched it does not poll, which is what the epoll loop would cost nothing
/// for either (the figure measures the dispatcher, not epoll_wait).
/// </remarks>
public sealed class KernelQuickBenchmark : IQuickBenchmark
{
    private const int Chains = 1000;

    /// <inheritdoc />
    public int Order => 100;

    /// <inheritdoc />
    public void Run(QuickReport report)
    {
        // Warm-up until tiered compilation has settled, then the best of five runs (the machine is shared).
        for (int i = 0; i < 4; i++) YieldLoop(2_000_000, Chains);
        var (rate, _) = Best(() => YieldLoop(5_000_000, Chains), 5);
        report.Figure("dispatch_events_per_s", rate, "events/s");

        var (chainRate, _) = Best(() => YieldLoop(2_000_000, 1), 2);
        report.Figure("dispatch_single_chain_events_per_s", chainRate, "events/s");

        report.Figure("dispatch_alloc_bytes_per_event", AllocPerEvent(), "bytes/event");

        PingPong(200_000);
        var (postRate, _) = Best(() => PingPong(4_000_000), 3);
        report.Figure("post_between_sessions_events_per_s", postRate, "events/s");

        Timers(100_000);
        var (timerRate, _) = Best(() => Timers(1_000_000), 2);
        report.Figure("timers_set_fire_per_s", timerRate, "timers/s");

        if (RunPoe(report) is double poe)
        {
            report.Figure("poe_dispatch_events_per_s", poe, "events/s");
            report.Figure("dispatch_ratio_vs_poe", rate / poe, "x");
        }
    }

    /// <summary>
    /// Promotes the freshly built kernel and sessions to the old generation, as they are in any
    /// long-running program: the dispatch loop allocates nothing, so without a collection they
    /// would stay in gen0 and every reference store would take the card-marking path.
    /// </summary>
    private static void Settle()
    {
        GC.Collect();
        GC.Collect();
    }

    private static (double Rate, double Unused) Best(Func<double> run, int times)
    {
        double best = 0;
        for (int i = 0; i < times; i++) best = Math.Max(best, run());
        return (best, 0);
    }

    private sealed class Counter
    {
        public int Left;
    }

    private static Action<SessionBuilder<Counter>> YieldStates(int chains) => b => b
        .On("_start", static c =>
        {
            for (int i = 0; i < (int)c[0]!; i++) c.Kernel.Yield("tick");
        })
        .On("tick", static c =>
        {
            if (--c.Heap.Left >= 0) c.Kernel.Yield("tick");
        });

    /// <summary>Events per second for <paramref name="total"/> events over <paramref name="chains"/> chains.</summary>
    internal static double YieldLoop(int total, int chains)
    {
        using var kernel = new Kernel(new ManualLoop(), TimeProvider.System);
        var heap = new Counter { Left = total - chains };
        kernel.Create(heap, YieldStates(chains), chains);
        Settle();
        var sw = Stopwatch.StartNew();
        kernel.Run();
        sw.Stop();
        return total / sw.Elapsed.TotalSeconds;
    }

    /// <summary>Bytes allocated per dispatched event in steady state (the batch loop after warm-up).</summary>
    private static double AllocPerEvent()
    {
        using var kernel = new Kernel(new ManualLoop(), TimeProvider.System);
        const int total = 3_000_000;
        var heap = new Counter { Left = total };
        kernel.Create(heap, YieldStates(Chains), Chains);
        Settle();
        // Warm up: let the queue and the GC-candidate list reach their steady size.
        for (int i = 0; i < 200; i++) kernel.RunOneTimeslice();
        int before = heap.Left;
        long bytes = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) kernel.RunOneTimeslice();
        bytes = GC.GetAllocatedBytesForCurrentThread() - bytes;
        int events = before - heap.Left;
        kernel.Stop();
        return (double)bytes / events;
    }

    private sealed class PingHeap
    {
        public int Left;
    }

    /// <summary>Two sessions post to each other; <see cref="Chains"/> exchanges in flight.</summary>
    internal static double PingPong(int total)
    {
        using var kernel = new Kernel(new ManualLoop(), TimeProvider.System);
        var shared = new PingHeap { Left = total };
        var b = kernel.Create(shared, s => s
            .On("_start", static c => c.Kernel.AliasSet("b"))
            .On("ping", static c =>
            {
                if (--c.Heap.Left >= 0) c.Kernel.Post(c.Sender, "pong");
            }))!;
        kernel.Create(shared, s => s
            .On("_start", static c =>
            {
                for (int i = 0; i < Chains; i++) c.Kernel.Post("b", "ping");
            })
            .On("pong", static c =>
            {
                // When the count runs out, b is left with only its alias and IDLE ends the run.
                if (--c.Heap.Left >= 0) c.Kernel.Post(c.Sender, "ping");
            }));
        Settle();
        var sw = Stopwatch.StartNew();
        kernel.Run();
        sw.Stop();
        GC.KeepAlive(b);
        return total / sw.Elapsed.TotalSeconds;
    }

    private sealed class TimerHeap
    {
        public int Fired;
    }

    /// <summary>Sets <paramref name="count"/> timers at pseudo-random due times within one second, then fires them all (manual clock).</summary>
    internal static double Timers(int count)
    {
        var clock = new ManualTimeProvider();
        using var kernel = new Kernel(new ManualLoop(), clock);
        var heap = new TimerHeap();
        var sw = new Stopwatch();
        kernel.Create(heap, s => s
            .On("_start", c =>
            {
                var rng = new Random(42);
                sw.Start();
                for (int i = 0; i < count; i++)
                    c.Kernel.DelaySet("t", TimeSpan.FromTicks(rng.Next(1, (int)TimeSpan.TicksPerSecond)));
            })
            .On("t", static c => c.Heap.Fired++));
        clock.Advance(TimeSpan.FromSeconds(2));
        kernel.Run();
        sw.Stop();
        if (heap.Fired != count) throw new InvalidOperationException($"only {heap.Fired} of {count} timers fired");
        return count / sw.Elapsed.TotalSeconds;
    }

    /// <summary>The POE peer's best of three runs (the C# figure is a best of five, so both get the same benefit of the doubt).</summary>
    private static double? RunPoe(QuickReport report)
    {
        string? script = FindScript();
        if (script is null)
        {
            report.Note("POE peer skipped: bench/poe/yield_loop.pl not found");
            return null;
        }
        double? best = null;
        for (int i = 0; i < 3; i++)
        {
            double? r = RunPoeOnce(report, script);
            if (r is null) return null;
            best = Math.Max(best ?? 0, r.Value);
        }
        return best;
    }

    private static double? RunPoeOnce(QuickReport report, string script)
    {
        try
        {
            var psi = new ProcessStartInfo("perl", [script, "100000", Chains.ToString(CultureInfo.InvariantCulture)])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var p = Process.Start(psi)!;
            string output = p.StandardOutput.ReadToEnd();
            string error = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
            {
                report.Note($"POE peer skipped: perl exited {p.ExitCode}: {error.Trim()}");
                return null;
            }
            foreach (var line in output.Split('\n'))
                if (line.StartsWith("poe_dispatch_events_per_s:", StringComparison.Ordinal))
                    return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            report.Note("POE peer printed no figure: " + output.Trim());
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            report.Note("POE peer skipped: perl not runnable: " + e.Message);
        }
        return null;
    }

    private static string? FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bench", "poe", "yield_loop.pl");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
