using PoeSharp.Testing;

namespace PoeSharp.KernelTests;

/// <summary>The sessions' side of a fork in the child: <see cref="IForkAware"/> resources, then <c>_after_fork</c>.</summary>
public sealed class AfterForkTests : KernelTestBase
{
    /// <summary>Logs both phases; <see cref="Keep"/> = the owner asked to keep it.</summary>
    private sealed class Resource(string name, List<string> log, bool keep = false) : IForkAware
    {
        public bool Keep { get; } = keep;

        public bool ReleaseInChild()
        {
            log.Add($"release {name}");
            return !Keep;
        }

        public void ReportReleasedInChild() => log.Add($"report {name}");
    }

    [Test]
    public void EverySessionGetsAfterForkWithTheParentsPidBeforeForkReturnsInTheChild()
    {
        K.Fork(); // attach the host: the parent's pid is the fake host's from now on
        int parentPid = K.ProcessId;
        Session? inner = null;
        var outer = Fake.Create(0, b => b
            .On("_start", c => inner = c.Kernel.Create(0, ib => ib
                .On("_start", ic => ic.Kernel.AliasSet("inner"))
                .On(KnownEvents.AfterFork, ic => Log.Add($"inner after fork, parent {ic.Arg<int>(0)}, sender {ic.Sender}"))))
            .On("fork", c =>
            {
                Log.Add("forking");
                var r = c.Kernel.Fork();
                Log.Add($"fork returned child={r.IsChild}");
            })
            .On(KnownEvents.AfterFork, c => Log.Add($"outer after fork, parent {c.Arg<int>(0)}, active {c.Session.Id}")));
        var other = Fake.Create(0, b => b.On("_start", c => c.Kernel.AliasSet("other")).On(KnownEvents.AfterFork, _ => Log.Add("other after fork")));
        Fake.Processes.NextForkIsChild(5151);
        Fake.Deliver(outer, "fork");
        Assert.That(Log, Is.EqualTo(new[]
        {
            "forking",
            // Breadth-first: top-level sessions in creation order, then their children.
            $"outer after fork, parent {parentPid}, active {outer.Id}",
            "other after fork",
            $"inner after fork, parent {parentPid}, sender kernel",
            "fork returned child=True",
        }));
        Assert.That(inner, Is.Not.Null);
        Assert.That(other.IsAlive, Is.True);
        K.Stop();
    }

    [Test]
    public void TheParentAndARefusedForkSendNoAfterFork()
    {
        var s = Fake.Create(0, b => b.On("_start", c => c.Kernel.AliasSet("s")).On(KnownEvents.AfterFork, _ => Log.Add("after fork")));
        Assert.That(K.Fork().IsParent, Is.True);
        Fake.Processes.FailNextFork();
        Assert.That(K.Fork().Failed, Is.True);
        K.HasForked(); // same process: a no-op
        Assert.That(Log, Is.Empty);
        Assert.That(s.IsAlive, Is.True);
        K.Stop();
    }

