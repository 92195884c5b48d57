namespace PoeSharp.Os;

/// <summary>The part of stat(2) a file follower needs: identity (device and inode), type, link count and size.</summary>
/// <param name="Device">The device the file is on (st_dev).</param>
/// <param name="Inode">The file's inode number (st_ino).</param>
/// <param name="Mode">The file type and permission bits (st_mode).</param>
/// <param name="Links">The number of hard links (st_nlink); 0 once the file is removed.</param>
/// <param name="Size">The size in bytes (st_size).</param>
public readonly record struct FileStatus(ulong Device, ulong Inode, int Mode, uint Links, long Size)
{
    private const int S_IFMT = 0xF000, S_IFREG = 0x8000, S_IFDIR = 0x4000, S_IFIFO = 0x1000;

    /// <summary>A regular file.</summary>
    public bool IsRegular => (Mode & S_IFMT) == S_IFREG;

    /// <summary>A directory.</summary>
    public bool IsDirectory => (Mode & S_IFMT) == S_IFDIR;

    /// <summary>A FIFO (named pipe) or an anonymous pipe.</summary>
    public bool IsFifo => (Mode & S_IFMT) == S_IFIFO;

    /// <summary>True when both describe the same file (device and inode), whatever its size.</summary>
    public bool IsSameFile(in FileStatus other) => Device == other.Device && Inode == other.Inode;
}
