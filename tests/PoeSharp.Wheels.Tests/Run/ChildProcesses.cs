using PoeSharp.Os;

namespace PoeSharp.Wheels.Tests.Run;

/// <summary>
/// Bookkeeping for the processes a test starts: each pid is recorded, and <see cref="KillLeftovers"/>
/// kills (by pid) and reaps whatever a failed test left behind. Also answers "is this still our child?".
/// </summary>
internal static class ChildProcesses
{
    private static readonly List<int> s_started = [];

    /// <summary>Remembers <paramref name="pid"/> for the tear-down.</summary>
    public static void Track(int pid)
    {
        if (pid > 0) s_started.Add(pid);
    }

    /// <summary>True while <paramref name="pid"/> is our child and has not exited.</summary>
    public static bool IsRunning(int pid) => PosixSpawn.Probe(pid) == 1;

    /// <summary>True when <paramref name="pid"/> is no child of ours any more (it was reaped).</summary>
    public static bool IsGone(int pid) => PosixSpawn.Probe(pid) == -1;

    /// <summary>Kills with SIGKILL and reaps every tracked child that is still ours; returns how many there were.</summary>
    public static int KillLeftovers()
    {
        int left = 0;
        foreach (int pid in s_started)
        {
            if (IsGone(pid)) continue;
            left++;
            PosixSpawn.Kill(pid, Signals.KILL);
            PosixSpawn.WaitFor(pid);
        }
        s_started.Clear();
        return left;
    }

    /// <summary>The number of open descriptors of this process.</summary>
    public static int OpenDescriptors() => Directory.GetFileSystemEntries("/proc/self/fd").Length;
}
