// In the root namespace although it lives in Processes/: every program that forks names it.
namespace PoeSharp;

/// <summary>
/// The outcome of <c>fork()</c>: <see cref="Pid"/> &gt; 0 in the parent (the child's pid), 0 in the
/// child, -1 when no child was created (then <see cref="Errno"/> and <see cref="Error"/> say why).
/// </summary>
/// <param name="Pid">The child's pid in the parent, 0 in the child, -1 on failure.</param>
/// <param name="Errno">The errno of a failed fork, else 0.</param>
/// <param name="Error">A readable reason for a failed fork, else null.</param>
public readonly record struct ForkResult(int Pid, int Errno = 0, string? Error = null)
{
    /// <summary>True when no child was created.</summary>
    public bool Failed => Pid < 0;

    /// <summary>True in the new child process.</summary>
    public bool IsChild => Pid == 0;

    /// <summary>True in the parent, which got the child's pid.</summary>
    public bool IsParent => Pid > 0;

    /// <summary>A failed fork.</summary>
    public static ForkResult Failure(int errno, string error) => new(-1, errno, error);
}
