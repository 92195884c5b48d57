using System.Runtime.InteropServices;

namespace PoeSharp.Os;

/// <summary>
/// spawn.h: <c>posix_spawn</c>/<c>posix_spawnp</c> with file actions and attributes, plus
/// <c>pidfd_send_signal</c>. glibc implements posix_spawn with <c>clone(CLONE_VM|CLONE_VFORK)</c>
/// and exec: no managed code runs in the child, so none of the fork-safety rules apply.
/// </summary>
/// <remarks>The functions return an errno value (0 = success) instead of setting errno.</remarks>
internal static unsafe partial class SpawnInterop
{
    /// <summary>Bytes reserved for posix_spawn_file_actions_t (80 on glibc x86-64/arm64), with room to spare.</summary>
    internal const int FileActionsSize = 256;

    /// <summary>Bytes reserved for posix_spawnattr_t (336 on glibc x86-64/arm64), with room to spare.</summary>
    internal const int AttrSize = 1024;

    internal const short POSIX_SPAWN_SETPGROUP = 0x02, POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08;
    internal const int F_DUPFD_CLOEXEC = 1030;
    internal const int SYS_pidfd_send_signal = 424;   // same number on every Linux architecture

    [LibraryImport("libc", EntryPoint = "posix_spawn")]
    internal static partial int PosixSpawn(int* pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "posix_spawnp")]
    internal static partial int PosixSpawnP(int* pid, byte* file, void* fileActions, void* attr, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    internal static partial int FileActionsInit(void* fileActions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    internal static partial int FileActionsDestroy(void* fileActions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    internal static partial int FileActionsAddDup2(void* fileActions, int fd, int newFd);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addopen")]
    internal static partial int FileActionsAddOpen(void* fileActions, int fd, byte* path, int flags, int mode);

    /// <summary>glibc 2.29+.</summary>
    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addchdir_np")]
    internal static partial int FileActionsAddChdir(void* fileActions, byte* path);

    /// <summary>glibc 2.34+: closes every descriptor from <paramref name="from"/> up in the child.</summary>
    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addclosefrom_np")]
    internal static partial int FileActionsAddCloseFrom(void* fileActions, int from);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_init")]
    internal static partial int AttrInit(void* attr);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_destroy")]
    internal static partial int AttrDestroy(void* attr);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setflags")]
    internal static partial int AttrSetFlags(void* attr, short flags);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigmask")]
    internal static partial int AttrSetSigMask(void* attr, SignalSet* mask);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigdefault")]
    internal static partial int AttrSetSigDefault(void* attr, SignalSet* signals);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setpgroup")]
    internal static partial int AttrSetPGroup(void* attr, int pgroup);

    /// <summary>syscall(2) with four integer arguments (pidfd_send_signal needs its flags argument zeroed).</summary>
    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    internal static partial nint Syscall4(nint number, nint a1, nint a2, nint a3, nint a4);

    /// <summary>pidfd_send_signal(pidfd, sig, NULL, 0) (Linux 5.1+): signals exactly that process, never a recycled pid.</summary>
    internal static int PidFdSendSignal(int pidFd, int signo) => (int)Syscall4(SYS_pidfd_send_signal, pidFd, signo, 0, 0);
}
