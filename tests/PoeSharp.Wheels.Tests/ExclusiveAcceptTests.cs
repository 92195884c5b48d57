using System.Net;
using System.Net.Sockets;
using PoeSharp.Loop;
using PoeSharp.Os;
using PoeSharp.Testing;

namespace PoeSharp.Wheels.Tests;

/// <summary>
/// <see cref="SocketFactoryOptions.ExclusiveAccept"/> and <see cref="ListenAcceptOptions.ExclusiveAccept"/>:
/// the listening wheels pass the flag to the kernel's watch (seen on the fake kernel's manual loop),
/// keep it through pause, resume and a fork, and accept as before.
/// </summary>
public sealed class ExclusiveAcceptTests
{
    private FakeKernel _fake = null!;
    private readonly List<IDisposable> _owned = [];

    [SetUp]
    public void SetUp() => _fake = new FakeKernel();

    [TearDown]
    public void TearDown()
    {
        _fake.Dispose();
        foreach (var d in _owned) d.Dispose();
        _owned.Clear();
    }

    [TestCase(true)]
    [TestCase(false)]
    public void SocketFactoryWatchesItsListenerExclusivelyWhenAsked(bool exclusive)
    {
        SocketFactoryWheel? wheel = null;
        var accepted = new List<FileDescriptor>();
        var session = _fake.Create(0, s => s
            .On("_start", c => wheel = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
            {
                BindAddress = "127.0.0.1", SuccessEvent = "accepted", FailureEvent = "failed", ExclusiveAccept = exclusive,
            }))
            .On("accepted", c => accepted.Add(c.Arg<FileDescriptor>(0)))
            .On("pause", _ => wheel!.PauseAccept())
            .On("resume", _ => wheel!.ResumeAccept())
            .On("stop", _ => wheel!.Dispose()));
        int fd = wheel!.Handle!.Fd;
        Assert.That(_fake.Loop.IsExclusive(fd, IoMode.Read), Is.EqualTo(exclusive));

        _fake.Deliver(session, "pause");
        _fake.Deliver(session, "resume");
        Assert.That(_fake.Loop.IsExclusive(fd, IoMode.Read), Is.EqualTo(exclusive), "kept through pause and resume");

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(IPAddress.Loopback, wheel.BoundPort);
        _fake.Loop.FireOnce(fd, IoMode.Read);
        _fake.RunUntilIdle();
        _owned.AddRange(accepted);
        Assert.That(accepted, Has.Count.EqualTo(1));

        _fake.Processes.NextForkIsChild(4242);
        Assert.That(_fake.Kernel.Fork().IsChild, Is.True);
        Assert.That(_fake.Loop.IsExclusive(fd, IoMode.Read), Is.EqualTo(exclusive), "a listener keeps its watch in a child");
        _fake.Deliver(session, "stop");
        Assert.That(_fake.Loop.IsWatched(fd, IoMode.Read), Is.False);
    }

    [TestCase(true)]
    [TestCase(false)]
    public void ListenAcceptWatchesItsSocketExclusivelyWhenAsked(bool exclusive)
    {
        var listener = PosixSocket.Socket(AddressFamily.InterNetwork).Value;
        _owned.Add(listener);
        Assert.That(PosixSocket.Bind(listener, SocketEndPoint.Inet(IPAddress.Loopback, 0)).IsError, Is.False);
        Assert.That(PosixSocket.Listen(listener, PosixSocket.DefaultBacklog).IsError, Is.False);
        ListenAcceptWheel? wheel = null;
        var session = _fake.Create(0, s => s
            .On("_start", c => wheel = new ListenAcceptWheel(c.Kernel, new ListenAcceptOptions
            {
                Handle = listener, AcceptEvent = "accepted", ExclusiveAccept = exclusive,
            }))
            .On("accepted", c => _owned.Add(c.Arg<FileDescriptor>(0)))
            .On("stop", _ => wheel!.Dispose()));
        Assert.That(wheel!.IsListening, Is.True);
        Assert.That(_fake.Loop.IsExclusive(listener.Fd, IoMode.Read), Is.EqualTo(exclusive));
        _fake.Deliver(session, "stop");
        Assert.That(_fake.Loop.IsWatched(listener.Fd, IoMode.Read), Is.False);
    }
}
