using System.Net;
using System.Text;
using PoeSharp.Examples;
using PoeSharp.Loop;
using PoeSharp.Os;
using PoeSharp.Testing;

namespace PoeSharp.Examples.Tests;

/// <summary>
/// What one connection costs PreforkHttpd in close mode (one request, then the server closes), in
/// counts that do not depend on the machine's load: managed bytes allocated per connection, and the
/// epoll registrations the loop makes. The listener is the real one (SocketFactory wheel on a loopback
/// port, one accepting process) on a real epoll loop; only forks and signals are faked.
/// </summary>
[NonParallelizable]
public sealed class ClosePerRequestCostTests
{
    private const int Batch = 100, Batches = 8;

    private static readonly byte[] Request = Encoding.ASCII.GetBytes(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: t\r\nAccept: */*\r\nConnection: close\r\n\r\n");

    [Test]
    public void A_close_per_request_connection_allocates_a_bounded_number_of_bytes()
    {
        using var server = new Server();
        var endPoint = SocketEndPoint.Inet(IPAddress.Loopback, server.Port);
        var buffer = new byte[65536];
        var clients = new FileDescriptor[Batch];

        // The least of several batches: until the JIT has compiled the path again with
        // optimizations, early batches count boxes it later removes (and first-use costs).
        long perConnection = long.MaxValue;
        for (int batch = 0; batch < Batches; batch++)
        {
            for (int i = 0; i < clients.Length; i++) clients[i] = PosixSocket.Socket(System.Net.Sockets.AddressFamily.InterNetwork).Value;
            long before = GC.GetAllocatedBytesForCurrentThread();
            foreach (FileDescriptor client in clients) server.Serve(client, endPoint, buffer);
            perConnection = Math.Min(perConnection, (GC.GetAllocatedBytesForCurrentThread() - before) / Batch);
        }

        TestContext.Out.WriteLine($"allocated per close-per-request connection (server and test client, one thread): {perConnection} bytes");
        Assert.That(server.Kernel.SessionCount, Is.EqualTo(1), "every interactor ended; the listener remains");
        Assert.That(perConnection, Is.LessThan(4000), "bytes per connection (accept, session, wheel, filter, request, page, response): 3,952 before the signal table and timer changes, 3,437 after");
    }

    /// <summary>The listener session with one accepting process on a real kernel and epoll loop.</summary>
    private sealed class Server : IDisposable
    {
        private readonly EpollLoop _loop = new();

        public Server()
        {
            Kernel = new Kernel(_loop, TimeProvider.System, new FakeProcessHost());
            var options = new ServerOptions { MaxProcesses = 0, Churn = false, Debug = false, Address = IPAddress.Loopback, Port = 0 };
            var environment = new ServerEnvironment
            {
                Log = new DebugLog(TextWriter.Null, false),
                CreateServer = (kernel, o) => SocketFactoryListenSocket.Create(kernel, o, ListenerSession.MaxAcceptsPerReady),
                Random = new ScriptedRandom(),
                Signals = new RecordingSignaller(),
            };
            Session listener = ListenerSession.Create(Kernel, options, environment)!;
            Kernel.RunOneTimeslice();
            Port = ((ListenerHeap)listener.Heap!).Server!.Port;
        }

        public Kernel Kernel { get; }

        public int Port { get; }

        /// <summary>Connects, sends the request and runs the kernel until the server has answered and closed.</summary>
        /// <remarks>No NUnit assertion inside: its constraint objects would be counted as the server's.</remarks>
        public void Serve(FileDescriptor client, SocketEndPoint endPoint, byte[] buffer)
        {
            if (!PosixSocket.Connect(client, endPoint).Ok) throw new InvalidOperationException("connect failed");
            PosixSocket.SetNonBlocking(client.Fd, true);
            if (PosixSocket.Write(client.Fd, Request).Value != Request.Length) throw new InvalidOperationException("short write");
            bool answered = false;
            for (int slice = 0; ; slice++)
            {
                if (slice >= 10_000) throw new InvalidOperationException("the server neither answered nor closed");
                Kernel.RunOneTimeslice();
                var r = PosixSocket.Read(client.Fd, buffer);
                while (r is { Ok: true, Value: > 0 })
                {
                    answered |= buffer.AsSpan(0, r.Value).IndexOf("</html>"u8) >= 0;
                    r = PosixSocket.Read(client.Fd, buffer);
                }
                if (r is { Ok: true, Value: 0 }) break;
            }
            if (!answered) throw new InvalidOperationException("the server closed without sending the page");
            client.Dispose();
        }

        public void Dispose()
        {
            Kernel.Dispose();
            _loop.Dispose();
        }
    }
}
