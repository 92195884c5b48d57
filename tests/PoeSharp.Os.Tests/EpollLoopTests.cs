using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PoeSharp.Loop;

namespace PoeSharp.Os.Tests;

public sealed class EpollLoopTests
{
    private EpollLoop _loop = null!;
    private RecordingSink _sink = null!;
    private readonly List<int> _fds = new();

    [SetUp]
    public void SetUp()
    {
        _loop = new EpollLoop();
        _sink = new RecordingSink();
        _loop.Attach(_sink);
    }

    [TearDown]
    public void TearDown()
    {
        _loop.Dispose();
        foreach (int fd in _fds) TestFds.Close(fd);
        _fds.Clear();
    }

    private (int Read, int Write) Pipe()
    {
        var p = TestFds.Pipe();
        _fds.Add(p.Read);
        _fds.Add(p.Write);
        return p;
    }

    [Test]
    public void ReadableIsReportedOnEveryPollUntilDrained()
    {
        var (r, w) = Pipe();
        _loop.Watch(r, IoMode.Read);
        Assert.That(_loop.Poll(TimeSpan.Zero), Is.Zero);

        TestFds.Write(w);
        Assert.That(_loop.Poll(TimeSpan.Zero), Is.EqualTo(1));
        Assert.That(_loop.Poll(TimeSpan.Zero), Is.EqualTo(1), "level-triggered: still ready");
        Assert.That(_sink.Calls, Is.EqualTo(new[] { (r, IoMode.Read), (r, IoMode.Read) }));

        TestFds.Drain(r);
        Assert.That(_loop.Poll(TimeSpan.Zero), Is.Zero);
    }

    [Test]
    public void WritableAndEndOfFileAreReported()
    {
        var (r, w) = Pipe();
        _loop.Watch(w, IoMode.Write);
        _loop.Watch(r, IoMode.Read);
        _loop.Poll(TimeSpan.Zero);
        Assert.That(_sink.Calls, Is.EqualTo(new[] { (w, IoMode.Write) }));

        _sink.Calls.Clear();
        _loop.Ignore(w, IoMode.Write);
        TestFds.Close(w);
        _fds.Remove(w);
        _loop.Poll(TimeSpan.Zero);
        Assert.That(_sink.Calls, Is.EqualTo(new[] { (r, IoMode.Read) }), "EOF (HUP) reads as readable, like select()");
    }

    [Test]
    public void ReadComesBeforeWriteBeforeExpediteForOneDescriptor()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        using var server = listener.Accept();
        client.Send("x"u8);
        client.Send("!"u8, SocketFlags.OutOfBand);
        int fd = (int)server.Handle;

