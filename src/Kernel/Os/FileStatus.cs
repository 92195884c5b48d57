namespace PoeSharp.Os;

/// <summary>The part of stat(2) a file follower needs: identity (device and inode), type, link count and size.</summary>
internal readonly record struct FileStatus(ulong Device, ulong Inode, int Mode, uint Links, long Size)
{
    private const int S_IFMT = 0xF000, S_IFREG = 0x8000, S_IFDIR = 0x4000, S_IFIFO = 0x1000;

    /// <summary>A regular file.</summary>
    internal bool IsRegular => (Mode & S_IFMT) == S_IFREG;

    /// <summary>A directory.</summary>
    internal bool IsDirectory => (Mode & S_IFMT) == S_IFDIR;

    /// <summary>A FIFO (named pipe) or an anonymous pipe.</summary>
    internal bool IsFifo => (Mode & S_IFMT) == S_IFIFO;

    /// <summary>True when both describe the same file (device and inode), whatever its size.</summary>
    internal bool IsSameFile(in FileStatus other) => Device == other.Device && Inode == other.Inode;
}
