using System.Net;
using System.Net.Sockets;
using PoeSharp.Os;

namespace PoeSharp.Wheels.Tests.Os;

/// <summary>The socket wrappers on real descriptors: loopback TCP on port 0, UNIX sockets, pipes.</summary>
public sealed class PosixSocketTests
{
    // Bounds the polls below so a broken build fails instead of hanging; a busy machine may be slow.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Test]
    public void TcpLoopbackConnectAcceptAndExchangeBytes()
    {
        using var listener = PosixSocket.Socket(AddressFamily.InterNetwork).Value;
        Assert.That(PosixSocket.SetReuseAddress(listener, true).IsError, Is.False);
        Assert.That(PosixSocket.Bind(listener, SocketEndPoint.Inet(IPAddress.Loopback, 0)).IsError, Is.False);
        Assert.That(PosixSocket.Listen(listener, 16).IsError, Is.False);
        var local = PosixSocket.GetSockName(listener.Fd).Value;
        Assert.That(local.Port, Is.GreaterThan(0));
        Assert.That(local.Address, Is.EqualTo(IPAddress.Loopback));

        // Nothing pending: no error, no socket.
        Assert.That(PosixSocket.Accept(listener.Fd, out var none, out _).IsError, Is.False);
        Assert.That(none, Is.Null);

        using var client = PosixSocket.Socket(AddressFamily.InterNetwork).Value;
        var connect = PosixSocket.Connect(client, local);
        Assert.That(connect.Ok, Is.True, connect.Error.ToString());

        FileDescriptor? accepted = null;
        SocketEndPoint? peer = null;
        for (var sw = System.Diagnostics.Stopwatch.StartNew(); accepted is null && sw.Elapsed < Patience;)
        {
            Assert.That(PosixSocket.Accept(listener.Fd, out accepted, out peer).IsError, Is.False);
            if (accepted is null) Thread.Sleep(1);
        }
        using var server = accepted!;
        Assert.That(PosixSocket.GetSocketError(client.Fd).IsError, Is.False);
        Assert.That(peer!.Port, Is.EqualTo(PosixSocket.GetSockName(client.Fd).Value.Port));
        Assert.That(PosixSocket.GetPeerName(client.Fd).Value, Is.EqualTo(local));

        Assert.That(PosixSocket.Send(client.Fd, "hello"u8).Value, Is.EqualTo(5));
        var buf = new byte[16];
        int n = ReadSome(server.Fd, buf);
        Assert.That(buf.AsSpan(0, n).ToArray(), Is.EqualTo("hello"u8.ToArray()));

        Assert.That(PosixSocket.Shutdown(client.Fd, SocketShutdown.Send).IsError, Is.False);
        Assert.That(ReadSome(server.Fd, buf), Is.Zero, "shutdown(SHUT_WR) is end of file for the peer");
    }

    [Test]
    public void ConnectToAClosedPortFailsWithConnectionRefused()
    {
        // Learn a free port, then close it so nobody listens there.
        int port;
        using (var probe = PosixSocket.Socket(AddressFamily.InterNetwork).Value)
        {
            PosixSocket.Bind(probe, SocketEndPoint.Inet(IPAddress.Loopback, 0));
            port = PosixSocket.GetSockName(probe.Fd).Value.Port;
        }
        using var client = PosixSocket.Socket(AddressFamily.InterNetwork).Value;
        var result = PosixSocket.Connect(client, SocketEndPoint.Inet(IPAddress.Loopback, port));
        var error = result.Ok ? WaitForConnect(client.Fd) : result.Error;
        Assert.That(error.Errno, Is.EqualTo(Errno.ECONNREFUSED));
        Assert.That(error.Message, Is.EqualTo("Connection refused"));
    }