        // Watch in the opposite order to show the order comes from the loop, not registration.
        _loop.Watch(fd, IoMode.Expedite);
        _loop.Watch(fd, IoMode.Write);
        _loop.Watch(fd, IoMode.Read);
        var deadline = Stopwatch.StartNew();
        while (_sink.Calls.Count < 3 && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            _sink.Calls.Clear();
            _loop.Poll(TimeSpan.FromMilliseconds(100));
        }
        Assert.That(_sink.Calls, Is.EqualTo(new[] { (fd, IoMode.Read), (fd, IoMode.Write), (fd, IoMode.Expedite) }));
        _loop.Ignore(fd, IoMode.Read);
        _loop.Ignore(fd, IoMode.Write);
        _loop.Ignore(fd, IoMode.Expedite);
    }

    [Test]
    public void PausedModesAreNotReportedButStillCounted()
    {
        var (r, w) = Pipe();
        TestFds.Write(w);
        _loop.Watch(r, IoMode.Read);
        _loop.Watch(w, IoMode.Write);
        _loop.Pause(r, IoMode.Read);
        Assert.That(_loop.WatchCount, Is.EqualTo(2));
        Assert.That(_loop.IsPaused(r, IoMode.Read), Is.True);
        _loop.Poll(TimeSpan.Zero);
        Assert.That(_sink.Calls, Is.EqualTo(new[] { (w, IoMode.Write) }));

        _sink.Calls.Clear();
        _loop.Pause(w, IoMode.Write);
        Assert.That(_loop.Poll(TimeSpan.Zero), Is.Zero);

        _loop.Resume(r, IoMode.Read);
        _loop.Poll(TimeSpan.Zero);
        Assert.That(_sink.Calls, Is.EqualTo(new[] { (r, IoMode.Read) }));
        Assert.That(_loop.WatchCount, Is.EqualTo(2));
    }

    [Test]
    public void WatchingTwiceAndIgnoringUnknownDescriptorsAreHarmless()
    {
        var (r, w) = Pipe();
        _loop.Watch(r, IoMode.Read);
        _loop.Watch(r, IoMode.Read);
        Assert.That(_loop.WatchCount, Is.EqualTo(1));
        _loop.Ignore(w, IoMode.Read);
        _loop.Ignore(12345, IoMode.Write);
        _loop.Resume(12345, IoMode.Write);
        _loop.Ignore(r, IoMode.Read);
        _loop.Ignore(r, IoMode.Read);
        Assert.That(_loop.WatchCount, Is.Zero);
    }

    [Test]
    public void ACallbackThatUnwatchesLaterDescriptorsOfTheBatchSilencesThem()
    {
        var a = Pipe();
        var b = Pipe();
        TestFds.Write(a.Write);
        TestFds.Write(b.Write);
        _loop.Watch(a.Read, IoMode.Read);
        _loop.Watch(a.Read, IoMode.Write);   // a pipe's read end is never writable; only read fires
        _loop.Watch(b.Read, IoMode.Read);
        _loop.Watch(a.Write, IoMode.Write);
        _loop.Watch(b.Write, IoMode.Write);
        _sink.OnCall = (fd, mode) =>
        {
            // Whoever fires first removes every other watch, closing one descriptor outright.
            foreach (int other in new[] { a.Read, b.Read, a.Write, b.Write })
            {
                if (other == fd) continue;
                _loop.Ignore(other, IoMode.Read);
                _loop.Ignore(other, IoMode.Write);
            }
            _loop.Ignore(fd, mode == IoMode.Read ? IoMode.Write : IoMode.Read);
        };
        int calls = _loop.Poll(TimeSpan.Zero);
        Assert.That(calls, Is.EqualTo(1));
        Assert.That(_sink.Calls, Has.Count.EqualTo(1));
    }

    [Test]
    public void ACallbackThatIgnoresWriteOnItsDescriptorStopsTheWriteCallback()
    {
        var (s1, s2) = SocketPair();
        try
        {
            TestFds.Write(s2);
            _loop.Watch(s1, IoMode.Read);
            _loop.Watch(s1, IoMode.Write);
            _sink.OnCall = (fd, mode) => { if (mode == IoMode.Read) _loop.Ignore(fd, IoMode.Write); };
            _loop.Poll(TimeSpan.Zero);
            Assert.That(_sink.Calls, Is.EqualTo(new[] { (s1, IoMode.Read) }));
        }
        finally
        {
            _loop.Ignore(s1, IoMode.Read);
            TestFds.Close(s1);
            TestFds.Close(s2);
        }
    }

    private static (int, int) SocketPair() => TestFds.SocketPair();

    [Test]
    public void WakeFromAnotherThreadEndsAnInfinitePoll()
    {
        var waker = new Thread(() =>
        {
            Thread.Sleep(50);
            _loop.Wake();
        });
        var sw = Stopwatch.StartNew();
        waker.Start();
        int calls = _loop.Poll(Timeout.InfiniteTimeSpan);
        waker.Join();
        Assert.That(calls, Is.Zero, "a wake-up is not a readiness callback");
        Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public void WakeBeforePollMakesTheNextPollReturnAtOnceAndOnlyOnce()
    {
        _loop.Wake();
        _loop.Wake();
        var sw = Stopwatch.StartNew();
        _loop.Poll(TimeSpan.FromSeconds(30));
        Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        // Drained: a zero-timeout poll finds nothing, and a short poll runs to its timeout.
        sw.Restart();
        _loop.Poll(TimeSpan.FromMilliseconds(30));
        Assert.That(sw.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(29)));
    }

    [Test]
    public void TimeoutIsNotCutShort()
    {
        var sw = Stopwatch.StartNew();
        Assert.That(_loop.Poll(TimeSpan.FromMilliseconds(20.5)), Is.Zero);
        Assert.That(sw.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(20)));
    }

    [Test]
    public void AfterForkReplacesTheEpollAndWakeDescriptorsAndKeepsTheWatches()
    {
        var (r, w) = Pipe();
        TestFds.Write(w);
        _loop.Watch(r, IoMode.Read);
        _loop.Watch(w, IoMode.Write);
        _loop.Pause(w, IoMode.Write);
        int oldEp = _loop.EpollFd, oldWake = _loop.WakeFd;
        _loop.AfterFork();
        // The new descriptors are created before the old ones are closed, so the numbers differ.
        Assert.That(_loop.EpollFd, Is.Not.EqualTo(oldEp));
        Assert.That(_loop.WakeFd, Is.Not.EqualTo(oldWake));
        Assert.That(TestFds.IsOpen(oldEp), Is.False);
        Assert.That(TestFds.IsOpen(oldWake), Is.False);
        Assert.That(_loop.WatchCount, Is.EqualTo(2));
        _loop.Poll(TimeSpan.Zero);
        Assert.That(_sink.Calls, Is.EqualTo(new[] { (r, IoMode.Read) }), "paused write stays paused");
        _loop.Resume(w, IoMode.Write);
        _loop.Wake();
        _sink.Calls.Clear();
        _loop.Poll(TimeSpan.FromSeconds(5));
        Assert.That(_sink.Calls, Is.EquivalentTo(new[] { (r, IoMode.Read), (w, IoMode.Write) }));
    }

    [Test]
    public void RegularFilesAreAlwaysReady()
    {
        string path = Path.GetTempFileName();
        try
        {
            using var file = File.OpenHandle(path);
            int fd = (int)file.DangerousGetHandle();
            _loop.Watch(fd, IoMode.Read);
            Assert.That(_loop.Poll(TimeSpan.FromSeconds(10)), Is.EqualTo(1));
            Assert.That(_loop.Poll(TimeSpan.FromSeconds(10)), Is.EqualTo(1));
            _loop.Pause(fd, IoMode.Read);
            Assert.That(_loop.Poll(TimeSpan.Zero), Is.Zero);
            _loop.Ignore(fd, IoMode.Read);
            Assert.That(_loop.WatchCount, Is.Zero);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void WatchingAClosedDescriptorFailsWithAClearMessage()
    {
        var (r, w) = Pipe();
        TestFds.Close(r);
        _fds.Remove(r);
        var ex = Assert.Throws<InvalidOperationException>(() => _loop.Watch(r, IoMode.Read));
        Assert.That(ex!.Message, Does.Contain($"fd {r}").And.Contain("not an open descriptor"));
        Assert.That(w, Is.Not.EqualTo(r));
    }

    [Test]
    public void SteadyStatePollingDoesNotAllocate()
    {
        var (r, w) = Pipe();
        TestFds.Write(w);
        _loop.Watch(r, IoMode.Read);
        _loop.Watch(w, IoMode.Write);
        var quiet = new CountingSink();
        _loop.Attach(quiet);
        for (int i = 0; i < 100; i++) _loop.Poll(TimeSpan.Zero);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++) _loop.Poll(TimeSpan.Zero);
        _loop.Wake();
        _loop.Poll(TimeSpan.Zero);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(quiet.Count, Is.EqualTo(2 * 10_100 + 2));
        Assert.That(allocated, Is.Zero);
    }

    [Test]
    public void DisposedLoopIgnoresWakeAndRefusesPoll()
    {
        _loop.Dispose();
        _loop.Wake();
        Assert.Throws<ObjectDisposedException>(() => _loop.Poll(TimeSpan.Zero));
    }

    private sealed class CountingSink : ILoopSink
    {
        public int Count;

        public void OnReady(int fd, IoMode mode) => Count++;
    }
}
