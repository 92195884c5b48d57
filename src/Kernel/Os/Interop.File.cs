using System.Runtime.InteropServices;

namespace PoeSharp.Os;

/// <summary>fcntl.h / unistd.h / dirent: raw descriptor I/O for the OS layer's own descriptors and /proc.</summary>
internal static unsafe partial class FileInterop
{
    internal const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_NONBLOCK = 0x800, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
    internal static partial int Open(byte* path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    internal static partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    internal static partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    internal static partial int Pipe2(int* fds, int flags);

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    internal static partial long LSeek(int fd, long offset, int whence);

    [LibraryImport("libc", EntryPoint = "getdents64", SetLastError = true)]
    internal static partial nint GetDents64(int fd, byte* buffer, nuint count);

    /// <summary>read(2) with EINTR retried; -1 with errno on failure.</summary>
    internal static nint ReadRetry(int fd, byte* buffer, nuint count)
    {
        while (true)
        {
            nint n = Read(fd, buffer, count);
            if (n >= 0 || Marshal.GetLastPInvokeError() != Errno.EINTR) return n;
        }
    }

    /// <summary>write(2) with EINTR retried; -1 with errno on failure.</summary>
    internal static nint WriteRetry(int fd, byte* buffer, nuint count)
    {
        while (true)
        {
            nint n = Write(fd, buffer, count);
            if (n >= 0 || Marshal.GetLastPInvokeError() != Errno.EINTR) return n;
        }
    }
}
