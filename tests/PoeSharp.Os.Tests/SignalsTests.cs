namespace PoeSharp.Os.Tests;

public sealed class SignalsTests
{
    [TestCase("INT", 2)]
    [TestCase("SIGTERM", 15)]
    [TestCase("CLD", 17)]
    [TestCase("CHLD", 17)]
    [TestCase("USR1", 10)]
    [TestCase("WINCH", 28)]
    [TestCase("MOO", 0)]
    public void NamesMapToLinuxNumbers(string name, int number) => Assert.That(Signals.Number(name), Is.EqualTo(number));

    [Test]
    public void NumbersMapBackToPoeNames()
    {
        Assert.That(Signals.Name(1), Is.EqualTo("HUP"));
        Assert.That(Signals.Name(17), Is.EqualTo("CHLD"));
        Assert.That(Signals.Name(40), Is.EqualTo("NUM40"));
    }

    [Test]
    public void SignalSetUsesGlibcBitLayout()
    {
        var set = SignalSet.Of([Signals.HUP, Signals.TERM, 64]);
        Assert.That(set[0], Is.EqualTo((1UL << 0) | (1UL << 14) | (1UL << 63)));
        Assert.That(set.Contains(Signals.TERM), Is.True);
        set.Remove(Signals.TERM);
        Assert.That(set.Contains(Signals.TERM), Is.False);
    }

    [Test]
    public void SendDeliversASignalToOneProcess()
    {
        int pid = HostHarness.Spawn("/bin/sleep", "30");
        try
        {
            Assert.That(Signals.Send(pid, Signals.TERM).IsError, Is.False);
            int reaped = 0, status = 0;
            // The bound only stops a hang: a busy machine may take seconds.
            for (var sw = System.Diagnostics.Stopwatch.StartNew(); reaped == 0 && sw.Elapsed < TimeSpan.FromSeconds(30);)
            {
                reaped = ProcessInterop.WaitPidNoHang(pid, out status);
                if (reaped == 0) Thread.Sleep(10);
            }
            Assert.That(reaped, Is.EqualTo(pid));
            Assert.That(status & 0x7f, Is.EqualTo(Signals.TERM), "killed by TERM");
            Assert.That(Signals.Send(pid, Signals.TERM).Errno, Is.EqualTo(Errno.ESRCH), "a reaped process is gone");
        }
        finally
        {
            if (ProcessInterop.WaitPidNoHang(pid, out _) == 0)
            {
                Signals.Send(pid, Signals.KILL);
                while (ProcessInterop.WaitPidNoHang(pid, out _) == 0) Thread.Sleep(10);
            }
        }
    }

    [Test]
    public void SendRefusesProcessGroupsAndBroadcasts()
    {
        Assert.That(() => Signals.Send(0, Signals.TERM), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => Signals.Send(-1, Signals.TERM), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
