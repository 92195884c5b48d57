using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PoeSharp.Loop;

namespace PoeSharp.Os.Tests;

/// <summary>
/// <see cref="EpollLoop"/>'s exclusive watches (EPOLLEXCLUSIVE): what the epoll instance holds
/// (read back from /proc/self/fdinfo), through mode changes, pause/resume and a fork's rebuild,
/// and the wake-up itself with two loops blocked on one listening socket.
/// </summary>
public sealed class EpollExclusiveTests
{
    private const uint In = 0x001, Pri = 0x002, Out = 0x004, Err = 0x008, Hup = 0x010, Exclusive = 1u << 28;

    private readonly List<IDisposable> _owned = new();

    [TearDown]
    public void TearDown()
    {
        foreach (var d in _owned) d.Dispose();
        _owned.Clear();
    }

    private EpollLoop NewLoop(RecordingSink? sink = null)
    {
        var loop = new EpollLoop();
        loop.Attach(sink ?? new RecordingSink());
        _owned.Add(loop);
        return loop;
    }

    private Socket Listener()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _owned.Add(s);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        s.Listen();
        s.Blocking = false;
        return s;
    }

    /// <summary>The event mask epoll holds for <paramref name="fd"/> in <paramref name="loop"/>'s instance (without ERR and HUP), or null if absent.</summary>
    private static uint? Registered(EpollLoop loop, int fd)
    {
        foreach (string line in File.ReadLines($"/proc/self/fdinfo/{loop.EpollFd}"))
        {
            string[] f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 4 && f[0] == "tfd:" && f[1] == fd.ToString(CultureInfo.InvariantCulture) && f[2] == "events:")
                return uint.Parse(f[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture) & ~(Err | Hup);   // always added by epoll
        }
        return null;
    }

    [Test]
    public void AnExclusiveWatchIsAddedWithTheFlagAndKeepsItThroughPauseResumeAndAFork()
    {
        var loop = NewLoop();
        int fd = (int)Listener().Handle;
        loop.Watch(fd, IoMode.Read, exclusive: true);
        Assert.That(Registered(loop, fd), Is.EqualTo(In | Exclusive));
        Assert.That(loop.IsExclusive(fd), Is.True);

        loop.Pause(fd, IoMode.Read);
        Assert.That(Registered(loop, fd), Is.Null, "fully paused: out of the set");
        loop.Resume(fd, IoMode.Read);
        Assert.That(Registered(loop, fd), Is.EqualTo(In | Exclusive));

        int oldEp = loop.EpollFd;
        loop.AfterFork();
        Assert.That(loop.EpollFd, Is.Not.EqualTo(oldEp));
        Assert.That(Registered(loop, fd), Is.EqualTo(In | Exclusive), "the child's own instance gets the flag too");

        loop.Ignore(fd, IoMode.Read);
        Assert.That(Registered(loop, fd), Is.Null);
        Assert.That(loop.IsExclusive(fd), Is.False);
        loop.Watch(fd, IoMode.Read);
        Assert.That(Registered(loop, fd), Is.EqualTo(In), "the flag ended with the last watch");
    }

    [Test]
    public void APlainWatchHasNoFlag()
    {
        var loop = NewLoop();
        int fd = (int)Listener().Handle;
        loop.Watch(fd, IoMode.Read);
        Assert.That(Registered(loop, fd), Is.EqualTo(In));
        Assert.That(loop.IsExclusive(fd), Is.False);
    }

    [Test]
    public void ChangingTheModesOfAnExclusiveDescriptorAddsItAnewAndReportsItsReadiness()
    {
        var sink = new RecordingSink();
        var loop = NewLoop(sink);
        var (a, b) = TestFds.SocketPair();
        try
        {
            loop.Watch(a, IoMode.Read, exclusive: true);
            loop.Watch(a, IoMode.Write);   // EPOLL_CTL_MOD would fail with EINVAL here
            Assert.That(Registered(loop, a), Is.EqualTo(In | Out | Exclusive));
            loop.Poll(TimeSpan.Zero);
            Assert.That(sink.Calls, Is.EqualTo(new[] { (a, IoMode.Write) }));

            sink.Calls.Clear();
            TestFds.Write(b);
            loop.Pause(a, IoMode.Write);
            Assert.That(Registered(loop, a), Is.EqualTo(In | Exclusive));
            loop.Poll(TimeSpan.Zero);
            Assert.That(sink.Calls, Is.EqualTo(new[] { (a, IoMode.Read) }));
        }
        finally
        {
            TestFds.Close(a);
            TestFds.Close(b);
        }
    }

    [Test]
    public void ExpediteIsWatchedWithoutTheFlagSinceEpollRefusesTheMix()
    {
        var loop = NewLoop();
        int fd = (int)Listener().Handle;
        loop.Watch(fd, IoMode.Read, exclusive: true);
        loop.Watch(fd, IoMode.Expedite);
        Assert.That(Registered(loop, fd), Is.EqualTo(In | Pri));
        loop.Ignore(fd, IoMode.Expedite);
        Assert.That(Registered(loop, fd), Is.EqualTo(In | Exclusive), "the flag comes back with the expedite watch gone");
    }

    [TestCase(true, 1)]
    [TestCase(false, 2)]
    public void OneConnectionWakesOneOfTwoLoopsBlockedOnTheListener(bool exclusive, int expectedCallbacks)
    {
        var listener = Listener();
        int fd = (int)listener.Handle;
        var sinks = new[] { new RecordingSink(), new RecordingSink() };
        var loops = new[] { NewLoop(sinks[0]), NewLoop(sinks[1]) };
        foreach (var loop in loops) loop.Watch(fd, IoMode.Read, exclusive);

        var tids = new int[2];
        var done = new ManualResetEventSlim[] { new(), new() };
        var threads = new Thread[2];
        for (int i = 0; i < 2; i++)
        {
            int k = i;
            threads[k] = new Thread(() =>
            {
                Volatile.Write(ref tids[k], ThreadId());
                loops[k].Poll(Timeout.InfiniteTimeSpan);
                done[k].Set();
            }) { IsBackground = true, Name = $"epoll waiter {k}" };
            threads[k].Start();
        }
        // Both must be asleep in epoll_wait before the connection arrives: a loop that is not
        // waiting yet is not woken but still finds the socket ready when it polls.
        for (int k = 0; k < 2; k++) WaitUntilBlockedInEpoll(() => Volatile.Read(ref tids[k]));

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        Assert.That(WaitHandle.WaitAny([done[0].WaitHandle, done[1].WaitHandle], TimeSpan.FromSeconds(30)), Is.Not.EqualTo(WaitHandle.WaitTimeout));
        if (!exclusive)
            foreach (var d in done) Assert.That(d.Wait(TimeSpan.FromSeconds(30)), Is.True, "every waiting loop wakes");
        foreach (var loop in loops) loop.Wake();
        foreach (var t in threads) Assert.That(t.Join(TimeSpan.FromSeconds(30)), Is.True);

        int callbacks = sinks.Sum(s => s.Calls.Count);
        Assert.That(callbacks, Is.EqualTo(expectedCallbacks));
        foreach (var sink in sinks) Assert.That(sink.Calls, Is.All.EqualTo((fd, IoMode.Read)));
        using var accepted = listener.Accept();
    }

    private static int ThreadId() =>
        int.Parse(Path.GetFileName(new DirectoryInfo("/proc/thread-self").LinkTarget!), CultureInfo.InvariantCulture);

    /// <summary>Waits (on a condition, up to 30 s) until the thread is asleep in an epoll wait system call.</summary>
    private static void WaitUntilBlockedInEpoll(Func<int> tid)
    {
        // epoll_wait, epoll_pwait, epoll_pwait2 on x86-64; epoll_pwait, epoll_pwait2 on arm64.
        var epollCalls = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64
            ? new[] { "232", "281", "441" }
            : new[] { "22", "441" };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            int t = tid();
            if (t != 0)
            {
                try
                {
                    string call = File.ReadAllText($"/proc/self/task/{t}/syscall").Split(' ')[0].Trim();
                    string stat = File.ReadAllText($"/proc/self/task/{t}/stat");
                    char state = stat[stat.LastIndexOf(')') + 2];
                    if (state == 'S' && epollCalls.Contains(call)) return;
                }
                catch (IOException)
                {
                    // the task is gone or not readable yet: try again
                }
            }
            if (DateTime.UtcNow > deadline) Assert.Fail($"thread {t} never blocked in epoll_wait");
            Thread.Sleep(1);
        }
    }
}
