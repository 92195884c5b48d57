using PoeSharp.Loop;
using PoeSharp.Testing;

namespace PoeSharp.KernelTests;

/// <summary>§1.7, sig_child and CHLD through the fake process host.</summary>
public sealed class ProcessTests : KernelTestBase
{
    [Test]
    public void ForkInTheParentReturnsTheChildsPid()
    {
        var r = K.Fork();
        Assert.That(r.IsParent, Is.True);
        Assert.That(r.Pid, Is.EqualTo(5001));
        Assert.That(Fake.Processes.IsAttached, Is.True);
        Assert.That(K.HasForkedSinceStart, Is.False);
    }

    [Test]
    public void FailedForkIsAValueNotAnException()
    {
        Fake.Processes.FailNextFork();
        var r = K.Fork();
        Assert.That(r.Failed, Is.True);
        Assert.That(r.Errno, Is.EqualTo(11));
        Assert.That(r.Error, Does.Contain("EAGAIN"));
    }

    [Test]
    public void ChildSideOfForkCallsHasForkedAndKeepsSessionsAndTimers()
    {
        string oldId = K.Id;
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                c.Kernel.Delay("inherited", TimeSpan.FromSeconds(1));
                c.Kernel.AliasSet("svc");
            })
            .On("inherited", c => { Log.Add($"timer fired in {c.Kernel.ProcessId}"); c.Kernel.AliasRemove("svc"); }));
        Fake.Processes.NextForkIsChild(7777);
        var r = K.Fork();
        Assert.That(r.IsChild, Is.True);
        Assert.That(K.Id, Is.Not.EqualTo(oldId));
        Assert.That(K.ProcessId, Is.EqualTo(7777));
        Assert.That(K.HasForkedSinceStart, Is.True);
        Assert.That(Fake.Processes.AfterForkCount, Is.EqualTo(1));
        Assert.That(Fake.Loop.AfterForkCount, Is.EqualTo(1));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "timer fired in 7777" }));
    }

    [Test]
    public void HasForkedInTheSameProcessIsANoOp()
    {
        string id = K.Id;
        K.HasForked();
        Assert.That(K.Id, Is.EqualTo(id));
        Assert.That(Fake.Processes.AfterForkCount, Is.Zero);
    }

    [Test]
    public void RunCallsHasForkedWhenThePidChanged()
    {
        K.Fork(); // attach the host
        Fake.Create(0, b => b.On("_start", c => c.Kernel.Yield("e")).On("e", _ => { }));
        Fake.Processes.ProcessId = 9999;
        Fake.Run();
        Assert.That(K.ProcessId, Is.EqualTo(9999));
        Assert.That(K.HasForkedSinceStart, Is.True);
    }

    [Test]
    public void SigChildDeliversCHLDPidStatusAndArgsAndKeepsTheSessionAlive()
    {
        object?[]? args = null;
        int pid = 0;
        var s = Fake.Create(0, b => b
            .On("_start", c =>
            {
                pid = c.Kernel.Fork().Pid;
                c.Kernel.SigChild(pid, "reaped", "job-1");
            })
            .On("reaped", c => args = c.ArgArray));
        Fake.Advance(TimeSpan.FromHours(1));
        Assert.That(s.IsAlive, Is.True);
        Assert.That(K.Explain(s), Is.EqualTo($"session 1: sig_child {pid}"));
        Fake.Processes.ExitChild(pid, FakeProcessHost.ExitStatus(3));
        Fake.Run();
        Assert.That(args, Is.EqualTo(new object?[] { "CHLD", pid, 3 << 8, "job-1" }));
        Assert.That(s.IsAlive, Is.False);
    }

    [Test]
    public void SeveralSessionsWatchingOnePidAreAllNotifiedAndChldIsBroadcast()
    {
        // k_sig_child: forker and catcher both watch each pid; sig(CHLD) counts reaps.
        int forkerEvents = 0, catcherEvents = 0, chldSignals = 0;
        var pids = new List<int>();
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                c.Kernel.AliasSet("catcher");
                c.Kernel.Sig("CHLD", "chld");
            })
            .On("watch", c => c.Kernel.SigChild(c.Arg<int>(0), "child_exit"))
            .On("child_exit", _ => catcherEvents++)
            .On("chld", c => { chldSignals++; if (chldSignals == 8) { c.Kernel.Sig("CHLD"); c.Kernel.AliasRemove("catcher"); } }));
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                for (int i = 0; i < 8; i++)
                {
                    int pid = c.Kernel.Fork().Pid;
                    pids.Add(pid);
                    c.Kernel.SigChild(pid, "child_exit");
                    c.Kernel.Post("catcher", "watch", pid);
                }
            })
            .On("child_exit", _ => forkerEvents++));
        Fake.RunUntilIdle();
        foreach (int pid in pids) Fake.Processes.ExitChild(pid, 0);
        Fake.Run();
        Assert.That((forkerEvents, catcherEvents, chldSignals), Is.EqualTo((8, 8, 8)));
    }

    [Test]
    public void CancellingSigChildIsHarmlessAndReleasesTheSession()
    {
        var s = Fake.Create(0, b => b
            .On("_start", c =>
            {
                c.Kernel.SigChild(12345);
                int pid = c.Kernel.Fork().Pid;
                c.Kernel.SigChild(pid, "x");
                c.Kernel.SigChild(pid);
            }));
        Fake.Run();
        Assert.That(s.IsAlive, Is.False);
        Assert.That(Fake.Processes.WatchedChildren, Is.Empty);
    }

    [Test]
    public void SigChildOfAProcessThatIsNotOurChildIsNoSuchSession()
    {
        KernelError e = KernelError.None;
        Fake.Create(0, b => b.On("_start", c => e = c.Kernel.SigChild(31337, "x")));
        Fake.Run();
        Assert.That(e, Is.EqualTo(KernelError.NoSuchSession));
    }

    [Test]
    public void ChildProcessDropsInheritedSigChildWatches()
    {
        // §8.4 fixed: POE keeps them (the session lives until IDLE); the child cannot reap them.
        var s = Fake.Create(0, b => b
            .On("_start", c =>
            {
                int pid = c.Kernel.Fork().Pid;
                c.Kernel.SigChild(pid, "x");
            }));
        Fake.RunUntilIdle();
        Assert.That(s.IsAlive, Is.True);
        Fake.Processes.NextForkIsChild(8888);
        K.Fork();
        Fake.Run();
        Assert.That(s.IsAlive, Is.False);
    }

    [Test]
    public void InternalWatchersKeepNothingAlive()
    {
        var sink = (PoeSharp.Processes.IProcessSink)K;
        var handler = new CountingHandler();
        sink.WatchInternal(30, IoMode.Read, handler);
        Fake.Create(0, b => b.On("_start", c => c.Kernel.Yield("e")).On("e", _ => { }));
        Fake.Loop.FireOnce(30, IoMode.Read);
        Fake.Run();
        Assert.That(handler.Count, Is.EqualTo(1));
        Assert.That(K.FindLeaks(), Is.Empty);
        sink.UnwatchInternal(30, IoMode.Read);
        Assert.That(Fake.Loop.WatchCount, Is.Zero);
    }

    private sealed class CountingHandler : IReadyHandler
    {
        public int Count;

        public void OnReady(int fd, IoMode mode) => Count++;
    }
}
