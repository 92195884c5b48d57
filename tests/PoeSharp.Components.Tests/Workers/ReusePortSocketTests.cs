using System.Net;
using PoeSharp.Components.Workers;
using PoeSharp.Os;

namespace PoeSharp.Components.Tests.Workers;

/// <summary>SO_REUSEPORT listening sockets (no fork: both sockets stay in the test host).</summary>
public sealed class ReusePortSocketTests
{
    [Test]
    public void A_second_socket_joins_the_port_of_the_first_and_a_plain_socket_cannot()
    {
        var first = ReusePortSocket.Open(IPAddress.Loopback, 0);
        Assert.That(first.Ok, Is.True, first.Error.ToString());
        using FileDescriptor one = first.Value;
        int port = PosixSocket.GetSockName(one.Fd).Value.Port;
        Assert.That(port, Is.GreaterThan(0));
        Assert.That(ReusePortSocket.IsSet(one), Is.True);

        var second = ReusePortSocket.Open(IPAddress.Loopback, port);
        Assert.That(second.Ok, Is.True, "the same user joins the group: " + second.Error);
        using FileDescriptor two = second.Value;
        Assert.That(PosixSocket.GetSockName(two.Fd).Value.Port, Is.EqualTo(port));

        using FileDescriptor plain = PosixSocket.Socket(System.Net.Sockets.AddressFamily.InterNetwork).Value;
        Assert.That(ReusePortSocket.IsSet(plain), Is.False);
        Assert.That(PosixSocket.Bind(plain, SocketEndPoint.Inet(IPAddress.Loopback, port)).IsError, Is.True,
            "a socket without SO_REUSEPORT cannot bind the group's port");
    }

    [Test]
    public void DuplicateAbove_copies_to_a_number_at_or_above_the_lowest()
    {
        var pipe = PosixSocket.Pipe(nonBlocking: true);
        using FileDescriptor read = pipe.Value.Item1, write = pipe.Value.Item2;
        var copy = PosixSocket.DuplicateAbove(write.Fd, 200);
        Assert.That(copy.Ok, Is.True, copy.Error.ToString());
        using FileDescriptor copied = copy.Value;
        Assert.That(copied.Fd, Is.GreaterThanOrEqualTo(200));
        Assert.That(PosixSocket.Write(copied.Fd, "x"u8).Value, Is.EqualTo(1));
        Span<byte> buffer = stackalloc byte[4];
        Assert.That(PosixSocket.Read(read.Fd, buffer).Value, Is.EqualTo(1), "the copy writes into the same pipe");
    }
}