    [Test]
    public void RunNoticingANewPidSendsAfterForkBeforeAnyQueuedEvent()
    {
        K.Fork(); // attach the host
        Fake.Create(0, b => b
            .On("_start", c => c.Kernel.Yield("queued"))
            .On("queued", _ => Log.Add("queued"))
            .On(KnownEvents.AfterFork, _ => Log.Add("after fork")));
        Fake.Processes.ProcessId = 31337;
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "after fork", "queued" }));
    }

    [Test]
    public void EveryResourceIsReleasedBeforeAnyOwnerHearsOfItAndAfterForkComesLast()
    {
        var a = new Resource("a1", Log);
        var kept = new Resource("kept", Log, keep: true);
        var b = new Resource("b1", Log);
        Session? sa = null;
        var sb = Fake.Create(0, bb => bb
            .On("_start", c =>
            {
                sa = c.Kernel.Create(0, ab => ab
                    .On("_start", ac =>
                    {
                        ac.Kernel.AddForkAware(ac.Session, a);
                        ac.Kernel.AddForkAware(ac.Session, kept);
                    })
                    .On(KnownEvents.AfterFork, _ => Log.Add("a after fork")));
                c.Kernel.AddForkAware(c.Session, b);
            })
            .On(KnownEvents.AfterFork, _ => Log.Add("b after fork")));
        Fake.Processes.NextForkIsChild(777);
        Assert.That(K.Fork().IsChild, Is.True);
        Assert.That(Log, Is.EqualTo(new[]
        {
            "release b1", "release a1", "release kept",
            "report b1", "report a1",
            "b after fork", "a after fork",
        }));

        // Released resources are unregistered; a kept one is asked again at the next fork.
        Log.Clear();
        Fake.Processes.NextForkIsChild(778);
        Assert.That(K.Fork().IsChild, Is.True);
        Assert.That(Log, Is.EqualTo(new[] { "release kept", "b after fork", "a after fork" }));
        K.Stop();
    }

    [Test]
    public void ARemovedOrStoppedOwnersResourceIsNotReleased()
    {
        var removed = new Resource("removed", Log);
        var stopped = new Resource("stopped", Log);
        Fake.Create(0, b => b.On("_start", c =>
        {
            c.Kernel.AddForkAware(c.Session, removed);
            c.Kernel.RemoveForkAware(c.Session, removed);
        }));
        var gone = Fake.Create(0, b => b.On("_start", c =>
        {
            c.Kernel.AddForkAware(c.Session, stopped);
            c.Kernel.Yield("x");
        }).On("x", _ => { }));
        Fake.RunUntilIdle();
        Assert.That(gone.IsAlive, Is.False);
        Fake.Processes.NextForkIsChild(9);
        Assert.That(K.Fork().IsChild, Is.True);
        Assert.That(Log, Is.Empty);
    }

    [Test]
    public void AnAfterForkHandlerThatThrowsIsThatSessionsDie()
    {
        var bad = Fake.Create(0, b => b
            .On("_start", c => c.Kernel.Sig("DIE", "die"))
            .On(KnownEvents.AfterFork, _ => throw new InvalidOperationException("boom"))
            .On("die", c =>
            {
                Log.Add("die: " + ((DieInfo)c[1]!).Event);
                c.Kernel.SigHandled();
            }));
        var good = Fake.Create(0, b => b.On("_start", c => c.Kernel.AliasSet("good")).On(KnownEvents.AfterFork, _ => Log.Add("good after fork")));
        Fake.Processes.NextForkIsChild(55);
        Assert.That(K.Fork().IsChild, Is.True);
        Assert.That(Log, Is.EqualTo(new[] { "die: _after_fork", "good after fork" }));
        Assert.That(bad.IsAlive && good.IsAlive, Is.True);
        K.Stop();
    }

    /// <summary>Used by one test only: its methods must not have been compiled before it.</summary>
    private sealed class FreshResource : IForkAware
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        public bool ReleaseInChild() => DateTime.UtcNow.Ticks > 0;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        public void ReportReleasedInChild() => GC.KeepAlive(this);
    }

    [Test]
    public void ForkCompilesTheForkAwareMethodsOfTypesAnotherKernelSawFirst()
    {
        // A warm-up kernel (as the examples run before forking) registers the type first.
        using (var warmUp = new FakeKernel())
        {
            var r = new FreshResource();
            warmUp.Create(0, b => b.On("_start", c => c.Kernel.AddForkAware(c.Session, r)));
            warmUp.RunUntilIdle();
        }
        var resource = new FreshResource();
        var owner = Fake.Create(0, b => b.On("_start", c =>
        {
            c.Kernel.AddForkAware(c.Session, resource);
            c.Kernel.AliasSet("owner");
        }));
        Assert.That(K.Fork().IsParent, Is.True);
        long before = System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: true);
        IForkAware asInterface = resource;
        asInterface.ReleaseInChild();
        asInterface.ReportReleasedInChild();
        Assert.That(System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: true) - before, Is.Zero,
            "the parent compiled them before forking");
        K.Stop();
        Assert.That(owner.IsAlive, Is.False);
    }
}
