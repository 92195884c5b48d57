using System.Runtime.InteropServices;

namespace PoeSharp.Os;

/// <summary>
/// spawn.h: posix_spawn with file actions and attributes, for running programs without
/// forking the runtime (glibc uses clone(CLONE_VM|CLONE_VFORK), so no managed code runs in
/// the new process before exec). The opaque glibc structures are kept in native buffers
/// larger than their real size (80 and 336 bytes on x86-64).
/// </summary>
internal static unsafe partial class SpawnInterop
{
    internal const int FileActionsSize = 256, AttrSize = 512;
    internal const short POSIX_SPAWN_SETSIGMASK = 0x08, POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSID = 0x80;

    [LibraryImport("libc", EntryPoint = "posix_spawn")]
    internal static partial int PosixSpawn(int* pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "posix_spawnp")]
    internal static partial int PosixSpawnP(int* pid, byte* file, void* fileActions, void* attr, byte** argv, byte** envp);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
    internal static partial int FileActionsInit(void* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
    internal static partial int FileActionsDestroy(void* actions);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
    internal static partial int FileActionsAddDup2(void* actions, int fd, int newFd);

    [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_addclose")]
    internal static partial int FileActionsAddClose(void* actions, int fd);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_init")]
    internal static partial int AttrInit(void* attr);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_destroy")]
    internal static partial int AttrDestroy(void* attr);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setflags")]
    internal static partial int AttrSetFlags(void* attr, short flags);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigmask")]
    internal static partial int AttrSetSigMask(void* attr, SignalSet* mask);

    [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigdefault")]
    internal static partial int AttrSetSigDefault(void* attr, SignalSet* set);
}
