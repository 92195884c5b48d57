using System.Runtime.InteropServices;
using System.Text;

namespace PoeSharp.Os;

/// <summary>statx(2), whose layout is the same on every architecture, and opening files by path.</summary>
internal static unsafe partial class FileInterop
{
    internal const int SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2;

    private const int AT_FDCWD = -100, AT_EMPTY_PATH = 0x1000;
    private const uint STATX_BASIC_STATS = 0x7ff;
    private const int StatxSize = 256;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static partial int Statx(int dirFd, byte* path, int flags, uint mask, byte* buffer);

    /// <summary>stat(2) of <paramref name="path"/>, following symbolic links.</summary>
    internal static OsResult<FileStatus> Stat(string path)
    {
        byte[] native = NullTerminated(path);
        fixed (byte* p = native) return StatCore(AT_FDCWD, p, 0);
    }

    /// <summary>fstat(2) of an open descriptor.</summary>
    internal static OsResult<FileStatus> FStat(int fd)
    {
        byte empty = 0;
        return StatCore(fd, &empty, AT_EMPTY_PATH);
    }

    /// <summary>open(2) of <paramref name="path"/> with <paramref name="flags"/> (O_CLOEXEC is added), EINTR retried.</summary>
    internal static OsResult<FileDescriptor> OpenPath(string path, int flags)
    {
        byte[] native = NullTerminated(path);
        fixed (byte* p = native)
        {
            while (true)
            {
                int fd = Open(p, flags | O_CLOEXEC, 0);
                if (fd >= 0) return OsResult<FileDescriptor>.Success(new FileDescriptor(fd));
                var error = OsError.Last();
                if (error.Errno != Errno.EINTR) return OsResult<FileDescriptor>.Fail(error);
            }
        }
    }

    /// <summary>lseek(2): the new offset, or the error (ESPIPE on pipes and sockets).</summary>
    internal static OsResult<long> Seek(int fd, long offset, int whence)
    {
        long at = LSeek(fd, offset, whence);
        return at < 0 ? OsResult<long>.Fail(OsError.Last()) : OsResult<long>.Success(at);
    }

    private static OsResult<FileStatus> StatCore(int dirFd, byte* path, int flags)
    {
        byte* buffer = stackalloc byte[StatxSize];
        if (Statx(dirFd, path, flags, STATX_BASIC_STATS, buffer) != 0) return OsResult<FileStatus>.Fail(OsError.Last());
        var b = new ReadOnlySpan<byte>(buffer, StatxSize);
        // struct statx: stx_nlink @16, stx_mode @28 (u16), stx_ino @32, stx_size @40, stx_dev_major @136, stx_dev_minor @140.
        ulong device = ((ulong)MemoryMarshal.Read<uint>(b[136..]) << 32) | MemoryMarshal.Read<uint>(b[140..]);
        return OsResult<FileStatus>.Success(new FileStatus(
            device,
            MemoryMarshal.Read<ulong>(b[32..]),
            MemoryMarshal.Read<ushort>(b[28..]),
            MemoryMarshal.Read<uint>(b[16..]),
            (long)MemoryMarshal.Read<ulong>(b[40..])));
    }

    private static byte[] NullTerminated(string path)
    {
        if (path.Contains('\0')) throw new ArgumentException("A path cannot contain NUL characters.", nameof(path));
        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }
}
