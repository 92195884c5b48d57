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
        // Without the bootstrap a runtime thread takes TERM once it runs, but on a busy machine the
        // signalfd read below could dequeue it first. Wait until it left the process's pending
        // set, so the probe shows where the signal goes, not which thread the scheduler ran first.
        if (!ForkSafety.SignalMaskActive)
            while (SharedPending(Signals.TERM) && sw.Elapsed < TimeSpan.FromSeconds(30)) Thread.Sleep(1);
        // Generous: the bound only ends a probe whose signal went nowhere.
        while (!delivered && sw.Elapsed < TimeSpan.FromSeconds(30)) loop.RunOnce(TimeSpan.FromMilliseconds(50));
        Console.WriteLine($"signal-probe: delivered={(delivered ? "yes" : "no")}");
        return delivered ? 0 : 1;
    }

    /// <summary>True while <paramref name="signal"/> is pending for the process (ShdPnd in /proc/self/status).</summary>
    private static bool SharedPending(int signal)
    {
        string hex = File.ReadLines("/proc/self/status").First(l => l.StartsWith("ShdPnd:", StringComparison.Ordinal))[7..].Trim();
        return (ulong.Parse(hex, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) & (1UL << (signal - 1))) != 0;
    }
}
