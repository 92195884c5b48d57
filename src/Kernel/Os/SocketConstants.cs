namespace PoeSharp.Os;

/// <summary>
/// Linux values of the socket constants PoeSharp uses (identical on x86-64 and arm64; checked
/// against the C headers by a test when a C compiler is present).
/// </summary>
internal static class SocketConstants
{
    internal const int AF_UNIX = 1, AF_INET = 2, AF_INET6 = 10;
    internal const int SOCK_STREAM = 1, SOCK_DGRAM = 2;
    internal const int SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
    internal const int O_NONBLOCK = 0x800, O_CLOEXEC = 0x80000;
    internal const int F_GETFL = 3, F_SETFL = 4, F_GETFD = 1, F_SETFD = 2, FD_CLOEXEC = 1;
    internal const int SOL_SOCKET = 1, SO_REUSEADDR = 2, SO_ERROR = 4, SO_SNDBUF = 7, SO_RCVBUF = 8, SO_REUSEPORT = 15;
    internal const int SO_TYPE = 3, SO_ACCEPTCONN = 30, SO_DOMAIN = 39;
    internal const int IPPROTO_TCP = 6, TCP_NODELAY = 1;
    internal const int IPPROTO_IPV6 = 41, IPV6_V6ONLY = 26;
    internal const int SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2;
    internal const int MSG_NOSIGNAL = 0x4000;
    internal const int SOMAXCONN = 4096;

    /// <summary>sizeof(struct sockaddr_storage).</summary>
    internal const int SockAddrStorageSize = 128;

    /// <summary>sizeof(sun_path).</summary>
    internal const int UnixPathMax = 108;
}
