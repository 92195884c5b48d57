using System.Runtime.InteropServices;

namespace PoeSharp.Os;

/// <summary>unistd.h / sys/wait.h / sys/prctl.h / pidfd: process creation, identity and reaping.</summary>
internal static unsafe partial class ProcessInterop
{
    internal const int SYS_pidfd_open = 434;       // same number on every Linux architecture
    internal const int SYS_gettid_x64 = 186, SYS_gettid_arm64 = 178;
    internal const int PR_SET_PDEATHSIG = 1, PR_SET_NAME = 15;
    internal const int WNOHANG = 1, WEXITED = 4, WNOWAIT = 0x01000000;
    internal const int P_PID = 1, P_PIDFD = 3;
    internal const int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3;

    /// <summary>siginfo_t as filled by waitid (128 bytes; the fields PoeSharp reads).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    internal struct SigInfo
    {
        [FieldOffset(0)] internal int Signo;
        [FieldOffset(4)] internal int Errno;
        [FieldOffset(8)] internal int Code;
        [FieldOffset(16)] internal int Pid;
        [FieldOffset(20)] internal uint Uid;
        [FieldOffset(24)] internal int Status;
    }

    [LibraryImport("libc", EntryPoint = "fork", SetLastError = true)]
    internal static partial int Fork();

    [LibraryImport("libc", EntryPoint = "_exit")]
    internal static partial void Exit(int status);

    [LibraryImport("libc", EntryPoint = "getpid")]
    internal static partial int GetPid();

    [LibraryImport("libc", EntryPoint = "getppid")]
    internal static partial int GetPPid();

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    internal static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    /// <summary>syscall(2) with up to three integer arguments (all passed in registers).</summary>
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    internal static partial nint Syscall(nint number, nint a1, nint a2, nint a3);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    internal static partial int WaitPid(int pid, int* status, int options);

    [LibraryImport("libc", EntryPoint = "waitid", SetLastError = true)]
    internal static partial int WaitId(int idType, int id, SigInfo* info, int options);

    [LibraryImport("libc", EntryPoint = "execve", SetLastError = true)]
    internal static partial int Execve(byte* path, byte** argv, byte** envp);

    /// <summary>pidfd_open(pid, 0): a descriptor that becomes readable when <paramref name="pid"/> exits (Linux 5.3+).</summary>
    internal static int PidFdOpen(int pid) => (int)Syscall(SYS_pidfd_open, pid, 0, 0);

    /// <summary>The calling thread's id.</summary>
    internal static int GetTid() =>
        (int)Syscall(RuntimeInformation.ProcessArchitecture == Architecture.X64 ? SYS_gettid_x64 : SYS_gettid_arm64, 0, 0, 0);

    /// <summary>waitpid(pid, WNOHANG) with EINTR retried: the pid when reaped, 0 when still running, -1 with errno.</summary>
    internal static int WaitPidNoHang(int pid, out int status)
    {
        int st = 0;
        while (true)
        {
            int r = WaitPid(pid, &st, WNOHANG);
            if (r >= 0 || Marshal.GetLastPInvokeError() != Errno.EINTR)
            {
                status = st;
                return r;
            }
        }
    }
}
