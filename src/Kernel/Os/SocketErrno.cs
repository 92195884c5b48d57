namespace PoeSharp.Os;

/// <summary>The Linux errno values the socket layer and the wheels test for.</summary>
internal static class SocketErrno
{
    internal const int ENOENT = 2, EINTR = 4, EBADF = 9, EAGAIN = 11, ENOMEM = 12, EFAULT = 14, EINVAL = 22;
    internal const int ENFILE = 23, EMFILE = 24, ESPIPE = 29, EPIPE = 32, EPROTO = 71, EBADMSG = 74;
    internal const int ENOTSOCK = 88, EAFNOSUPPORT = 97, EADDRINUSE = 98, EADDRNOTAVAIL = 99;
    internal const int ECONNABORTED = 103, ECONNRESET = 104, ENOBUFS = 105, ENOTCONN = 107;
    internal const int ETIMEDOUT = 110, ECONNREFUSED = 111, EINPROGRESS = 115;
}
