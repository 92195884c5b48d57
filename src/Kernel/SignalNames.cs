namespace PoeSharp;

/// <summary>Signal names the kernel treats specially, and POE's three signal classes.</summary>
public static class SignalNames
{
    /// <summary>Terminal pseudo-signal broadcast when only aliases keep sessions alive.</summary>
    public const string Idle = "IDLE";

    /// <summary>Non-maskable: follows a handled IDLE when the kernel is still idle.</summary>
    public const string Zombie = "ZOMBIE";

    /// <summary>Terminal: a handler threw (ARG1 is a <see cref="DieInfo"/>).</summary>
    public const string Die = "DIE";

    /// <summary>Non-maskable: a GUI main window was destroyed.</summary>
    public const string UiDestroy = "UIDESTROY";

    /// <summary>Benign: a watched child process was reaped (ARG1 pid, ARG2 wait status).</summary>
    public const string Child = "CHLD";

    /// <summary>The OS signals the kernel can watch through its process host.</summary>
    public static readonly IReadOnlyList<string> OsSignals = ["INT", "TERM", "HUP", "QUIT", "USR1", "USR2", "CHLD", "PIPE", "TTIN", "TTOU", "WINCH"];

    /// <summary>True for POE's terminal signals (QUIT INT KILL TERM HUP IDLE DIE): unhandled, they stop every session they touch.</summary>
    public static bool IsTerminal(string name) =>
        name is "QUIT" or "INT" or "KILL" or "TERM" or "HUP" or Idle or Die;

    /// <summary>True for the non-maskable signals (ZOMBIE, UIDESTROY): they stop every touched session even when handled.</summary>
    public static bool IsNonMaskable(string name) => name is Zombie or UiDestroy;

    /// <summary>True for signals whose first watcher makes the process host deliver the OS signal.</summary>
    public static bool IsOsSignal(string name) =>
        name is "INT" or "TERM" or "HUP" or "QUIT" or "USR1" or "USR2" or "CHLD" or "PIPE" or "TTIN" or "TTOU" or "WINCH";
}
