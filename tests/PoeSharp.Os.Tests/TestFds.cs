using PoeSharp.Os;

namespace PoeSharp.Os.Tests;

/// <summary>Raw descriptors for loop tests: pipes, writes, reads, close.</summary>
internal static unsafe partial class TestFds
{
    public static (int, int) SocketPair()
    {
        int* sv = stackalloc int[2];
        Assert.That(SocketPairNative(1 /*AF_UNIX*/, 1 /*SOCK_STREAM*/ | 0x80000 | 0x800, 0, sv), Is.Zero);
        return (sv[0], sv[1]);
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "socketpair")]
    private static partial int SocketPairNative(int domain, int type, int protocol, int* sv);

    public static (int Read, int Write) Pipe()
    {
        int* fds = stackalloc int[2];
        int r = FileInterop.Pipe2(fds, FileInterop.O_CLOEXEC | FileInterop.O_NONBLOCK);
        Assert.That(r, Is.Zero, () => $"pipe2: {OsError.Last()}");
        return (fds[0], fds[1]);
    }

    public static void Write(int fd, byte value = 42)
    {
        byte b = value;
        Assert.That(FileInterop.Write(fd, &b, 1), Is.EqualTo((nint)1));
    }

    public static int Drain(int fd)
    {
        byte* buf = stackalloc byte[4096];
        int total = 0;
        nint n;
        while ((n = FileInterop.Read(fd, buf, 4096)) > 0) total += (int)n;
        return total;
    }

    public static void Close(int fd) => FileInterop.Close(fd);

    public static bool IsOpen(int fd)
    {
        // F_GETFD through /proc: the link exists while the descriptor is open.
        return File.Exists($"/proc/self/fd/{fd}") || Directory.Exists($"/proc/self/fd/{fd}");
    }
}
