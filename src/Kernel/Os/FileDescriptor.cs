using System.Runtime.InteropServices;

namespace PoeSharp.Os;

/// <summary>
/// Owns one POSIX file descriptor and closes it on <see cref="SafeHandle.Dispose()"/>.
/// Finalizers never run in a forked child, so dispose every descriptor deterministically.
/// </summary>
public sealed partial class FileDescriptor : SafeHandle
{
    /// <summary>Wraps <paramref name="fd"/>; when <paramref name="ownsHandle"/> is true, disposing closes it.</summary>
    public FileDescriptor(int fd, bool ownsHandle = true) : base(new IntPtr(-1), ownsHandle) => SetHandle(new IntPtr(fd));

    /// <summary>The descriptor number (-1 once invalid).</summary>
    public int Fd => (int)handle;

    /// <summary>
    /// True when this process opened the descriptor with O_NONBLOCK (or set it through
    /// <see cref="PosixSocket.SetNonBlocking(FileDescriptor, bool)"/>), so making it non-blocking
    /// again needs no fcntl. False means unknown, not blocking.
    /// </summary>
    internal bool KnownNonBlocking { get; set; }

    /// <summary>
    /// True when this process made the descriptor itself (an accepted connection) and has not
    /// forked since, so no other process holds the open file it refers to: closing it releases the
    /// file, and with it the file's epoll registrations. False means unknown (a descriptor passed
    /// in, inherited, opened before a fork, or duplicated). A program that duplicates such a
    /// descriptor by its own means (dup, SCM_RIGHTS) must not rely on it.
    /// </summary>
    public bool IsProcessPrivate => _privateEpoch != 0 && _privateEpoch == ForkSafety.ForkEpoch && !IsClosed;

    /// <summary>Marks the descriptor as made by this process now, with no copy elsewhere (<see cref="IsProcessPrivate"/>).</summary>
    internal void MarkProcessPrivate() => _privateEpoch = ForkSafety.ForkEpoch;

    private int _privateEpoch;

    /// <inheritdoc />
    public override bool IsInvalid => (int)handle < 0;

    /// <inheritdoc />
    protected override bool ReleaseHandle() => Close((int)handle) == 0;

    /// <inheritdoc />
    public override string ToString() => $"fd {Fd}";

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
