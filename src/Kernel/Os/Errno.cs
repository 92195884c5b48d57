namespace PoeSharp.Os;

/// <summary>The Linux errno values the OS layer tests for (identical on x86-64 and arm64).</summary>
internal static class Errno
{
    internal const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EBADF = 9, ECHILD = 10, EAGAIN = 11;
    internal const int ENOMEM = 12, EEXIST = 17, EINVAL = 22, EMFILE = 24, ENOSYS = 38;
}
