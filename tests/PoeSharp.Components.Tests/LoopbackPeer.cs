using System.Net;
using System.Net.Sockets;
using System.Text;
using PoeSharp.Loop;
using PoeSharp.Testing;

namespace PoeSharp.Components.Tests;

/// <summary>
/// The client side of the fake-kernel TCP tests: real loopback sockets, and the step that tells the
/// fake kernel a server descriptor is readable once it really is.
/// </summary>
internal static class LoopbackPeer
{
    /// <summary>Connects to 127.0.0.1:<paramref name="port"/>; on loopback the connection waits in the backlog once this returns.</summary>
    public static Socket Connect(int port)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
        s.Connect(IPAddress.Loopback, port);
        return s;
    }

    /// <summary>Marks <paramref name="fd"/> readable and runs what follows from it.</summary>
    public static void Ready(FakeKernel fake, int fd)
    {
        // Loopback delivery (bytes, a FIN, a connection in the backlog) is not always done when the
        // peer's call returns: wait until the descriptor is readable before saying it is.
        using (var view = new Socket(new SafeSocketHandle(fd, ownsHandle: false)))
            Assert.That(view.Poll(TimeSpan.FromSeconds(10), SelectMode.SelectRead), Is.True, "the peer's bytes reach the server");
        fake.Loop.FireOnce(fd, IoMode.Read);
        fake.RunUntilIdle();
    }

    /// <summary>One line from the server, without its line end.</summary>
    public static string ReceiveLine(Socket s)
    {
        var text = new StringBuilder();
        var one = new byte[1];
        while (s.Receive(one) == 1 && one[0] != '\n') text.Append((char)one[0]);
        return text.ToString().TrimEnd('\r');
    }
}
