namespace PoeSharp.Os;

/// <summary>Linux signal numbers and their POE names (without "SIG").</summary>
public static class Signals
{
    /// <summary>SIGHUP.</summary>
    public const int HUP = 1;
    /// <summary>SIGINT.</summary>
    public const int INT = 2;
    /// <summary>SIGQUIT.</summary>
    public const int QUIT = 3;
    /// <summary>SIGKILL.</summary>
    public const int KILL = 9;
    /// <summary>SIGUSR1.</summary>
    public const int USR1 = 10;
    /// <summary>SIGUSR2.</summary>
    public const int USR2 = 12;
    /// <summary>SIGPIPE.</summary>
    public const int PIPE = 13;
    /// <summary>SIGALRM.</summary>
    public const int ALRM = 14;
    /// <summary>SIGTERM.</summary>
    public const int TERM = 15;
    /// <summary>SIGCHLD.</summary>
    public const int CHLD = 17;
    /// <summary>SIGTTIN (a pre-forked pool: one worker more).</summary>
    public const int TTIN = 21;
    /// <summary>SIGTTOU (a pre-forked pool: one worker fewer).</summary>
    public const int TTOU = 22;
    /// <summary>SIGWINCH (a pre-forked pool: stop the workers, keep the parent).</summary>
    public const int WINCH = 28;

    private static readonly string[] Names =
    [
        "", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM",
        "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF",
        "WINCH", "IO", "PWR", "SYS",
    ];

    /// <summary>The number of signal <paramref name="name"/> ("INT", "SIGINT", "CLD", "POLL", "IOT"), or 0 if unknown.</summary>
    public static int Number(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var n = name.StartsWith("SIG", StringComparison.Ordinal) ? name.AsSpan(3) : name.AsSpan();
        if (n.SequenceEqual("CLD")) return CHLD;
        if (n.SequenceEqual("POLL")) return 29;
        if (n.SequenceEqual("IOT")) return 6;
        for (int i = 1; i < Names.Length; i++)
            if (n.SequenceEqual(Names[i])) return i;
        return 0;
    }

    /// <summary>
    /// Sends signal <paramref name="signo"/> to process <paramref name="pid"/> (kill(2)). Returns
    /// <see cref="OsError.None"/> on success; ESRCH when the process is gone.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pid"/> is not positive: sending to a process group or to every process is never what a server means.</exception>
    public static OsError Send(int pid, int signo)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pid);
        return SignalInterop.Kill(pid, signo) == 0 ? OsError.None : OsError.Last();
    }

    /// <summary>The POE name of signal <paramref name="signo"/> ("INT"), or "NUM<i>n</i>" for others.</summary>
    public static string Name(int signo) =>
        signo > 0 && signo < Names.Length ? Names[signo] : "NUM" + signo.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
