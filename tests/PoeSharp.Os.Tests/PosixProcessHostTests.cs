namespace PoeSharp.Os.Tests;

/// <summary>Child exits through pidfds, with children started by posix_spawn (the test host never forks).</summary>
public sealed class PosixProcessHostTests
{
    private static int Spawn(params string[] argv) => HostHarness.Spawn(argv);

    [Test]
    public void AnExitCodeIsReportedAsARawWaitStatus()
    {
        using var h = new HostHarness();
        int pid = Spawn("/bin/sh", "-c", "exit 3");
        Assert.That(h.Host.WatchChild(pid), Is.True);
        Assert.That(h.PollUntil(() => h.Exits.Count == 1), Is.True);
        Assert.That(h.Exits, Is.EqualTo(new[] { (pid, 3 << 8) }));
        Assert.That(h.Host.ChildCount, Is.Zero);
        Assert.That(h.InternalWatches, Is.Zero, "the pidfd is unwatched and closed once reaped");
        Assert.That(Directory.Exists($"/proc/{pid}"), Is.False, "reaped, not a zombie");
    }

    [Test]
    public void DeathBySignalIsReportedWithTheSignalNumber()
    {
        using var h = new HostHarness();
        int pid = Spawn("/bin/sh", "-c", "kill -TERM $$; sleep 5");
        h.Host.WatchChild(pid);
        Assert.That(h.PollUntil(() => h.Exits.Count == 1), Is.True);
        Assert.That(h.Exits[0].Status & 0x7f, Is.EqualTo(Signals.TERM), "signals are reset to default in a spawned child");
    }

    [Test]
    public void SeveralChildrenAreEachReportedOnce()
    {
        using var h = new HostHarness();
        var pids = Enumerable.Range(0, 5).Select(i => Spawn("/bin/sh", "-c", $"exit {i}")).ToArray();
        foreach (int pid in pids) Assert.That(h.Host.WatchChild(pid), Is.True);
        Assert.That(h.Host.WatchChild(pids[0]), Is.True, "watching twice is harmless");
        Assert.That(h.PollUntil(() => h.Exits.Count == 5), Is.True);
        h.Loop.Poll(TimeSpan.FromMilliseconds(20));
        Assert.That(h.Exits.Select(e => e.Pid), Is.EquivalentTo(pids));
        Assert.That(h.Exits.Select(e => e.Status >> 8), Is.EquivalentTo(Enumerable.Range(0, 5)));
    }

    [TestCase(true, TestName = "AnIgnoredChildIsReapedSilently (pidfd)")]
    [TestCase(false, TestName = "AnIgnoredChildIsReapedSilently (polled)")]
    public void AnIgnoredChildIsReapedSilently(bool usePidFd)
    {
        using var h = new HostHarness();
        h.Host.UsePidFd = usePidFd;
        int ignored = Spawn("/bin/true");
        int watched = Spawn("/bin/sh", "-c", "sleep 0.2");
        h.Host.WatchChild(ignored);
        h.Host.WatchChild(watched);
        h.Host.IgnoreChild(ignored);
        Assert.That(h.PollUntil(() => h.Exits.Count == 1 && h.Host.ChildCount == 0), Is.True);
        Assert.That(h.Exits, Is.EqualTo(new[] { (watched, 0) }));
        Assert.That(Directory.Exists($"/proc/{ignored}"), Is.False, "no zombie left behind");
    }

    [Test]
    public void AProcessThatIsNotOurChildCannotBeWatched()
    {
        using var h = new HostHarness();
        Assert.That(h.Host.WatchChild(1), Is.False);
        Assert.That(h.Host.WatchChild(-5), Is.False);
        Assert.That(h.InternalWatches, Is.Zero);
    }

    [Test]
    public void ProcessIdIsTheOsPid()
    {
        using var h = new HostHarness();
        Assert.That(h.Host.ProcessId, Is.EqualTo(Environment.ProcessId));
    }

    [Test]
    public void ForkInsideTheTestHostIsRefusedWithAnExplanation()
    {
        using var h = new HostHarness();
        var ex = Assert.Throws<InvalidOperationException>(() => h.Host.Fork());
        Assert.That(ex!.Message, Does.Contain("test host"));
    }

    [Test]
    public void SpawnReportsAMissingProgramAsAnError()
    {
        var r = PosixSpawn.Spawn("/nonexistent/program", ["x"]);
        Assert.That(r.Ok, Is.False);
        Assert.That(r.Error.Errno, Is.EqualTo(2), r.Error.ToString());
    }
}
