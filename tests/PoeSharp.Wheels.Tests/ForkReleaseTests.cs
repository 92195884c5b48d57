using System.Runtime.InteropServices;
using System.Text;
using PoeSharp.Loop;
using PoeSharp.Os;
using PoeSharp.Testing;

namespace PoeSharp.Wheels.Tests;

/// <summary>
/// In a forked child (the fake host's <see cref="FakeProcessHost.NextForkIsChild"/>), a ReadWrite
/// wheel created before the fork lets go of its connection without touching the peer, and its
/// owner hears of it; <see cref="ReadWriteOptions.KeepAfterFork"/> keeps POE's behaviour. The
/// parent's copy of each socket is a <c>dup</c> of it, as fork would make.
/// </summary>
public sealed partial class ForkReleaseTests
{
    private sealed class Heap
    {
        public ReadWriteWheel? Released;
        public ReadWriteWheel? Kept;
        public readonly List<string> Log = [];
    }

    private FakeKernel _fake = null!;
    private readonly List<FileDescriptor> _fds = [];

    [SetUp]
    public void SetUp() => _fake = new FakeKernel();

    [TearDown]
    public void TearDown()
    {
        _fake.Dispose();
        foreach (var fd in _fds) fd.Dispose();
    }

    private (FileDescriptor Ours, FileDescriptor Theirs, FileDescriptor ParentsCopy) Connection()
    {
        var pair = PosixSocket.SocketPair().Value;
        int copy = Dup(pair.First.Fd);
        Assert.That(copy, Is.GreaterThanOrEqualTo(0));
        var parents = new FileDescriptor(copy);
        _fds.AddRange([pair.First, pair.Second, parents]);
        PosixSocket.SetNonBlocking(pair.Second, true);
        PosixSocket.SetNonBlocking(parents, true);
        return (pair.First, pair.Second, parents);
    }

    private static void Send(FileDescriptor fd, string text) =>
        Assert.That(PosixSocket.Write(fd.Fd, Encoding.UTF8.GetBytes(text)).Value, Is.EqualTo(Encoding.UTF8.GetByteCount(text)));

    /// <summary>What <paramref name="fd"/> can read now: the text, "EOF", or "nothing" (EAGAIN).</summary>
    private static string ReadNow(FileDescriptor fd)
    {
        var buffer = new byte[4096];
        var r = PosixSocket.Read(fd.Fd, buffer);
        if (!r.Ok) return $"errno {r.Error.Errno}";
        if (r.Value == PosixSocket.WouldBlock) return "nothing";
        return r.Value == 0 ? "EOF" : Encoding.UTF8.GetString(buffer, 0, r.Value);
    }

