using System.Diagnostics;
using System.Runtime.InteropServices;

namespace PoeSharp.Os;

/// <summary>
/// Diagnostics for what a forked child costs (docs/FORK-SAFETY.md, "Cost of a child"): with
/// <c>POESHARP_CHILD_COST=1</c> in the parent's environment, every child the host forks prints one
/// line to stderr as it exits: CPU time, minor/major page faults, methods compiled and JIT time,
/// and GCs since the fork. Off by default; when off it costs one field read per fork and exit.
/// </summary>
internal static unsafe partial class ChildCost
{
    /// <summary>Read once in the parent (a child inherits the value).</summary>
    internal static readonly bool Enabled = Environment.GetEnvironmentVariable("POESHARP_CHILD_COST") == "1";

    private static long s_start, s_jitCount, s_jitTicks;
    private static int s_gc0, s_gc1, s_gc2;

    /// <summary>Records the child's starting counters (runs in the child, right after fork).</summary>
    internal static void AtChildStart()
    {
        if (!Enabled) return;
        s_start = Stopwatch.GetTimestamp();
        s_jitCount = System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: false);
        s_jitTicks = System.Runtime.JitInfo.GetCompilationTime(currentThread: false).Ticks;
        s_gc0 = GC.CollectionCount(0);
        s_gc1 = GC.CollectionCount(1);
        s_gc2 = GC.CollectionCount(2);
    }

    /// <summary>Prints the child's line (runs in the child, just before <c>_exit</c>).</summary>
    internal static void AtChildExit(int code)
    {
        if (!Enabled || s_start == 0) return;
        long* ru = stackalloc long[18];
        GetRUsage(0, ru);
        double userMs = ru[0] * 1000.0 + ru[1] / 1000.0, sysMs = ru[2] * 1000.0 + ru[3] / 1000.0;
        long jit = System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: false) - s_jitCount;
        double jitMs = (System.Runtime.JitInfo.GetCompilationTime(currentThread: false).Ticks - s_jitTicks) / 10_000.0;
        double wallMs = Stopwatch.GetElapsedTime(s_start).TotalMilliseconds;
        Console.Error.WriteLine(
            $"CHILDCOST pid={ProcessInterop.GetPid()} code={code} wall_ms={wallMs:0.00} user_ms={userMs:0.00} sys_ms={sysMs:0.00} " +
            $"minflt={ru[8]} majflt={ru[9]} maxrss_kb={ru[4]} jit_methods={jit} jit_ms={jitMs:0.00} " +
            $"gc0={GC.CollectionCount(0) - s_gc0} gc1={GC.CollectionCount(1) - s_gc1} gc2={GC.CollectionCount(2) - s_gc2} " +
            $"nvcsw={ru[14]} nivcsw={ru[15]}");
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetRUsage(int who, long* usage);
}
