using PoeSharp.Testing;

namespace PoeSharp.KernelTests;

/// <summary>
/// <see cref="KernelOptions.CompactWhenIdle"/>: a kernel that would wait long first waits the quiet
/// period, and compacts the heap when nothing happened and enough was allocated since the last time.
/// </summary>
[NonParallelizable]   // counts the process's allocations
public sealed class IdleCompactionTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);
    private const long Minimum = 1 << 20;

    private static FakeKernel NewKernel(TimeSpan? quiet = null) =>
        new(new KernelOptions { CompactWhenIdle = quiet, IdleCompactionMinimumAllocation = Minimum });

    // A session that waits for a timer an hour away and, when told, for its descriptor.
    private static Session Waiter(FakeKernel fake, int fd) =>
        fake.Kernel.Create(0, s => s
            .On("_start", c =>
            {
                c.Kernel.Delay("later", TimeSpan.FromHours(1));
                c.Kernel.SelectRead(fd, "ready");
            })
            .On("ready", _ => { })
            .On("later", c => c.Kernel.SelectRead(fd, null)))!;

    private static void Allocate(long bytes)
    {
        for (long done = 0; done < bytes; done += 64 * 1024) GC.KeepAlive(new byte[64 * 1024]);
    }

    [Test]
    public void A_quiet_kernel_compacts_once_per_allocation_threshold()
    {
        using var fake = NewKernel(Quiet);
        Waiter(fake, 5);
        fake.RunUntilIdle();   // what is due at once (the session's start-up items)
        Allocate(2 * Minimum);

        fake.Kernel.RunOneTimeslice();
        Assert.That(fake.Loop.LastTimeout, Is.EqualTo(Quiet), "it waits the quiet period, not the hour");
        Assert.That(fake.Kernel.IdleCompactions, Is.EqualTo(1));

        fake.Kernel.RunOneTimeslice();
        Assert.That(fake.Loop.LastTimeout, Is.EqualTo(TimeSpan.FromHours(1)), "nothing allocated since: the whole wait");
        Assert.That(fake.Kernel.IdleCompactions, Is.EqualTo(1));

        Allocate(2 * Minimum);
        fake.Kernel.RunOneTimeslice();
        Assert.That(fake.Kernel.IdleCompactions, Is.EqualTo(2));
        fake.Time.Advance(TimeSpan.FromHours(1));
        fake.RunUntilIdle();
    }

    [Test]
    public void Readiness_within_the_quiet_period_means_no_compaction()
    {
        using var fake = NewKernel(Quiet);
        Waiter(fake, 5);
        fake.RunUntilIdle();   // what is due at once (the session's start-up items)
        Allocate(2 * Minimum);
        fake.Loop.FireOnce(5, Loop.IoMode.Read);

        fake.Kernel.RunOneTimeslice();
        Assert.That(fake.Loop.LastTimeout, Is.EqualTo(Quiet));
        Assert.That(fake.Kernel.IdleCompactions, Is.EqualTo(0), "a descriptor was ready: not idle");
        fake.Time.Advance(TimeSpan.FromHours(1));
        fake.RunUntilIdle();
    }

    [Test]
    public void A_wait_no_longer_than_the_quiet_period_is_left_alone()
    {
        using var fake = NewKernel(TimeSpan.FromHours(2));
        Waiter(fake, 5);
        fake.RunUntilIdle();   // what is due at once (the session's start-up items)
        Allocate(2 * Minimum);

        fake.Kernel.RunOneTimeslice();
        Assert.That(fake.Loop.LastTimeout, Is.EqualTo(TimeSpan.FromHours(1)), "the timer comes first");
        Assert.That(fake.Kernel.IdleCompactions, Is.EqualTo(0));
        fake.Time.Advance(TimeSpan.FromHours(1));
        fake.RunUntilIdle();
    }

    [Test]
    public void Off_by_default()
    {
        Assert.That(new KernelOptions().CompactWhenIdle, Is.Null);
        using var fake = NewKernel();
        Waiter(fake, 5);
        fake.RunUntilIdle();   // what is due at once (the session's start-up items)
        Allocate(2 * Minimum);

        fake.Kernel.RunOneTimeslice();
        Assert.That(fake.Loop.LastTimeout, Is.EqualTo(TimeSpan.FromHours(1)));
        Assert.That(fake.Kernel.IdleCompactions, Is.EqualTo(0));
        fake.Time.Advance(TimeSpan.FromHours(1));
        fake.RunUntilIdle();
    }

    [Test]
    public void The_quiet_period_must_be_positive_and_finite()
    {
        Assert.That(() => new KernelOptions { CompactWhenIdle = TimeSpan.Zero }, Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new KernelOptions { CompactWhenIdle = Timeout.InfiniteTimeSpan }, Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new KernelOptions { IdleCompactionMinimumAllocation = -1 }, Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
