using System.Globalization;
using PoeSharp.Loop;

namespace PoeSharp.Os.Tests;

/// <summary>
/// <see cref="EpollLoop.Ignore(int, IoMode, bool)"/> with <c>closing</c>: the registration of a
/// descriptor that is closed next is left to close(2) (no EPOLL_CTL_DEL), except where another
/// descriptor may still hold the file; what the epoll instance holds is read back from /proc/self/fdinfo.
/// </summary>
public sealed class EpollCloseTests
{
    private readonly List<IDisposable> _owned = new();
    private readonly List<int> _fds = new();

    [TearDown]
    public void TearDown()
    {
        foreach (var d in _owned) d.Dispose();
        _owned.Clear();
        foreach (int fd in _fds) TestFds.Close(fd);
        _fds.Clear();
    }

    private EpollLoop NewLoop(RecordingSink sink)
    {
        var loop = new EpollLoop();
        loop.Attach(sink);
        _owned.Add(loop);
        return loop;
    }

    /// <summary>Whether <paramref name="loop"/>'s epoll instance holds a registration for <paramref name="fd"/>.</summary>
    private static bool Registered(EpollLoop loop, int fd)
    {
        foreach (string line in File.ReadLines($"/proc/self/fdinfo/{loop.EpollFd}"))
        {
            string[] f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 2 && f[0] == "tfd:" && f[1] == fd.ToString(CultureInfo.InvariantCulture)) return true;
        }
        return false;
    }

    [Test]
    public void A_descriptor_ignored_as_closing_stays_registered_until_close_removes_it()
    {
        var sink = new RecordingSink();
        var loop = NewLoop(sink);
        var (a, b) = TestFds.SocketPair();
        _fds.Add(b);
        loop.Watch(a, IoMode.Read);
        Assert.That(Registered(loop, a), Is.True);

        loop.Ignore(a, IoMode.Read, closing: true);
        Assert.That(loop.WatchCount, Is.Zero);
        Assert.That(Registered(loop, a), Is.True, "no EPOLL_CTL_DEL was made");
        TestFds.Write(b);
        loop.Poll(TimeSpan.Zero);
        Assert.That(sink.Calls, Is.Empty, "an ignored descriptor is not reported even while still registered");

        TestFds.Close(a);
        Assert.That(Registered(loop, a), Is.False, "closing the only descriptor of the file removed it");
    }

    [Test]
    public void Ignore_without_closing_removes_the_registration_at_once()
    {
        var loop = NewLoop(new RecordingSink());
        var (a, b) = TestFds.SocketPair();
        _fds.Add(a);
        _fds.Add(b);
        loop.Watch(a, IoMode.Read);
        loop.Ignore(a, IoMode.Read, closing: false);
        Assert.That(Registered(loop, a), Is.False);
    }

    [Test]
    public void A_descriptor_registered_again_after_a_fork_is_removed_even_when_closing()
    {
        // In a child the registration is re-made on the child's instance for a file the parent
        // holds too: closing the child's copy would not remove it.
        var loop = NewLoop(new RecordingSink());
        var (a, b) = TestFds.SocketPair();
        _fds.Add(a);
        _fds.Add(b);
        loop.Watch(a, IoMode.Read);
        loop.AfterFork();
        Assert.That(Registered(loop, a), Is.True);
        loop.Ignore(a, IoMode.Read, closing: true);
        Assert.That(Registered(loop, a), Is.False);
    }

    [Test]
    public void An_exclusive_registration_is_removed_even_when_closing()
    {
        var loop = NewLoop(new RecordingSink());
        var (a, b) = TestFds.SocketPair();
        _fds.Add(a);
        _fds.Add(b);
        loop.Watch(a, IoMode.Read, exclusive: true);
        loop.Ignore(a, IoMode.Read, closing: true);
        Assert.That(Registered(loop, a), Is.False);
    }

    [Test]
    public void A_number_reused_after_a_closing_ignore_is_watched_and_reported_for_the_new_file()
    {
        var sink = new RecordingSink();
        var loop = NewLoop(sink);
        var (a, b) = TestFds.SocketPair();
        _fds.Add(b);
        loop.Watch(a, IoMode.Read);
        loop.Ignore(a, IoMode.Read, closing: true);
        TestFds.Close(a);

        var (c, d) = TestFds.SocketPair();   // the lowest free numbers: a again
        _fds.Add(c);
        _fds.Add(d);
        Assert.That(c, Is.EqualTo(a));
        loop.Watch(c, IoMode.Read);
        TestFds.Write(d);
        loop.Poll(TimeSpan.FromSeconds(5));
        Assert.That(sink.Calls, Is.EqualTo(new[] { (c, IoMode.Read) }));
    }

    [Test]
    public void Only_a_descriptor_this_process_accepted_or_opened_since_its_last_fork_is_private()
    {
        var made = PosixSocket.Socket(System.Net.Sockets.AddressFamily.InterNetwork);
        Assert.That(made.Ok, Is.True);
        using FileDescriptor socket = made.Value;
        Assert.That(socket.IsProcessPrivate, Is.True);
        var (x, y) = TestFds.SocketPair();
        _fds.Add(y);
        using var wrapped = new FileDescriptor(x);
        Assert.That(wrapped.IsProcessPrivate, Is.False, "a number wrapped from elsewhere is not known to be private");
        socket.Dispose();
        Assert.That(socket.IsProcessPrivate, Is.False, "closed");
    }

    [Test]
    public void A_fork_or_spawn_ends_the_privacy_of_every_descriptor_made_before_it()
    {
        using FileDescriptor before = PosixSocket.Socket(System.Net.Sockets.AddressFamily.InterNetwork).Value;
        Assert.That(before.IsProcessPrivate, Is.True);
        ForkSafety.NoteFork();   // what the process host and PosixSpawn call just before they make a process
        Assert.That(before.IsProcessPrivate, Is.False);
        using FileDescriptor after = PosixSocket.Socket(System.Net.Sockets.AddressFamily.InterNetwork).Value;
        Assert.That(after.IsProcessPrivate, Is.True);
    }
}
