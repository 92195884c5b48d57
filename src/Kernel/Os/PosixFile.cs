namespace PoeSharp.Os;

/// <summary>
/// Checked wrappers for the file system calls a file follower needs: stat, open and lseek.
/// Failures come back as <see cref="OsError"/> values; EINTR is retried here. Reading and
/// writing an open descriptor is <see cref="PosixSocket.Read"/> and <see cref="PosixSocket.Write"/>.
/// </summary>
public static class PosixFile
{
    /// <summary>stat(2) of <paramref name="path"/>, following symbolic links.</summary>
    /// <exception cref="ArgumentException">The path contains a NUL character.</exception>
    public static OsResult<FileStatus> Stat(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return FileInterop.Stat(path);
    }

    /// <summary>fstat(2) of the open descriptor <paramref name="fd"/>.</summary>
    public static OsResult<FileStatus> FStat(int fd) => FileInterop.FStat(fd);

    /// <summary>
    /// open(2) of <paramref name="path"/> for <paramref name="access"/>, close-on-exec, and
    /// non-blocking unless <paramref name="nonBlocking"/> is false.
    /// </summary>
    /// <exception cref="ArgumentException">The path contains a NUL character.</exception>
    public static OsResult<FileDescriptor> Open(string path, FileAccess access = FileAccess.Read, bool nonBlocking = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        int flags = access switch
        {
            FileAccess.Read => FileInterop.O_RDONLY,
            FileAccess.Write => FileInterop.O_WRONLY,
            _ => FileInterop.O_RDWR,
        };
        var opened = FileInterop.OpenPath(path, flags | (nonBlocking ? FileInterop.O_NONBLOCK : 0));
        if (opened.Ok) opened.Value.KnownNonBlocking = nonBlocking;
        return opened;
    }

    /// <summary>lseek(2): the new offset, or the error (ESPIPE on pipes and sockets).</summary>
    public static OsResult<long> Seek(int fd, long offset, SeekOrigin origin) =>
        FileInterop.Seek(fd, offset, origin switch
        {
            SeekOrigin.Begin => FileInterop.SEEK_SET,
            SeekOrigin.Current => FileInterop.SEEK_CUR,
            _ => FileInterop.SEEK_END,
        });
}
