using PoeSharp.Components.Workers;
using PoeSharp.Os;

namespace PoeSharp.Components.Tests.Workers;

/// <summary>The binary upgrade (SIGUSR2) of the pool's parent, on the fake kernel with a made-up new master.</summary>
public sealed class PreforkPoolUpgradeTests
{
    [Test]
    public void USR2_starts_the_new_master_on_the_listening_socket_and_QUIT_finishes_the_upgrade()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 2 });
        rig.Raise("USR2");
        Assert.That(rig.Launcher.Launched, Is.EqualTo(new[] { FakePoolServer.Descriptor }));
        Assert.That(rig.Pool.UpgradePid, Is.EqualTo(9001));
        Assert.That(rig.Processes.WatchedChildren, Does.Contain(9001), "the new master is this process's child");
        Assert.That(rig.Pool.UpgradeReady, Is.False);
        Assert.That(rig.Server.IsAccepting || rig.Server.IsListening, Is.True);
        Assert.That(rig.Signals.Sent, Is.Empty, "the old workers keep serving");

        rig.Launcher.Last!.Ready = true;
        rig.Fake.Advance(PreforkPool.UpgradePollInterval);
        rig.Fake.RunUntilIdle();
        Assert.That(rig.Pool.UpgradeReady, Is.True);
        Assert.That(rig.Pool.IsStopping, Is.False, "the old master leaves on QUIT, as unicorn's");
        Assert.That(rig.Server.IsListening, Is.True);

        rig.Raise("QUIT");
        Assert.That(rig.Server.IsListening, Is.False, "the old master stops accepting");
        Assert.That(rig.Signals.To(Signals.TERM), Is.EquivalentTo(new[] { 5001, 5002 }), "its workers drain");
        Assert.That(rig.Processes.WatchedChildren, Does.Not.Contain(9001), "the new master is not waited for");
        Assert.That(rig.Launcher.Last.Disposed, Is.True);
        Assert.That(rig.Signals.Sent.Select(s => s.Pid), Does.Not.Contain(9001), "the new master gets no signal");

        rig.Exit(5001);
        rig.Exit(5002);
        Assert.That(rig.Ended, Is.True, "the old master ends once its workers are reaped");
    }

    [Test]
    public void A_second_USR2_during_an_upgrade_starts_nothing()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 1 });
        rig.Raise("USR2");
        rig.Raise("USR2");
        Assert.That(rig.Launcher.Launched, Has.Count.EqualTo(1), "starting");

        rig.Launcher.Last!.Ready = true;
        rig.Fake.Advance(PreforkPool.UpgradePollInterval);
        rig.Fake.RunUntilIdle();
        rig.Raise("USR2");
        Assert.That(rig.Launcher.Launched, Has.Count.EqualTo(1), "accepting, QUIT not yet received");
    }

    [Test]
    public void A_new_master_that_exits_before_it_accepts_fails_the_upgrade_and_the_old_one_keeps_serving()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 2 });
        rig.Raise("USR2");
        rig.Exit(9001, PoeSharp.Testing.FakeProcessHost.ExitStatus(70));
        Assert.That(rig.Pool.UpgradePid, Is.Null);
        Assert.That(rig.Pool.IsStopping, Is.False);
        Assert.That(rig.Server.IsListening, Is.True);
        Assert.That(rig.Pool.WorkerPids, Is.EquivalentTo(new[] { 5001, 5002 }));
        Assert.That(rig.Signals.Sent, Is.Empty);

        rig.Raise("USR2");
        Assert.That(rig.Pool.UpgradePid, Is.EqualTo(9002), "a failed upgrade can be tried again");
    }

    [Test]
    public void A_new_master_that_does_not_accept_within_the_timeout_is_killed_and_the_old_one_keeps_serving()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 1, UpgradeTimeout = TimeSpan.FromSeconds(2) });
        rig.Raise("USR2");
        rig.Fake.Advance(TimeSpan.FromSeconds(1));
        rig.Fake.RunUntilIdle();
        Assert.That(rig.Signals.Sent, Is.Empty);

        rig.Fake.Advance(TimeSpan.FromSeconds(1.1));
        rig.Fake.RunUntilIdle();
        Assert.That(rig.Signals.Sent, Is.EqualTo(new[] { (9001, Signals.KILL) }));
        Assert.That(rig.Pool.UpgradePid, Is.EqualTo(9001), "no second upgrade until it is reaped");

        rig.Exit(9001, PoeSharp.Testing.FakeProcessHost.SignalStatus(Signals.KILL));
        Assert.That(rig.Pool.UpgradePid, Is.Null);
        Assert.That(rig.Pool.IsStopping, Is.False);
        Assert.That(rig.Pool.WorkerPids, Is.EquivalentTo(new[] { 5001 }));
    }

    [Test]
    public void A_program_that_cannot_be_started_leaves_the_old_master_serving()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 1 });
        rig.Launcher.FailWith = "cannot start 'x': ENOENT";
        rig.Raise("USR2");
        Assert.That(rig.Pool.UpgradePid, Is.Null);
        Assert.That(rig.Pool.IsStopping, Is.False);
        Assert.That(rig.Processes.WatchedChildren, Is.EquivalentTo(new[] { 5001 }));
    }

    [Test]
    public void A_worker_takes_USR2_without_dying_and_starts_nothing()
    {
        using var worker = new PoolRig(new PreforkPoolOptions { Workers = 2 }, beforeStart: p => p.NextForkIsChild(7001));
        Assert.That(worker.Pool.Role, Is.EqualTo(PoolRole.Worker));
        worker.Raise("USR2");
        Assert.That(worker.Launcher.Launched, Is.Empty);
        Assert.That(worker.Pool.IsStopping, Is.False);
    }

    [Test]
    public void The_one_process_upgrades_too()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 0 });
        rig.Raise("USR2");
        Assert.That(rig.Launcher.Launched, Is.EqualTo(new[] { FakePoolServer.Descriptor }));
    }

    [Test]
    public void USR2_while_stopping_starts_nothing()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 1 });
        rig.Raise("QUIT");
        rig.Raise("USR2");
        Assert.That(rig.Launcher.Launched, Is.Empty);
    }

    [Test]
    public void UpgradeCommand_and_UpgradeTimeout_are_checked()
    {
        Assert.Throws<ArgumentException>(() => new PreforkPoolOptions { UpgradeCommand = [] }.Validate());
        Assert.Throws<ArgumentException>(() => new PreforkPoolOptions { UpgradeCommand = ["prog", ""] }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new PreforkPoolOptions { UpgradeTimeout = TimeSpan.Zero }.Validate());
    }
}
