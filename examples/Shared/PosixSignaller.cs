using System.Runtime.InteropServices;

namespace PoeSharp.Examples;

/// <summary>kill(2). PoeSharp.Os has no public wrapper for it, so the example imports it itself.</summary>
internal sealed class PosixSignaller : IProcessSignaller
{
    /// <inheritdoc />
    public bool Send(int pid, int signal) => pid > 0 && Kill(pid, signal) == 0;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int sig);
}