    [Test]
    public void AChildLetsGoOfAnInheritedConnectionWithoutTouchingThePeerAndTellsTheOwner()
    {
        var released = Connection();
        var kept = Connection();
        Send(released.Theirs, "unread\n");
        var heap = new Heap();
        var session = _fake.Create(heap, s => s
            .On("_start", c =>
            {
                c.Heap.Released = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
                {
                    Handle = released.Ours, InputEvent = "input", ErrorEvent = "error",
                });
                c.Heap.Kept = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
                {
                    Handle = kept.Ours, InputEvent = "input", ErrorEvent = "error", KeepAfterFork = true,
                });
                // Queued outside a readiness callback: waits for the write watcher, which the
                // fake loop reports only when a test says so.
                c.Heap.Released.Put("pending");
            })
            .On("input", c => c.Heap.Log.Add($"input {c[0]}"))
            .On("error", c =>
            {
                c.Heap.Log.Add($"error {c[0]} {c[1]} wheel {c.Arg<int>(3)} open {!c.Heap.Released!.InputHandle.IsClosed}");
                if (c.Arg<string>(0) == ReadWriteWheel.ForkOperation) c.Heap.Released!.Dispose();
            })
            .On(KnownEvents.AfterFork, c => c.Heap.Log.Add("after fork"))
            .On("stop", c => c.Heap.Kept!.Dispose()));
        int releasedFd = released.Ours.Fd;
        Assert.That(_fake.Selects.Any(w => w.Fd == releasedFd && w.Mode == IoMode.Write), Is.True, "the output waits");

        _fake.Processes.NextForkIsChild(6060);
        Assert.That(_fake.Kernel.Fork().IsChild, Is.True);

        Assert.That(heap.Log, Is.EqualTo(new[] { $"error fork 0 wheel {heap.Released!.Id} open False", "after fork" }),
            "closed before the owner hears of it; _after_fork comes after");
        Assert.That(released.Ours.IsClosed, Is.True);
        Assert.That(_fake.Selects.Any(w => w.Fd == releasedFd), Is.False, "nothing left watched on the old number");
        // The peer saw nothing: no output, no end of file (the parent's copy keeps it open) ...
        Assert.That(ReadNow(released.Theirs), Is.EqualTo("nothing"));
        // ... and the input is still there for the parent.
        Assert.That(ReadNow(released.ParentsCopy), Is.EqualTo("unread\n"));

        // The kept wheel still works in the child.
        Send(kept.Theirs, "still here\n");
        _fake.Loop.FireOnce(kept.Ours.Fd, IoMode.Read);
        _fake.RunUntilIdle();
        Assert.That(heap.Log[^1], Is.EqualTo("input still here"));
        Assert.That(kept.Ours.IsClosed, Is.False);

        _fake.Deliver(session, "stop");
        Assert.That(session.IsAlive, Is.False);
    }

    [Test]
    public void AReleasedWheelKeepsItsSessionAliveUntilDisposedAndIgnoresPutAndShutdown()
    {
        var c1 = Connection();
        var heap = new Heap();
        var session = _fake.Create(heap, s => s
            .On("_start", c => c.Heap.Released = new ReadWriteWheel(c.Kernel, new ReadWriteOptions { Handle = c1.Ours, InputEvent = "input" }))
            .On("input", _ => { })
            .On("poke", c =>
            {
                var w = c.Heap.Released!;
                w.Put("nobody hears this");
                w.Flush();
                w.ShutdownOutput();
                w.ShutdownInput();
                c.Heap.Log.Add($"queued {w.DriverOutOctets > 0}");
            })
            .On("drop", c => c.Heap.Released!.Dispose()));
        // Another descriptor may get the released number in the child: the wheel must leave it alone.
        _fake.Processes.NextForkIsChild(6061);
        Assert.That(_fake.Kernel.Fork().IsChild, Is.True);
        var reused = PosixSocket.SocketPair().Value;
        _fds.AddRange([reused.First, reused.Second]);
        _fake.Deliver(session, "poke");
        Assert.That(session.IsAlive, Is.True, "no ErrorEvent: the wheel still holds its session");
        Assert.That(ReadNow(c1.Theirs), Is.EqualTo("nothing"));
        PosixSocket.SetNonBlocking(reused.Second, true);
        Send(reused.First, "intact\n");
        Assert.That(ReadNow(reused.Second), Is.EqualTo("intact\n"), "the descriptor that took the number was not shut down");
        _fake.Deliver(session, "drop");
        Assert.That(session.IsAlive, Is.False);
    }

    [Test]
    public void AWheelCreatedAfterTheForkIsTheChildsOwn()
    {
        var c1 = Connection();
        var heap = new Heap();
        _fake.Processes.NextForkIsChild(6062);
        var session = _fake.Create(heap, s => s
            .On("_start", c =>
            {
                c.Kernel.Fork();
                c.Heap.Released = new ReadWriteWheel(c.Kernel, new ReadWriteOptions { Handle = c1.Ours, ErrorEvent = "error", AutoFlush = true });
                c.Heap.Released.Put("from the child");
            })
            .On("error", c => c.Heap.Log.Add($"error {c[0]}")));
        Assert.That(heap.Log, Is.Empty);
        Assert.That(ReadNow(c1.Theirs), Is.EqualTo("from the child\r\n"));
        _fake.Processes.NextForkIsChild(6063);
        Assert.That(_fake.Kernel.Fork().IsChild, Is.True);
        Assert.That(heap.Log, Is.EqualTo(new[] { "error fork" }), "a grandchild lets go of it in turn");
        _fake.Kernel.Stop();
        Assert.That(session.IsAlive, Is.False);
    }

    [Test]
    public void AConnectInProgressIsTheParentsWhileAListenerKeepsListening()
    {
        SocketFactoryWheel? listener = null, connector = null, kept = null;
        var log = new List<string>();
        var session = _fake.Create(0, s => s
            .On("_start", c =>
            {
                listener = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
                {
                    BindAddress = "127.0.0.1", SuccessEvent = "accepted", FailureEvent = "failed",
                });
                connector = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
                {
                    RemoteAddress = "127.0.0.1", RemotePort = listener.BoundPort, SuccessEvent = "connected", FailureEvent = "failed",
                    ConnectTimeout = TimeSpan.FromSeconds(5),
                });
                kept = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
                {
                    RemoteAddress = "127.0.0.1", RemotePort = listener.BoundPort, SuccessEvent = "connected", FailureEvent = "failed",
                    KeepAfterFork = true,
                });
            })
            .On("failed", c => log.Add($"failed {c[0]} {c[1]} wheel {c.Arg<int>(3)}"))
            .On("connected", c => log.Add($"connected wheel {c.Arg<int>(3)}"))
            .On("accepted", c => c.Arg<FileDescriptor>(0).Dispose())
            .On("stop", _ =>
            {
                listener!.Dispose();
                connector!.Dispose();
                kept!.Dispose();
            }));
        var connecting = connector!.Handle!;
        Assert.That(_fake.Timers, Has.Count.EqualTo(1), "the connect timeout");

        _fake.Processes.NextForkIsChild(6064);
        Assert.That(_fake.Kernel.Fork().IsChild, Is.True);
        Assert.That(log, Is.EqualTo(new[] { $"failed fork 0 wheel {connector.Id}" }));
        Assert.That(connecting.IsClosed, Is.True);
        Assert.That(connector.Handle, Is.Null);
        Assert.That(_fake.Timers, Is.Empty, "the timeout went with it");
        Assert.That(_fake.Selects.Any(w => w.Fd == connecting.Fd), Is.False);
        Assert.That(kept!.Handle, Is.Not.Null);
        Assert.That(listener!.IsListening, Is.True);

        _fake.Deliver(session, "stop");
        Assert.That(session.IsAlive, Is.False);
    }

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(int fd);
}
