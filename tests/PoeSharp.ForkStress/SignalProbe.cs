using System.Diagnostics;
using PoeSharp.Os;

namespace PoeSharp.ForkStress;

/// <summary>
/// Does a signal watcher receive a process-directed SIGTERM? Watches TERM through the host's
/// signalfd, sends TERM to itself, and reports whether the loop saw it. Without the signal-mask
/// bootstrap the runtime's threads have TERM unblocked, so the kernel may deliver it there.
/// </summary>
internal static class SignalProbe
{
    public static int Run(StressOptions o)
    {
        using var loop = new LoopHost();
        bool delivered = false;
        loop.SignalArrived = name => delivered |= name == "TERM";
        loop.Host.WatchSignal("TERM");
        var blocked = new List<string>();
        foreach (string task in Directory.GetDirectories("/proc/self/task"))
        {
            string comm = File.ReadAllText(Path.Combine(task, "comm")).Trim();
            string sigBlk = File.ReadLines(Path.Combine(task, "status")).First(l => l.StartsWith("SigBlk:", StringComparison.Ordinal))[7..].Trim();
            blocked.Add($"{comm}={sigBlk}");
        }
        Console.WriteLine($"signal-probe: bootstrap={ForkSafety.SignalMaskActive} threads: {string.Join(", ", blocked)}");
        Console.Out.Flush();
        Native.Kill(Native.GetPid(), Signals.TERM);
        var sw = Stopwatch.StartNew();
        while (!delivered && sw.Elapsed < TimeSpan.FromSeconds(2)) loop.RunOnce(TimeSpan.FromMilliseconds(50));
        Console.WriteLine($"signal-probe: delivered={(delivered ? "yes" : "no")}");
        return delivered ? 0 : 1;
    }
}
