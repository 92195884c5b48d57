using PoeSharp.Testing;

namespace PoeSharp.KernelTests;

/// <summary>As POE's finalize after <c>run()</c>: whatever the kernel still holds when <c>Run()</c> returns is reported as a warning.</summary>
public sealed class LeakReportTests
{
    [Test]
    public void RunWarnsAboutAnEventLeftQueuedWhenItReturns()
    {
        var warnings = new StringWriter();
        using var fake = new FakeKernel(new KernelOptions { WarningWriter = warnings });
        // A signal for the kernel's own session, queued with no session left to run it.
        Assert.That(fake.Kernel.Signal(fake.Kernel.KernelSession, "nobody"), Is.EqualTo(KernelError.None));
        Assert.That(fake.Kernel.FindLeaks(), Has.Some.Contains("'nobody'"));

        fake.Run();

        Assert.That(warnings.ToString(), Does.Contain("leaked after run(): 1 queued item(s)").And.Contain("'nobody'"));
    }

    [Test]
    public void RunWarnsNothingWhenEveryResourceWasReleased()
    {
        var warnings = new StringWriter();
        using var fake = new FakeKernel(new KernelOptions { WarningWriter = warnings });
        var (read, write) = PoeSharp.Os.PosixSocket.Pipe().Value;
        using (read)
        using (write)
        {
            fake.Create(0, b => b
                .On("_start", c =>
                {
                    c.Kernel.AliasSet("a");
                    c.Kernel.Delay("tick", TimeSpan.FromSeconds(1));
                    c.Kernel.Sig("USR1", "usr1");
                    c.Kernel.SelectRead(read.Fd, "readable");
                    c.Kernel.RefcountIncrement(c.Session, "held");
                })
                .On("tick", c =>
                {
                    c.Kernel.SelectRead(read.Fd, null);
                    c.Kernel.RefcountDecrement(c.Session, "held");
                })
                .On("readable", _ => { })
                .On("usr1", _ => { }));
            fake.Run();
        }

        Assert.That(fake.Kernel.FindLeaks(), Is.Empty);
        Assert.That(warnings.ToString(), Does.Not.Contain("leaked"));
    }

    [Test]
    public void EveryCauseOfLifeCountsTowardsCollectionAndIsNamed()
    {
        using var fake = new FakeKernel();
        var (read, write) = PoeSharp.Os.PosixSocket.Pipe().Value;
        using (read)
        using (write)
        {
            Session? s = fake.Create(0, b => b
                .On("_start", c =>
                {
                    c.Kernel.AliasSet("named");
                    c.Kernel.Delay("later", TimeSpan.FromSeconds(1));
                    c.Kernel.SelectRead(read.Fd, "readable");
                    c.Kernel.RefcountIncrement(c.Session, "held");
                })
                .On("later", _ => { })
                .On("readable", _ => { }));
            var report = fake.Kernel.GetLiveness(s!)!;
            Assert.That(report.IsCollectable, Is.False);
            Assert.That(report.ToString(), Does.StartWith($"session {s!.Id}: ")
                .And.Contain("1 timer, alias 'named', ").And.Contain($"fd {read.Fd} read, ").And.EndWith("extra ref 'held' x1"));
            fake.Kernel.Stop();
            Assert.That(fake.Kernel.FindLeaks(), Is.Empty);
        }
    }
}
