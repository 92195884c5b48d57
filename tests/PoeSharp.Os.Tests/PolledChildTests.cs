using System.Runtime.InteropServices;

namespace PoeSharp.Os.Tests;

/// <summary>
/// The pidfd fallback (no pidfd_open: ENOSYS, or POESHARP_NO_PIDFD=1): children are polled with
/// waitpid(pid, WNOHANG) on SIGCHLD and on a timer. Children come from posix_spawn (the test host never forks).
/// </summary>
public sealed unsafe class PolledChildTests
{
    private static HostHarness Polling()
    {
        var h = new HostHarness();
        h.Host.UsePidFd = false;
        return h;
    }

    /// <summary>Waits (without reaping) until <paramref name="pid"/> has exited.</summary>
    private static void WaitExitedNotReaped(int pid)
    {
        ProcessInterop.SigInfo info = default;
        int r;
        do r = ProcessInterop.WaitId(ProcessInterop.P_PID, pid, &info, ProcessInterop.WEXITED | ProcessInterop.WNOWAIT);
        while (r != 0 && Marshal.GetLastPInvokeError() == Errno.EINTR);
        Assert.That(r, Is.Zero);
    }

    [Test]
    public void ExitStatusesAreReportedWithoutAnyPidfd()
    {
        using var h = Polling();
        var pids = Enumerable.Range(0, 4).Select(i => HostHarness.Spawn("/bin/sh", "-c", $"sleep 0.{i}; exit {i}")).ToArray();
        int killed = HostHarness.Spawn("/bin/sh", "-c", "kill -TERM $$; sleep 5");
        foreach (int pid in pids) Assert.That(h.Host.WatchChild(pid), Is.True);
        Assert.That(h.Host.WatchChild(killed), Is.True);
        Assert.That(h.Host.WatchChild(pids[0]), Is.True, "watching twice is harmless");
        Assert.That(h.InternalWatches, Is.LessThanOrEqualTo(2), "one signalfd and one timer, not a descriptor per child");
        Assert.That(h.PollUntil(() => h.Exits.Count == 5), Is.True);
        Assert.That(h.Exits.Where(e => e.Pid != killed).Select(e => (e.Pid, e.Status >> 8)),
                    Is.EquivalentTo(pids.Select((p, i) => (p, i))));
        Assert.That(h.Exits.Single(e => e.Pid == killed).Status & 0x7f, Is.EqualTo(Signals.TERM));
        Assert.That(h.Host.ChildCount, Is.Zero);
        h.Loop.Poll(TimeSpan.FromMilliseconds(20));
        Assert.That(h.Exits, Has.Count.EqualTo(5), "each exit is reported once");
        Assert.That(h.InternalWatches, Is.LessThanOrEqualTo(1), "the poll timer stops with the last child");
    }

    [Test]
    public void AChildThatExitedBeforeTheWatchIsReportedAtTheFirstPoll()
    {
        using var h = Polling();
        int pid = HostHarness.Spawn("/bin/sh", "-c", "exit 7");
        WaitExitedNotReaped(pid);
        Assert.That(h.Host.WatchChild(pid), Is.True);
        Assert.That(h.Exits, Is.Empty, "reported from the loop, after the caller registered its watcher");
        h.Loop.Poll(TimeSpan.FromSeconds(5));
        h.Loop.Poll(TimeSpan.Zero);
        Assert.That(h.Exits, Is.EqualTo(new[] { (pid, 7 << 8) }));
    }

    [Test]
    public void OnlyWatchedChildrenAreReaped()
    {
        using var h = Polling();
        int other = HostHarness.Spawn("/bin/true");
        int watched = HostHarness.Spawn("/bin/sh", "-c", "exit 1");
        WaitExitedNotReaped(other);
        h.Host.WatchChild(watched);
        Assert.That(h.PollUntil(() => h.Exits.Count == 1), Is.True);
        Assert.That(h.Exits, Is.EqualTo(new[] { (watched, 1 << 8) }));
        // Still a zombie: nobody called waitpid(-1). Reap it here.
        Assert.That(ProcessInterop.WaitPidNoHang(other, out int status), Is.EqualTo(other));
        Assert.That(status, Is.Zero);
    }
}
