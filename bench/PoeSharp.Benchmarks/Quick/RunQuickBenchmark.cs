using System.Diagnostics;
using PoeSharp.Filters;
using PoeSharp.Wheels;

namespace PoeSharp.Benchmarks.Quick;

/// <summary>
/// Child-process figures for <see cref="RunWheel"/> on the real kernel: how many programs per
/// second can be started (posix_spawn), read to end of file and reaped through SigChild, one
/// after another, next to <see cref="Process"/>.Start + WaitForExit for the same program; and the
/// throughput of a byte stream through /bin/cat (Put to stdin, StdoutEvent back) with the Stream
/// filter, 64 KiB per record, at most 1 MiB queued.
/// </summary>
public sealed class RunQuickBenchmark : IQuickBenchmark
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(1.5);

    /// <inheritdoc />
    public int Order => 450;

    /// <inheritdoc />
    public void Run(QuickReport report)
    {
        SpawnRate(TimeSpan.FromMilliseconds(200));
        double runs = SpawnRate(Duration);
        report.Figure("run_spawn_read_reap_per_s", runs, "processes/s");

        ProcessStartRate(TimeSpan.FromMilliseconds(200));
        double process = ProcessStartRate(Duration);
        report.Figure("process_start_wait_per_s", process, "processes/s");
        report.Figure("run_spawn_ratio_vs_process_class", runs / process, "x");

        CatThroughput(4 << 20);
        report.Figure("run_cat_roundtrip_mib_per_s", CatThroughput(64 << 20), "MiB/s");
    }

    private sealed class Loop
    {
        public int Done;
        public int Closed;
        public bool Exited;
        public RunWheel? Wheel;
        public long Received;
        public long Sent;
    }

    /// <summary>Sequential runs of /bin/echo: spawn, stdout to end of file, CHLD.</summary>
    private static double SpawnRate(TimeSpan duration)
    {
        using var kernel = new Kernel();
        var sw = Stopwatch.StartNew();
        var state = new Loop();
        kernel.Create(state, s => s
            .On("_start", c => c.Kernel.Yield("next"))
            .On("next", c =>
            {
                var h = c.Heap;
                h.Wheel?.Dispose();
                h.Wheel = null;
                if (sw.Elapsed >= duration) return;
                h.Closed = 0;
                h.Exited = false;
                h.Wheel = new RunWheel(c.Kernel, new RunOptions
                {
                    Program = "/bin/echo", Arguments = ["x"], NoStdin = true, StdoutEvent = "out", CloseEvent = "closed",
                });
                c.Kernel.SigChild(h.Wheel.Pid, "chld");
            })
            .On("out", _ => { })
            .On("closed", c => { c.Heap.Closed = 1; if (c.Heap.Exited) Next(c); })
            .On("chld", c => { c.Heap.Exited = true; if (c.Heap.Closed == 1) Next(c); }));
        kernel.Run();
        return state.Done / sw.Elapsed.TotalSeconds;

        static void Next(EventContext<Loop> c)
        {
            c.Heap.Done++;
            c.Kernel.Yield("next");
        }
    }

    private static double ProcessStartRate(TimeSpan duration)
    {
        var sw = Stopwatch.StartNew();
        int done = 0;
        while (sw.Elapsed < duration)
        {
            using var p = Process.Start(new ProcessStartInfo("/bin/echo", "x") { RedirectStandardOutput = true, UseShellExecute = false })!;
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            done++;
        }
        return done / sw.Elapsed.TotalSeconds;
    }

    /// <summary>Streams <paramref name="total"/> bytes through cat and back.</summary>
    private static double CatThroughput(long total)
    {
        const int chunk = 64 * 1024;
        var payload = new byte[chunk];
        Array.Fill(payload, (byte)'z');
        using var kernel = new Kernel();
        var state = new Loop();
        var sw = Stopwatch.StartNew();
        kernel.Create(state, s => s
            .On("_start", c =>
            {
                var h = c.Heap;
                h.Wheel = new RunWheel(c.Kernel, new RunOptions
                {
                    Program = "/bin/cat", StdioFilter = new StreamFilter(),
                    StdoutEvent = "out", StdinEvent = "flushed", CloseEvent = "closed",
                });
                c.Kernel.SigChild(h.Wheel.Pid, "chld");
                Fill(h);
            })
            .On("flushed", c => Fill(c.Heap))
            .On("out", c => c.Heap.Received += c.Arg<byte[]>(0).Length)
            .On("closed", c => { c.Heap.Closed = 1; if (c.Heap.Exited) c.Heap.Wheel!.Dispose(); })
            .On("chld", c => { c.Heap.Exited = true; if (c.Heap.Closed == 1) c.Heap.Wheel!.Dispose(); }));
        kernel.Run();
        if (state.Received != total) throw new InvalidOperationException($"cat returned {state.Received} of {total} bytes.");
        return total / (1024.0 * 1024.0) / sw.Elapsed.TotalSeconds;

        void Fill(Loop h)
        {
            if (!h.Wheel!.CanPut) return;
            while (h.Sent < total && h.Wheel.DriverOutOctets < 1 << 20)
            {
                h.Wheel.Put(payload);
                h.Sent += chunk;
            }
            if (h.Sent >= total) h.Wheel.CloseStdin();
        }
    }
}
