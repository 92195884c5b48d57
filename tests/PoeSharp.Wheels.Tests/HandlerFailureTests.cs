using PoeSharp.Filters;
using PoeSharp.Os;

namespace PoeSharp.Wheels.Tests;

/// <summary>
/// <see cref="HandlerFailurePolicy.StopSession"/> end to end, on the real kernel and loopback TCP:
/// one connection's handler throws while other clients are being served; that client's connection
/// closes, every other client gets its answer, and the server still accepts afterwards.
/// </summary>
public sealed class HandlerFailureTests
{
    private sealed class Listener
    {
        public SocketFactoryWheel? Factory;
    }

    private sealed class Client
    {
        public SocketFactoryWheel? Connector;
        public ReadWriteWheel? Wheel;
        public string? Answer;
        public bool Closed;
    }

    [Test]
    public void AThrowingConnectionHandlerEndsOnlyItsConnection()
    {
        var warnings = new StringWriter();
        using var kernel = new Kernel(new KernelOptions { HandlerFailure = HandlerFailurePolicy.StopSession, WarningWriter = warnings });
        var clients = new Dictionary<string, Client>();
        Session? listener = null;

        void Connect(Kernel k, int port, string line) =>
            k.Create(clients[line] = new Client(), s => s
                .On("_start", c =>
                {
                    c.Heap.Connector = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
                    {
                        RemoteAddress = "127.0.0.1", RemotePort = port, SuccessEvent = "connected", FailureEvent = "failed",
                    });
                })
                .On("connected", c =>
                {
                    c.Heap.Connector!.Dispose();
                    c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
                    {
                        Handle = c.Arg<FileDescriptor>(0), Filter = new LineFilter(), InputEvent = "answer", ErrorEvent = "closed",
                    });
                    c.Heap.Wheel.Put(line);
                })
                .On("answer", c =>
                {
                    c.Heap.Answer = c.Arg<string>(0);
                    c.Heap.Wheel!.Dispose();
                    c.Kernel.Post(listener!, "client_done");
                })
                .On("closed", c =>
                {
                    c.Heap.Closed = true;
                    c.Heap.Wheel!.Dispose();
                    c.Kernel.Post(listener!, "client_done");
                })
                .On("failed", c => Assert.Fail($"connect: {c.Arg<string>(2)}")));

        int done = 0;
        listener = kernel.Create(new Listener(), s => s
            .On("_start", c =>
            {
                c.Heap.Factory = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
                {
                    BindAddress = "127.0.0.1", SuccessEvent = "accepted", FailureEvent = "failed",
                });
                foreach (string line in (string[])["boom", "one", "two"]) Connect(c.Kernel, c.Heap.Factory.BoundPort, line);
            })
            .On("accepted", c =>
            {
                c.Kernel.Create(new Client(), cs => cs
                    .On("_start", cc =>
                    {
                        cc.Heap.Wheel = new ReadWriteWheel(cc.Kernel, new ReadWriteOptions
                        {
                            Handle = cc.Arg<FileDescriptor>(0), Filter = new LineFilter(), InputEvent = "line", ErrorEvent = "gone",
                        });
                    })
                    .On("line", cc =>
                    {
                        string line = cc.Arg<string>(0);
                        if (line == "boom") throw new InvalidOperationException("a bug in one handler");
                        cc.Heap.Wheel!.Put("ok:" + line);
                    })
                    .On("gone", cc => { cc.Heap.Wheel!.Dispose(); }),
                    c.Arg<FileDescriptor>(0));
            })
            .On("client_done", c =>
            {
                // After the failure, a new client must still be accepted and answered.
                if (++done == 3) Connect(c.Kernel, c.Heap.Factory!.BoundPort, "late");
                if (done == 4) c.Heap.Factory!.Dispose();
            })
            .On("failed", c => Assert.Fail($"listen: {c.Arg<string>(2)}")));

        Assert.That(() => kernel.Run(TimeSpan.FromSeconds(60)), Throws.Nothing, warnings.ToString());

        Assert.That(clients["boom"].Answer, Is.Null);
        Assert.That(clients["boom"].Closed, Is.True, "the failing connection is closed");
        Assert.That(clients.Where(kv => kv.Key != "boom").Select(kv => kv.Value.Answer), Is.EqualTo(new[] { "ok:one", "ok:two", "ok:late" }));
        Assert.That(warnings.ToString(), Does.Contain("threw InvalidOperationException: a bug in one handler"));
    }
}
