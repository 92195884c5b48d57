using System.Net;
using PoeSharp.Os;

namespace PoeSharp.Components.Workers;

/// <summary>
/// Listening sockets with SO_REUSEPORT, one per worker slot of a <see cref="PreforkPool"/> with
/// <see cref="PreforkPoolOptions.ReusePort"/>: every socket bound to the same address and port by
/// the same user joins one group, and the kernel hashes each new connection to one of them.
/// </summary>
public static class ReusePortSocket
{
    // sys/socket.h on Linux.
    private const int SolSocket = 1, SoReusePort = 15;

    /// <summary>
    /// Opens a non-blocking, close-on-exec stream socket with SO_REUSEADDR and SO_REUSEPORT, bound
    /// to <paramref name="address"/>:<paramref name="port"/> and listening. Port 0 picks a free port
    /// (read it back with <see cref="PosixSocket.GetSockName"/>); the sockets that join it then bind that port.
    /// </summary>
    public static OsResult<FileDescriptor> Open(IPAddress address, int port, int backlog = PosixSocket.DefaultBacklog)
    {
        ArgumentNullException.ThrowIfNull(address);
        var created = PosixSocket.Socket(address.AddressFamily);
        if (!created.Ok) return created;
        FileDescriptor fd = created.Value;
        OsError error = PosixSocket.SetReuseAddress(fd, true);
        if (!error.IsError) error = PosixSocket.SetOption(fd, SolSocket, SoReusePort, 1);
        if (!error.IsError) error = PosixSocket.Bind(fd, SocketEndPoint.Inet(address, port));
        if (!error.IsError) error = PosixSocket.Listen(fd, backlog);
        if (!error.IsError) return OsResult<FileDescriptor>.Success(fd);
        fd.Dispose();
        return OsResult<FileDescriptor>.Fail(error);
    }

    /// <summary>True when <paramref name="fd"/> is a socket with SO_REUSEPORT on (one passed in can join the group).</summary>
    public static bool IsSet(FileDescriptor fd)
    {
        ArgumentNullException.ThrowIfNull(fd);
        return PosixSocket.GetOption(fd, SolSocket, SoReusePort) is { Ok: true, Value: not 0 };
    }
}
