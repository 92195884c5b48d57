using System.Net.Sockets;
using PoeSharp.Examples;

namespace PoeSharp.Components.Tests;

/// <summary>
/// TcpServer and TcpClient on the real epoll loop over real sockets. Each test runs the kernel
/// until every session has ended; <see cref="Kernel.Run(TimeSpan)"/> only bounds a hang and
/// names the sessions left.
/// </summary>
public sealed class TcpEndToEndTests
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(60);

    [Test]
    public void TheEchoServerExampleAnswersATcpClient()
    {
        using var kernel = new Kernel();
        var log = new StringWriter();
        var server = EchoServer.Start(kernel, 0, log);
        int port = server.Port;
        var received = new List<string>();
        int disconnects = 0;
        _ = new TcpClient(kernel, new()
        {
            RemoteAddress = "127.0.0.1", RemotePort = port,
            Connected = c =>
            {
                c.Put("hello");
                c.Put("world");
            },
            ServerInput = (c, line) =>
            {
                received.Add((string)line);
                if (received.Count == 2) c.Shutdown();
            },
            Disconnected = _ =>
            {
                disconnects++;
                server.Shutdown();
            },
        });

        kernel.Run(Hang);

        Assert.That(log.ToString(), Is.EqualTo($"EchoServer has begun listening on port {port}{Environment.NewLine}"));
        Assert.That(port, Is.Not.EqualTo(0).And.Not.EqualTo(7777));
        Assert.That(server.IsListening, Is.False, "shut down");
        Assert.That(received, Is.EqualTo(new[] { "hello", "world" }));
        Assert.That(disconnects, Is.EqualTo(1));
        Assert.That(kernel.FindLeaks(), Is.Empty);
    }

    [TestCase("::1", AddressFamily.InterNetworkV6)]
    [TestCase("127.0.0.1", AddressFamily.InterNetwork)]
    [TestCase(null, AddressFamily.Unix)]
    public void ServerAndClientTalkOverEachAddressFamily(string? address, AddressFamily family)
    {
        string? path = family == AddressFamily.Unix ? Path.Combine(Path.GetTempPath(), $"poesharp-tcp-{Guid.NewGuid():N}.sock") : null;
        try
        {
            using var kernel = new Kernel();
            var server = new TcpServer<object>(kernel, new()
            {
                Address = address ?? path,
                ClientInput = (c, line) => c.Put($"{c.RemoteAddress?.AddressFamily.ToString() ?? "unix"}:{line}"),
            });
            Assert.That(server.IsListening, Is.True, "listening on " + (address ?? path));
            string? answer = null;
            _ = new TcpClient(kernel, new()
            {
                RemoteAddress = address ?? path!, RemotePort = family == AddressFamily.Unix ? 0 : server.Port,
                Connected = c => c.Put("ping"),
                ServerInput = (c, line) =>
                {
                    answer = (string)line;
                    c.Shutdown();
                    server.Shutdown();
                },
            });
            kernel.Run(Hang);
            Assert.That(answer, Is.EqualTo(family == AddressFamily.Unix ? "unix:ping" : $"{family}:ping"));
        }
        finally
        {
            if (path is not null) File.Delete(path);
        }
    }

    [Test]
    public void TheClientReconnectsAfterTheServerDropsIt()
    {
        using var kernel = new Kernel();
        int connections = 0;
        var server = new TcpServer<object>(kernel, new()
        {
            Address = "127.0.0.1",
            // The first connection is dropped at once; the second is answered.
            ClientConnected = c =>
            {
                if (++connections == 1) c.Shutdown();
                else c.Put("welcome back");
            },
        });
        var events = new List<string>();
        _ = new TcpClient(kernel, new()
        {
            RemoteAddress = "127.0.0.1", RemotePort = server.Port,
            Reconnect = new() { InitialDelay = TimeSpan.FromMilliseconds(10), Jitter = 0 },
            Connected = _ => events.Add("connected"),
            Disconnected = _ => events.Add("disconnected"),
            ServerInput = (c, line) =>
            {
                events.Add((string)line);
                c.Shutdown();
                server.Shutdown();
            },
        });
        kernel.Run(Hang);
        Assert.That(events, Is.EqualTo(new[] { "connected", "disconnected", "connected", "welcome back", "disconnected" }));
        Assert.That(connections, Is.EqualTo(2));
    }

    [Test]
    public void AServerAcceptsOnADescriptorItWasGiven()
    {
        using var kernel = new Kernel();
        var listener = PoeSharp.Os.PosixSocket.Socket(AddressFamily.InterNetwork).Value;
        PoeSharp.Os.PosixSocket.Bind(listener, PoeSharp.Os.SocketEndPoint.Inet(System.Net.IPAddress.Loopback, 0));
        PoeSharp.Os.PosixSocket.Listen(listener);
        using (listener)
        {
            var server = new TcpServer<object>(kernel, new() { ListenHandle = listener, ClientInput = (c, line) => c.Put(line) });
            Assert.That(server.Port, Is.GreaterThan(0));
            string? answer = null;
            _ = new TcpClient(kernel, new()
            {
                RemoteAddress = "127.0.0.1", RemotePort = server.Port,
                Connected = c => c.Put("given"),
                ServerInput = (c, line) =>
                {
                    answer = (string)line;
                    c.Shutdown();
                    server.Shutdown();
                },
            });
            kernel.Run(Hang);
            Assert.That(answer, Is.EqualTo("given"));
            Assert.That(listener.IsClosed, Is.False, "the server never closes a descriptor it was given");
        }
    }
}
