namespace PoeSharp.Os;

/// <summary>
/// The Linux errno values the OS layer, the socket layer and the wheels test for (identical on
/// x86-64 and arm64), to compare with <see cref="OsError.Errno"/>.
/// </summary>
public static class Errno
{
    /// <summary>errno.h: EPERM, ENOENT, ESRCH, EINTR, EBADF, ECHILD, EAGAIN.</summary>
    public const int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EBADF = 9, ECHILD = 10, EAGAIN = 11;
    /// <summary>errno.h: ENOMEM, EFAULT, EEXIST, EINVAL, ENFILE, EMFILE.</summary>
    public const int ENOMEM = 12, EFAULT = 14, EEXIST = 17, EINVAL = 22, ENFILE = 23, EMFILE = 24;
    /// <summary>errno.h: ESPIPE, EPIPE, ENOSYS, EPROTO, EBADMSG.</summary>
    public const int ESPIPE = 29, EPIPE = 32, ENOSYS = 38, EPROTO = 71, EBADMSG = 74;
    /// <summary>errno.h: ENOTSOCK, EAFNOSUPPORT, EADDRINUSE, EADDRNOTAVAIL.</summary>
    public const int ENOTSOCK = 88, EAFNOSUPPORT = 97, EADDRINUSE = 98, EADDRNOTAVAIL = 99;
    /// <summary>errno.h: ECONNABORTED, ECONNRESET, ENOBUFS, ENOTCONN.</summary>
    public const int ECONNABORTED = 103, ECONNRESET = 104, ENOBUFS = 105, ENOTCONN = 107;
    /// <summary>errno.h: ETIMEDOUT, ECONNREFUSED, EINPROGRESS.</summary>
    public const int ETIMEDOUT = 110, ECONNREFUSED = 111, EINPROGRESS = 115;
}
