using PoeSharp.Filters;
using PoeSharp.Os;

namespace PoeSharp.Wheels.Tests;

/// <summary>POE's wheel_sf_tcp: a Line-filter conversation between a SocketFactory server and client over loopback TCP.</summary>
public sealed class TcpRoundTripTests
{
    private sealed class Side
    {
        public SocketFactoryWheel? Factory;
        public ReadWriteWheel? Wheel;
        public int Port;
        public int Puts;
        public int Flushes;
        public long OctetsAfterFirstPut = -1;
        public int MessagesAfterFirstPut = -1;
        public readonly List<string> Received = [];
        public readonly List<(string Op, int Errno, string Message)> Errors = [];
        public int FactoryId;
        public int SuccessWheelId;
    }

    [Test]
    public void LineConversationOverLoopbackTcp()
    {
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel, sessions: 2);
        var server = new Side();
        var client = new Side();

        kernel.Create(server, s => s
            .On("_start", c =>
            {
                var h = c.Heap;
                h.Factory = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
                {
                    BindAddress = "127.0.0.1", BindPort = 0, Reuse = true,
                    SuccessEvent = "accepted", FailureEvent = "failed",
                });
                h.FactoryId = h.Factory.Id;
                h.Port = h.Factory.BoundPort;
                StartClient(c.Kernel, client, h.Port);
            })
            .On("accepted", c =>
            {
                var h = c.Heap;
                h.SuccessWheelId = c.Arg<int>(3);
                Assert.That(c.Arg<System.Net.IPAddress>(1), Is.EqualTo(System.Net.IPAddress.Loopback));
                Assert.That(c.Arg<int>(2), Is.GreaterThan(0));
                h.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
                {
                    Handle = c.Arg<FileDescriptor>(0), Filter = new LineFilter(),
                    InputEvent = "got", ErrorEvent = "error", FlushedEvent = "flushed",
                });
                h.Factory!.Dispose(); // one connection is all this server takes
            })
            .On("got", c =>
            {
                var h = c.Heap;
                h.Received.Add(c.Arg<string>(0));
                h.Puts++;
                h.Wheel!.Put(Rot13.Apply(c.Arg<string>(0)));
            })
            .On("flushed", c => c.Heap.Flushes++)
            .On("error", c =>
            {
                c.Heap.Errors.Add((c.Arg<string>(0), c.Arg<int>(1), c.Arg<string>(2)));
                c.Heap.Wheel!.Dispose();
                c.Kernel.Post("guard", "done");
            })
            .On("failed", c => Assert.Fail($"server {c.Arg<string>(0)} failed: {c.Arg<string>(2)}")));

        guard.Run(kernel);

        Assert.That(server.Port, Is.GreaterThan(0));
        Assert.That(server.SuccessWheelId, Is.EqualTo(server.FactoryId));
        Assert.That(server.Received, Is.EqualTo(new[] { "1: this is a test", "2: this is a test" }));
        Assert.That(server.Errors, Is.EqualTo(new[] { ("read", 0, "") }), "the client's close is EOF: read, errno 0");
        Assert.That(server.Flushes, Is.EqualTo(server.Puts));
        Assert.That(client.OctetsAfterFirstPut, Is.EqualTo(19));
        Assert.That(client.MessagesAfterFirstPut, Is.EqualTo(1));
        Assert.That(client.Received, Is.EqualTo(new[] { "1: guvf vf n grfg", "2: guvf vf n grfg" }));
        Assert.That(client.Flushes, Is.EqualTo(client.Puts));
        Assert.That(client.Puts, Is.EqualTo(2));
        Assert.That(server.Wheel!.InputHandle.IsClosed, Is.True, "the wheel closes the socket it owns");
    }

    private static void StartClient(Kernel kernel, Side client, int port)
    {
        kernel.Create(client, s => s
            .On("_start", c => c.Heap.Factory = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
            {
                RemoteAddress = "127.0.0.1", RemotePort = port,
                SuccessEvent = "connected", FailureEvent = "failed",
            }))
            .On("connected", c =>
            {
                var h = c.Heap;
                Assert.That(c.Arg<int>(2), Is.EqualTo(port));
                h.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
                {
                    Handle = c.Arg<FileDescriptor>(0), Filter = new LineFilter(), ReadBlockSize = 10,
                    InputEvent = "got", ErrorEvent = "error", FlushedEvent = "flushed",
                });
                h.Factory!.Dispose();
                h.Wheel.Put("1: this is a test");
                h.Puts++;
                h.OctetsAfterFirstPut = h.Wheel.DriverOutOctets;
                h.MessagesAfterFirstPut = h.Wheel.DriverOutMessages;
            })
            .On("got", c =>
            {
                var h = c.Heap;
                string line = c.Arg<string>(0);
                h.Received.Add(line);
                if (line.StartsWith('1'))
                {
                    h.Wheel!.Put("2" + Rot13.Apply(line)[1..]);
                    h.Puts++;
                }
                else
                {
                    h.Wheel!.Dispose();
                    c.Kernel.Post("guard", "done");
                }
            })
            .On("flushed", c => c.Heap.Flushes++)
            .On("error", c => Assert.Fail($"client error {c.Arg<string>(0)} {c.Arg<int>(1)}"))
            .On("failed", c => Assert.Fail($"client {c.Arg<string>(0)} failed: {c.Arg<string>(2)}")));
    }
}
