namespace PoeSharp.Wheels;

/// <summary>
/// Reads a raw wait status (POE's <c>$?</c>, ARG2 of a <see cref="Kernel.SigChild(int, string?, object?[])"/>
/// event): the W* macros of sys/wait.h. -1 (the child was reaped elsewhere) is neither exited nor signalled.
/// </summary>
public static class WaitStatus
{
    /// <summary>WIFEXITED: the child called exit.</summary>
    public static bool Exited(int status) => status != -1 && (status & 0x7f) == 0;

    /// <summary>WEXITSTATUS: the exit code (0..255); meaningful when <see cref="Exited"/>.</summary>
    public static int ExitCode(int status) => (status >> 8) & 0xff;

    /// <summary>WIFSIGNALED: a signal ended the child.</summary>
    public static bool Signaled(int status) => status != -1 && (status & 0x7f) != 0 && (status & 0x7f) != 0x7f;

    /// <summary>WTERMSIG: the signal that ended the child; meaningful when <see cref="Signaled"/>.</summary>
    public static int TermSignal(int status) => status & 0x7f;

    /// <summary>WCOREDUMP: the child left a core file.</summary>
    public static bool CoreDumped(int status) => Signaled(status) && (status & 0x80) != 0;

    /// <summary>"exit 3", "signal TERM", "signal SEGV (core dumped)" or "unknown (-1)", for messages.</summary>
    public static string Describe(int status) =>
        Exited(status) ? $"exit {ExitCode(status)}"
        : Signaled(status) ? $"signal {PoeSharp.Os.Signals.Name(TermSignal(status))}{(CoreDumped(status) ? " (core dumped)" : "")}"
        : $"unknown ({status})";
}
