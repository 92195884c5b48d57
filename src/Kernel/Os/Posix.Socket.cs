using System.Net.Sockets;
using static PoeSharp.Os.SocketConstants;

namespace PoeSharp.Os;

/// <summary>
/// Checked wrappers for the socket and pipe system calls. Every descriptor is created
/// non-blocking and close-on-exec. Failures come back as <see cref="OsError"/> values; EINTR is
/// retried here, and EAGAIN is reported as <see cref="WouldBlock"/>, never as an error.
/// </summary>
public static unsafe class PosixSocket
{
    /// <summary>The count a read or write returns when the descriptor is not ready (EAGAIN).</summary>
    public const int WouldBlock = -1;

    /// <summary>The backlog <see cref="Listen"/> uses by default (the kernel clips it to net.core.somaxconn).</summary>
    public const int DefaultBacklog = SOMAXCONN;

    /// <summary>Creates a non-blocking, close-on-exec socket.</summary>
    public static OsResult<FileDescriptor> Socket(AddressFamily family, SocketType type = SocketType.Stream, int protocol = 0)
    {
        int nativeType = type switch
        {
            SocketType.Stream => SOCK_STREAM,
            SocketType.Dgram => SOCK_DGRAM,
            _ => throw new ArgumentException($"Unsupported socket type {type}; use Stream or Dgram.", nameof(type)),
        };
        int fd = SocketInterop.Socket(SocketEndPoint.ToNativeFamily(family), nativeType | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
        if (fd < 0) return OsResult<FileDescriptor>.Fail(OsError.Last());
        var socket = new FileDescriptor(fd) { KnownNonBlocking = true };
        socket.MarkProcessPrivate();   // SOCK_CLOEXEC: no other process has it
        return OsResult<FileDescriptor>.Success(socket);
    }

    /// <summary>Binds <paramref name="fd"/> to <paramref name="endPoint"/>.</summary>
    public static OsError Bind(FileDescriptor fd, SocketEndPoint endPoint)
    {
        byte* addr = stackalloc byte[SockAddrStorageSize];
        int len = endPoint.Write(new Span<byte>(addr, SockAddrStorageSize));
        return SocketInterop.Bind(fd.Fd, addr, (uint)len) == 0 ? OsError.None : OsError.Last();
    }

    /// <summary>Starts listening with a backlog of <paramref name="backlog"/> pending connections.</summary>
    public static OsError Listen(FileDescriptor fd, int backlog = DefaultBacklog) =>
        SocketInterop.Listen(fd.Fd, backlog) == 0 ? OsError.None : OsError.Last();

    /// <summary>
    /// Accepts one pending connection as a non-blocking, close-on-exec socket. With nothing
    /// pending (EAGAIN) it returns no error and a null <paramref name="socket"/>.
    /// </summary>
    /// <param name="listenFd">The listening descriptor.</param>
    /// <param name="socket">The new connection, or null.</param>
    /// <param name="peer">The peer's address, or null when nothing was accepted.</param>
    public static OsError Accept(int listenFd, out FileDescriptor? socket, out SocketEndPoint? peer)
    {
        byte* addr = stackalloc byte[SockAddrStorageSize];
        while (true)
        {
            uint len = SockAddrStorageSize;
            int fd = SocketInterop.Accept4(listenFd, addr, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd >= 0)
            {
                socket = new FileDescriptor(fd) { KnownNonBlocking = true };
                socket.MarkProcessPrivate();   // accept4 with SOCK_CLOEXEC: no other process has it
                peer = SocketEndPoint.Read(new ReadOnlySpan<byte>(addr, SockAddrStorageSize), (int)len);
                return OsError.None;
            }
            var error = OsError.Last();
            if (error.Errno == Errno.EINTR) continue;
            socket = null;
            peer = null;
            return error.Errno == Errno.EAGAIN ? OsError.None : error;
        }
    }

    /// <summary>
    /// Starts a non-blocking connect. Value true: connected at once; false: in progress (wait for
    /// write readiness, then read <see cref="GetSocketError"/>).
    /// </summary>
    public static OsResult<bool> Connect(FileDescriptor fd, SocketEndPoint endPoint)
    {
        byte* addr = stackalloc byte[SockAddrStorageSize];
        int len = endPoint.Write(new Span<byte>(addr, SockAddrStorageSize));
        if (SocketInterop.Connect(fd.Fd, addr, (uint)len) == 0) return OsResult<bool>.Success(true);
        var error = OsError.Last();
        // An interrupted connect goes on in the background, like EINPROGRESS.
        return error.Errno is Errno.EINPROGRESS or Errno.EINTR or Errno.EAGAIN
            ? OsResult<bool>.Success(false)
            : OsResult<bool>.Fail(error);
    }

    /// <summary>The pending error of a socket (SO_ERROR), e.g. the outcome of a non-blocking connect.</summary>
    public static OsError GetSocketError(int fd)
    {
        int value = 0;
        uint len = sizeof(int);
        if (SocketInterop.GetSockOpt(fd, SOL_SOCKET, SO_ERROR, &value, &len) != 0) return OsError.Last();
        return new OsError(value);
    }

    /// <summary>Sets an integer socket option (setsockopt).</summary>
    public static OsError SetOption(FileDescriptor fd, int level, int name, int value) =>
        SocketInterop.SetSockOpt(fd.Fd, level, name, &value, sizeof(int)) == 0 ? OsError.None : OsError.Last();

    /// <summary>Reads an integer socket option (getsockopt).</summary>
    public static OsResult<int> GetOption(FileDescriptor fd, int level, int name)
    {
        int value = 0;
        uint len = sizeof(int);
        return SocketInterop.GetSockOpt(fd.Fd, level, name, &value, &len) == 0
            ? OsResult<int>.Success(value) : OsResult<int>.Fail(OsError.Last());
    }

    /// <summary>
    /// A close-on-exec copy of <paramref name="fd"/> on the lowest free number at or above
    /// <paramref name="lowest"/> (fcntl F_DUPFD_CLOEXEC), e.g. to move a descriptor out of the way of dup2 targets.
    /// </summary>
    public static OsResult<FileDescriptor> DuplicateAbove(int fd, int lowest)
    {
        int copy = SocketInterop.Fcntl(fd, SpawnInterop.F_DUPFD_CLOEXEC, lowest);
        return copy < 0 ? OsResult<FileDescriptor>.Fail(OsError.Last()) : OsResult<FileDescriptor>.Success(new FileDescriptor(copy));
    }

    /// <summary>SO_REUSEADDR on or off.</summary>
    public static OsError SetReuseAddress(FileDescriptor fd, bool on) => SetOption(fd, SOL_SOCKET, SO_REUSEADDR, on ? 1 : 0);

    /// <summary>TCP_NODELAY on or off.</summary>
    public static OsError SetNoDelay(FileDescriptor fd, bool on) => SetOption(fd, IPPROTO_TCP, TCP_NODELAY, on ? 1 : 0);

    /// <summary>IPV6_V6ONLY on or off.</summary>
    public static OsError SetV6Only(FileDescriptor fd, bool on) => SetOption(fd, IPPROTO_IPV6, IPV6_V6ONLY, on ? 1 : 0);

    /// <summary>The local address of a socket (getsockname), e.g. to learn an ephemeral port.</summary>
    public static OsResult<SocketEndPoint> GetSockName(int fd)
    {
        byte* addr = stackalloc byte[SockAddrStorageSize];
        uint len = SockAddrStorageSize;
        return SocketInterop.GetSockName(fd, addr, &len) == 0 ? EndPoint(addr, len) : OsResult<SocketEndPoint>.Fail(OsError.Last());
    }

    /// <summary>The peer address of a connected socket (getpeername).</summary>
    public static OsResult<SocketEndPoint> GetPeerName(int fd)
    {
        byte* addr = stackalloc byte[SockAddrStorageSize];
        uint len = SockAddrStorageSize;
        return SocketInterop.GetPeerName(fd, addr, &len) == 0 ? EndPoint(addr, len) : OsResult<SocketEndPoint>.Fail(OsError.Last());
    }

    /// <summary>A socket address the kernel filled in; EAFNOSUPPORT for a family PoeSharp does not read.</summary>
    private static OsResult<SocketEndPoint> EndPoint(byte* addr, uint len)
    {
        var ep = SocketEndPoint.Read(new ReadOnlySpan<byte>(addr, SockAddrStorageSize), (int)len);
        return ep is null ? OsResult<SocketEndPoint>.Fail(new OsError(Errno.EAFNOSUPPORT)) : OsResult<SocketEndPoint>.Success(ep);
    }

    /// <summary>
    /// The outcome of one read, write or send that returned <paramref name="n"/>: the byte count,
    /// <see cref="WouldBlock"/> on EAGAIN, the error, or null after EINTR (call again).
    /// </summary>
    private static OsResult<int>? Transferred(nint n)
    {
        if (n >= 0) return OsResult<int>.Success((int)n);
        var error = OsError.Last();
        if (error.Errno == Errno.EINTR) return null;
        return error.Errno == Errno.EAGAIN ? OsResult<int>.Success(WouldBlock) : OsResult<int>.Fail(error);
    }

    /// <summary>read(2): the byte count, 0 at end of file, <see cref="WouldBlock"/> when nothing is there yet.</summary>
    public static OsResult<int> Read(int fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            OsResult<int>? result;
            while ((result = Transferred(SocketInterop.Read(fd, p, (nuint)buffer.Length))) is null) { }
            return result.Value;
        }
    }

