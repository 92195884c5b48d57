using System.Globalization;
using System.Runtime.InteropServices;

namespace PoeSharp.Integration.Tests.Support;

/// <summary>
/// A process as /proc sees it, identified by pid and start time so a reused pid is never mistaken
/// for one of ours.
/// </summary>
internal readonly record struct ProcInfo(int Pid, long StartTime)
{
    /// <summary>True while this very process exists (a zombie counts: it has not been reaped).</summary>
    public bool IsAlive => ProcessTree.TryReadStat(Pid, out long start, out _, out _) && start == StartTime;

    /// <summary>True when this process has exited and its parent has not reaped it.</summary>
    public bool IsZombie => ProcessTree.TryReadStat(Pid, out long start, out char state, out _) && start == StartTime && state == 'Z';
}

/// <summary>Reads process trees from /proc and sends signals by pid.</summary>
internal static partial class ProcessTree
{
    public const int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGKILL = 9, SIGTERM = 15, SIGUSR2 = 12, SIGTTIN = 21, SIGTTOU = 22, SIGWINCH = 28;

    /// <summary>Reads state, parent and start time (field 22, clock ticks since boot) of <paramref name="pid"/>.</summary>
    public static bool TryReadStat(int pid, out long startTime, out char state, out int parent)
    {
        startTime = 0;
        state = '?';
        parent = 0;
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
        // The command name may contain spaces and parentheses: fields start after the last ')'.
        int close = text.LastIndexOf(')');
        if (close < 0) return false;
        string[] f = text[(close + 2)..].Split(' ');
        state = f[0][0];
        parent = int.Parse(f[1], CultureInfo.InvariantCulture);
        startTime = long.Parse(f[19], CultureInfo.InvariantCulture);
        return true;
    }

    /// <summary>The process and every descendant, depth first (from /proc/PID/task/*/children).</summary>
    public static List<ProcInfo> Snapshot(int root)
    {
        var list = new List<ProcInfo>();
        Walk(root, list);
        return list;
    }

    private static void Walk(int pid, List<ProcInfo> list)
    {
        if (!TryReadStat(pid, out long start, out _, out _)) return;
        list.Add(new ProcInfo(pid, start));
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (IOException)
        {
            return;
        }
        foreach (string task in tasks)
        {
            string children;
            try
            {
                children = File.ReadAllText(Path.Combine(task, "children"));
            }
            catch (IOException)
            {
                continue;
            }
            foreach (string c in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                Walk(int.Parse(c, CultureInfo.InvariantCulture), list);
        }
    }

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/> (negative: a process group).</summary>
    public static bool Kill(int pid, int signal) => KillNative(pid, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillNative(int pid, int sig);
}
