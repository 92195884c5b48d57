namespace PoeSharp.Os;

/// <summary>The Linux errno values the OS layer, the socket layer and the wheels test for (identical on x86-64 and arm64).</summary>
internal static class Errno
{
    internal const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EBADF = 9, ECHILD = 10, EAGAIN = 11;
    internal const int ENOMEM = 12, EFAULT = 14, EEXIST = 17, EINVAL = 22, ENFILE = 23, EMFILE = 24;
    internal const int ESPIPE = 29, EPIPE = 32, ENOSYS = 38, EPROTO = 71, EBADMSG = 74;
    internal const int ENOTSOCK = 88, EAFNOSUPPORT = 97, EADDRINUSE = 98, EADDRNOTAVAIL = 99;
    internal const int ECONNABORTED = 103, ECONNRESET = 104, ENOBUFS = 105, ENOTCONN = 107;
    internal const int ETIMEDOUT = 110, ECONNREFUSED = 111, EINPROGRESS = 115;
}