    /// <summary>write(2): the byte count written, or <see cref="WouldBlock"/> when the buffer is full.</summary>
    public static OsResult<int> Write(int fd, ReadOnlySpan<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            OsResult<int>? result;
            while ((result = Transferred(SocketInterop.Write(fd, p, (nuint)buffer.Length))) is null) { }
            return result.Value;
        }
    }

    /// <summary>send(2) with MSG_NOSIGNAL (a closed peer gives EPIPE, never SIGPIPE); sockets only.</summary>
    public static OsResult<int> Send(int fd, ReadOnlySpan<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            OsResult<int>? result;
            while ((result = Transferred(SocketInterop.Send(fd, p, (nuint)buffer.Length, MSG_NOSIGNAL))) is null) { }
            return result.Value;
        }
    }

    /// <summary>
    /// writev(2) of <paramref name="vectors"/> (at most 1024, IOV_MAX): the byte count written,
    /// which may be less than asked (the buffer filled), or <see cref="WouldBlock"/> when nothing
    /// could be written. Every buffer must stay pinned until the call returns.
    /// </summary>
    public static OsResult<long> WriteV(int fd, ReadOnlySpan<IoVector> vectors)
    {
        fixed (IoVector* iov = vectors)
        {
            while (true)
            {
                nint n = SocketInterop.WriteV(fd, iov, vectors.Length);
                if (n >= 0) return OsResult<long>.Success(n);
                var error = OsError.Last();
                if (error.Errno == Errno.EINTR) continue;
                return error.Errno == Errno.EAGAIN ? OsResult<long>.Success(WouldBlock) : OsResult<long>.Fail(error);
            }
        }
    }

    /// <summary>True when <paramref name="fd"/> is a socket that listens (SO_ACCEPTCONN); ENOTSOCK for other descriptors.</summary>
    public static OsResult<bool> IsListening(FileDescriptor fd)
    {
        var value = GetOption(fd, SOL_SOCKET, SO_ACCEPTCONN);
        return value.Ok ? OsResult<bool>.Success(value.Value != 0) : OsResult<bool>.Fail(value.Error);
    }

    /// <summary>shutdown(2): <see cref="SocketShutdown.Receive"/>, <see cref="SocketShutdown.Send"/> or <see cref="SocketShutdown.Both"/>.</summary>
    public static OsError Shutdown(int fd, SocketShutdown how)
    {
        int native = how switch { SocketShutdown.Receive => SHUT_RD, SocketShutdown.Send => SHUT_WR, _ => SHUT_RDWR };
        return SocketInterop.Shutdown(fd, native) == 0 ? OsError.None : OsError.Last();
    }

    /// <summary>A connected pair of non-blocking, close-on-exec UNIX sockets.</summary>
    public static OsResult<(FileDescriptor First, FileDescriptor Second)> SocketPair(SocketType type = SocketType.Stream)
    {
        int* fds = stackalloc int[2];
        int nativeType = type == SocketType.Dgram ? SOCK_DGRAM : SOCK_STREAM;
        if (SocketInterop.SocketPair(AF_UNIX, nativeType | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0)
            return OsResult<(FileDescriptor, FileDescriptor)>.Fail(OsError.Last());
        return OsResult<(FileDescriptor, FileDescriptor)>.Success(
            (new FileDescriptor(fds[0]) { KnownNonBlocking = true }, new FileDescriptor(fds[1]) { KnownNonBlocking = true }));
    }

    /// <summary>A close-on-exec pipe; both ends non-blocking unless <paramref name="nonBlocking"/> is false.</summary>
    public static OsResult<(FileDescriptor Read, FileDescriptor Write)> Pipe(bool nonBlocking = true)
    {
        int* fds = stackalloc int[2];
        if (SocketInterop.Pipe2(fds, O_CLOEXEC | (nonBlocking ? O_NONBLOCK : 0)) != 0)
            return OsResult<(FileDescriptor, FileDescriptor)>.Fail(OsError.Last());
        return OsResult<(FileDescriptor, FileDescriptor)>.Success(
            (new FileDescriptor(fds[0]) { KnownNonBlocking = nonBlocking }, new FileDescriptor(fds[1]) { KnownNonBlocking = nonBlocking }));
    }

    /// <summary>
    /// Turns O_NONBLOCK on or off, remembering the state on <paramref name="fd"/>: turning it on
    /// costs no system call when this process created the descriptor non-blocking.
    /// </summary>
    public static OsError SetNonBlocking(FileDescriptor fd, bool on)
    {
        ArgumentNullException.ThrowIfNull(fd);
        if (on && fd.KnownNonBlocking) return OsError.None;
        var error = SetNonBlocking(fd.Fd, on);
        fd.KnownNonBlocking = on && !error.IsError;
        return error;
    }

    /// <summary>Turns O_NONBLOCK on or off (e.g. for a descriptor inherited from elsewhere).</summary>
    public static OsError SetNonBlocking(int fd, bool on)
    {
        int flags = SocketInterop.Fcntl(fd, F_GETFL, 0);
        if (flags < 0) return OsError.Last();
        int wanted = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
        if (wanted == flags) return OsError.None;
        return SocketInterop.Fcntl(fd, F_SETFL, wanted) == 0 ? OsError.None : OsError.Last();
    }
}
