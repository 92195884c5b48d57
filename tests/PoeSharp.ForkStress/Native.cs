using System.Runtime.InteropServices;

namespace PoeSharp.ForkStress;

/// <summary>The few raw calls the stress program makes itself.</summary>
internal static unsafe partial class Native
{
    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signo);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "getpid")]
    public static partial int GetPid();

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    public static partial int Pipe2(int* fds, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buf, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buf, nuint count);

    [LibraryImport("libc", EntryPoint = "fork")]
    public static partial int Fork();

    [LibraryImport("libc", EntryPoint = "_exit")]
    public static partial void ExitNow(int code);

    [LibraryImport("libc", EntryPoint = "waitpid")]
    public static partial int WaitPid(int pid, int* status, int options);

    public static (int Read, int Write) Pipe()
    {
        int* fds = stackalloc int[2];
        if (Pipe2(fds, 0x80000 | 0x800) != 0) throw new InvalidOperationException("pipe2 failed");
        return (fds[0], fds[1]);
    }

    /// <summary>Writes one line atomically (shorter than PIPE_BUF).</summary>
    public static void WriteLine(int fd, string line)
    {
        Span<byte> buf = stackalloc byte[512];
        int n = System.Text.Encoding.ASCII.GetBytes(line + "\n", buf);
        fixed (byte* p = buf) Write(fd, p, (nuint)n);
    }

    /// <summary>Reads whatever is available (non-blocking) and appends it.</summary>
    public static void ReadAvailable(int fd, System.Text.StringBuilder into)
    {
        byte* buf = stackalloc byte[4096];
        nint n;
        while ((n = Read(fd, buf, 4096)) > 0) into.Append(System.Text.Encoding.ASCII.GetString(buf, (int)n));
    }
}