    [Test]
    public void UnixSocketRoundTripsItsPath()
    {
        string path = Path.Combine(Path.GetTempPath(), $"poesharp-{Environment.ProcessId}-{Guid.NewGuid():N}.sock");
        try
        {
            using var listener = PosixSocket.Socket(AddressFamily.Unix).Value;
            Assert.That(PosixSocket.Bind(listener, SocketEndPoint.Unix(path)).IsError, Is.False);
            Assert.That(PosixSocket.Listen(listener).IsError, Is.False);
            Assert.That(PosixSocket.GetSockName(listener.Fd).Value.Path, Is.EqualTo(path));
            using var client = PosixSocket.Socket(AddressFamily.Unix).Value;
            Assert.That(PosixSocket.Connect(client, SocketEndPoint.Unix(path)).Ok, Is.True);
            Assert.That(PosixSocket.Accept(listener.Fd, out var accepted, out var peer).IsError, Is.False);
            using var _ = accepted;
            Assert.That(accepted, Is.Not.Null);
            Assert.That(peer!.Family, Is.EqualTo(AddressFamily.Unix));
            Assert.That(peer.Path, Is.EqualTo(""), "an unbound client socket has no name");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void UnixPathThatDoesNotFitIsRejectedWithAClearMessage()
    {
        var ex = Assert.Throws<ArgumentException>(() => SocketEndPoint.Unix(new string('x', 200)));
        Assert.That(ex!.Message, Does.Contain("shorter"));
    }

    [Test]
    public void Ipv6LoopbackWorksWhenAvailable()
    {
        var sock = PosixSocket.Socket(AddressFamily.InterNetworkV6);
        if (!sock.Ok) Assert.Ignore($"no IPv6: {sock.Error}");
        using var listener = sock.Value;
        var bind = PosixSocket.Bind(listener, SocketEndPoint.Inet(IPAddress.IPv6Loopback, 0));
        if (bind.IsError) Assert.Ignore($"no IPv6 loopback: {bind}");
        var local = PosixSocket.GetSockName(listener.Fd).Value;
        Assert.That(local.Family, Is.EqualTo(AddressFamily.InterNetworkV6));
        Assert.That(local.Address, Is.EqualTo(IPAddress.IPv6Loopback));
        Assert.That(local.ToString(), Is.EqualTo($"[::1]:{local.Port}"));
    }

    [Test]
    public void PipeAndSocketPairAreNonBlocking()
    {
        var (r, w) = PosixSocket.Pipe().Value;
        using (r)
        using (w)
        {
            Assert.That(PosixSocket.Read(r.Fd, new byte[4]).Value, Is.EqualTo(PosixSocket.WouldBlock));
            Assert.That(PosixSocket.Write(w.Fd, "abc"u8).Value, Is.EqualTo(3));
            Assert.That(PosixSocket.Read(r.Fd, new byte[4]).Value, Is.EqualTo(3));
        }
        var (a, b) = PosixSocket.SocketPair().Value;
        using (a)
        using (b)
        {
            Assert.That(PosixSocket.Read(a.Fd, new byte[4]).Value, Is.EqualTo(PosixSocket.WouldBlock));
            b.Dispose();
            Assert.That(PosixSocket.Read(a.Fd, new byte[4]).Value, Is.Zero);
            var write = PosixSocket.Send(a.Fd, "x"u8);
            Assert.That(write.Error.Errno, Is.EqualTo(Errno.EPIPE));
        }
    }

    [Test]
    public void SetNonBlockingOnADescriptorSkipsOnlyWhatItKnows()
    {
        var (r, w) = PosixSocket.Pipe(nonBlocking: false).Value;
        using (r)
        using (w)
        {
            Assert.That(r.KnownNonBlocking, Is.False);
            Assert.That(PosixSocket.SetNonBlocking(r, true).IsError, Is.False);
            Assert.That(IsNonBlocking(r.Fd), Is.True);
            Assert.That(r.KnownNonBlocking, Is.True);
            Assert.That(PosixSocket.SetNonBlocking(r, false).IsError, Is.False);
            Assert.That(IsNonBlocking(r.Fd), Is.False);
            Assert.That(r.KnownNonBlocking, Is.False, "turned off: the next SetNonBlocking(true) must really set it");
            PosixSocket.SetNonBlocking(r, true);
            Assert.That(IsNonBlocking(r.Fd), Is.True);
            Assert.That(PosixSocket.Read(r.Fd, new byte[4]).Value, Is.EqualTo(PosixSocket.WouldBlock));
        }
        using var socket = PosixSocket.Socket(AddressFamily.InterNetwork).Value;
        Assert.That(socket.KnownNonBlocking, Is.True);
        Assert.That(IsNonBlocking(socket.Fd), Is.True);

        static bool IsNonBlocking(int fd) => (SocketInterop.Fcntl(fd, SocketConstants.F_GETFL, 0) & SocketConstants.O_NONBLOCK) != 0;
    }

    private static int ReadSome(int fd, byte[] buf)
    {
        for (var sw = System.Diagnostics.Stopwatch.StartNew(); sw.Elapsed < Patience;)
        {
            int n = PosixSocket.Read(fd, buf).Value;
            if (n != PosixSocket.WouldBlock) return n;
            Thread.Sleep(1);
        }
        throw new TimeoutException($"no data within {Patience.TotalSeconds} s");
    }

    private static OsError WaitForConnect(int fd)
    {
        for (var sw = System.Diagnostics.Stopwatch.StartNew(); sw.Elapsed < Patience;)
        {
            var e = PosixSocket.GetSocketError(fd);
            if (e.IsError) return e;
            if (PosixSocket.GetPeerName(fd).Ok) return OsError.None;
            Thread.Sleep(1);
        }
        return OsError.None;
    }
}
