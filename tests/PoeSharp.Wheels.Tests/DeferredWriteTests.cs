using PoeSharp.Filters;
using PoeSharp.Loop;
using PoeSharp.Os;

namespace PoeSharp.Wheels.Tests;

/// <summary>
/// Output put while a wheel of the same session handles readiness is written at the end of that
/// callback, without a write watcher; output put from elsewhere takes the write watcher.
/// </summary>
public sealed class DeferredWriteTests
{
    private sealed class Heap
    {
        public SocketFactoryWheel? Listener;
        public SocketFactoryWheel? Connector;
        public ReadWriteWheel? Server;
        public ReadWriteWheel? Client;
        public readonly List<string> Log = [];
    }

    [Test]
    public void APutInSuccessEventIsWrittenAtTheEndOfTheCallbackWithoutAWriteWatcher()
    {
        var heap = GuardedSession.Run(new Heap(), s => s
            .On("_start", c =>
            {
                var h = c.Heap;
                h.Listener = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
                {
                    BindAddress = "127.0.0.1", SuccessEvent = "accepted", FailureEvent = "failed",
                });
                h.Connector = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
                {
                    RemoteAddress = "127.0.0.1", RemotePort = h.Listener.BoundPort, SuccessEvent = "connected", FailureEvent = "failed",
                });
            })
            .On("accepted", c =>
            {
                c.Heap.Server = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
                {
                    Handle = c.Arg<FileDescriptor>(0), Filter = new LineFilter(), InputEvent = "server_got",
                });
            })
            .On("connected", c =>
            {
                var h = c.Heap;
                h.Client = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
                {
                    Handle = c.Arg<FileDescriptor>(0), Filter = new LineFilter(), InputEvent = "client_got",
                });
                h.Client.Put("ping");
                h.Log.Add($"queued {h.Client.DriverOutOctets}");
                c.Kernel.Yield("check");
            })
            .On("check", c =>
            {
                var h = c.Heap;
                int fd = h.Client!.OutputHandle.Fd;
                h.Log.Add($"after {h.Client.DriverOutOctets} watcher {c.Kernel.Watches.Any(w => w.Fd == fd && w.Mode == IoMode.Write)}");
            })
            .On("server_got", c => c.Heap.Server!.Put("pong: " + c.Arg<string>(0)))
            .On("client_got", c =>
            {
                var h = c.Heap;
                h.Log.Add(c.Arg<string>(0));
                h.Listener!.Dispose();
                h.Connector!.Dispose();
                h.Server!.Dispose();
                h.Client!.Dispose();
                c.Kernel.Post("guard", "done");
            })
            .On("failed", c =>
            {
                c.Heap.Log.Add($"failed {c[0]} {c[2]}");
                c.Kernel.Stop();
            }));
        Assert.That(heap.Log, Is.EqualTo(new[] { "queued 6", "after 0 watcher False", "pong: ping" }));
    }

    [Test]
    public void OutputPutBeforeAHandlerThrowsStillGoesOutThroughTheWriteWatcher()
    {
        var (a, b) = PosixSocket.SocketPair().Value;
        using var peer = b;
        Assert.That(PosixSocket.Write(peer.Fd, "hello\n"u8).Value, Is.EqualTo(6));
        var heap = GuardedSession.Run(new Heap(), s => s
            .On("_start", c =>
            {
                c.Kernel.Sig("DIE", "die");
                c.Heap.Server = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
                {
                    Handle = a, Filter = new LineFilter(), InputEvent = "got", FlushedEvent = "flushed",
                });
            })
            .On("got", c =>
            {
                c.Heap.Server!.Put("reply: " + c.Arg<string>(0));
                throw new InvalidOperationException("after the put");
            })
            .On("die", c =>
            {
                c.Heap.Log.Add("die: " + c.Arg<DieInfo>(1).ErrorText);
                int fd = c.Heap.Server!.OutputHandle.Fd;
                c.Heap.Log.Add($"watcher {c.Kernel.Watches.Any(w => w.Fd == fd && w.Mode == IoMode.Write)}");
                c.Kernel.SigHandled();
            })
            .On("flushed", c =>
            {
                c.Heap.Log.Add("flushed");
                c.Heap.Server!.Dispose();
                c.Kernel.Sig("DIE");
                c.Kernel.Post("guard", "done");
            }), seconds: 10);
        Assert.That(heap.Log, Is.EqualTo(new[] { "die: after the put", "watcher True", "flushed" }),
                    "the throw abandons the deferred write: the write watcher takes over");
        var buffer = new byte[64];
        int n = PosixSocket.Read(peer.Fd, buffer).Value;
        Assert.That(System.Text.Encoding.ASCII.GetString(buffer, 0, n), Is.EqualTo("reply: hello\r\n"));
    }

    private sealed class Relay
    {
        public ReadWriteWheel? Wheel;
        public int Flushed;
    }

    [Test]
    public void APutByAnotherSessionCalledFromAReadinessCallbackTakesItsOwnWriteWatcher()
    {
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel, sessions: 2);
        var (a, b) = PosixSocket.SocketPair().Value;
        var (relayEnd, peer) = PosixSocket.SocketPair().Value;
        using var peerEnd = peer;
        var relay = new Relay();
        kernel.Create(relay, s => s
            .On("_start", c =>
            {
                c.Kernel.AliasSet("relay");
                c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
                {
                    Handle = relayEnd, Filter = new LineFilter(), FlushedEvent = "flushed",
                });
            })
            .On("say", c =>
            {
                c.Heap.Wheel!.Put("relayed " + c.Arg<string>(0));
                int fd = c.Heap.Wheel.OutputHandle.Fd;
                Assert.That(c.Kernel.Watches.Any(w => w.Fd == fd && w.Mode == IoMode.Write && w.Owner == c.Session), Is.True,
                            "not this session's readiness callback: the write watcher, registered for this session");
            })
            .On("flushed", c =>
            {
                c.Heap.Flushed++;
                c.Heap.Wheel!.Dispose();
                c.Kernel.AliasRemove("relay");
                c.Kernel.Post("guard", "done");
            }));
        var heap = new Heap();
        kernel.Create(heap, s => s
            .On("_start", c => c.Heap.Server = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
            {
                Handle = a, Filter = new LineFilter(), InputEvent = "got",
            }))
            .On("got", c =>
            {
                c.Kernel.Call("relay", "say", c.Arg<string>(0));
                c.Heap.Server!.Dispose();
                c.Kernel.Post("guard", "done");
            }));
        using (b)
        {
            Assert.That(PosixSocket.Write(b.Fd, "hello\n"u8).Value, Is.EqualTo(6));
            guard.Run(kernel);
        }
        Assert.That(relay.Flushed, Is.EqualTo(1));
        var buffer = new byte[64];
        int n = PosixSocket.Read(peerEnd.Fd, buffer).Value;
        Assert.That(System.Text.Encoding.ASCII.GetString(buffer, 0, n), Is.EqualTo("relayed hello\r\n"));
    }
}
