using System.Globalization;
using PoeSharp.Os;

namespace PoeSharp.ForkStress;

/// <summary>
/// The same fork/reap cycle through the kernel's public API: a session forks children with
/// <c>Kernel.Fork</c>, each child runs a timer in the inherited session and exits, the parent
/// reaps them with <c>SigChild</c> and respawns until the budget is spent. A child exits with 4
/// unless its session got <c>_after_fork</c>, with the parent's pid, before <c>Fork</c> returned.
/// </summary>
internal static class KernelMode
{
    private sealed class Heap
    {
        public int Spawned, Reaped, Ok, Failed, PidFdsSeen;
        public int ParentPid, AfterForkFrom;
    }

    public static int Run(StressOptions o)
    {
        int budget = o.Children + o.Respawns;
        var heap = new Heap { ParentPid = Native.GetPid() };
        var started = System.Diagnostics.Stopwatch.StartNew();
        using (var kernel = new Kernel())
        {
            kernel.Create(heap, s => s
                .On("_start", ctx =>
                {
                    for (int i = 0; i < o.Children; i++) ctx.Kernel.Yield("spawn");
                })
                .On("spawn", ctx =>
                {
                    if (ctx.Heap.Spawned >= budget || ForkSafety.IsForkedChild) return;   // a child inherits queued spawns
                    var r = ctx.Kernel.Fork();
                    if (r.Failed)
                    {
                        ctx.Heap.Failed++;
                        Console.Error.WriteLine($"kernel mode: {r.Error}");
                        return;
                    }
                    if (r.IsChild)
                    {
                        if (ctx.Heap.AfterForkFrom != ctx.Heap.ParentPid)
                        {
                            Console.Error.WriteLine($"kernel mode: _after_fork said {ctx.Heap.AfterForkFrom}, parent {ctx.Heap.ParentPid}");
                            ForkSafety.Exit(4);
                        }
                        // The child inherits the session; a timer in it proves the kernel runs on.
                        ctx.Kernel.Delay("child_done", TimeSpan.FromMilliseconds(o.ChildLifeMs));
                        return;
                    }
                    ctx.Heap.Spawned++;
                    ctx.Kernel.SigChild(r.Pid, "reaped");
                    ctx.Heap.PidFdsSeen = Math.Max(ctx.Heap.PidFdsSeen, CountPidFds());
                })
                .On(KnownEvents.AfterFork, ctx => ctx.Heap.AfterForkFrom = ctx.Arg<int>(0))
                .On("child_done", ctx =>
                {
                    var junk = new List<byte[]>();
                    for (int i = 0; i < 1000; i++) junk.Add(new byte[1024]);
                    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                    ForkSafety.Exit(0);
                })
                .On("reaped", ctx =>
                {
                    int status = ctx.Arg<int>(2);
                    ctx.Heap.Reaped++;
                    if (status == 0) ctx.Heap.Ok++;
                    else Console.Error.WriteLine($"kernel mode: child {ctx.Arg<int>(1)} status {status}");
                    ctx.Kernel.Yield("spawn");
                }));
            kernel.Run();
        }
        var leftovers = ProcScan.ChildrenOf(Native.GetPid());
        bool pass = heap.Spawned == budget && heap.Ok == budget && heap.Failed == 0 && leftovers.Count == 0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"kernel-mode: pidfds_seen={heap.PidFdsSeen} spawned={heap.Spawned} reaped={heap.Reaped} ok={heap.Ok} fork_failures={heap.Failed} leftover_processes={leftovers.Count} elapsed_s={started.Elapsed.TotalSeconds:F1} result={(pass ? "PASS" : "FAIL")}"));
        return pass ? 0 : 1;
    }

    /// <summary>Open pidfds of this process (0 when the host polls its children instead).</summary>
    private static int CountPidFds()
    {
        int n = 0;
        foreach (string fd in Directory.GetFiles("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget == "anon_inode:[pidfd]") n++;
            }
            catch (IOException)
            {
                // closed meanwhile
            }
        }
        return n;
    }
}
