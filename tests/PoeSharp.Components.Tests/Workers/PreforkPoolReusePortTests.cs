using PoeSharp.Components.Workers;
using PoeSharp.Os;

namespace PoeSharp.Components.Tests.Workers;

/// <summary>The pool with <see cref="PreforkPoolOptions.ReusePort"/>: one socket per slot, opened and kept by the parent.</summary>
public sealed class PreforkPoolReusePortTests
{
    [Test]
    public void The_parent_opens_a_socket_per_slot_beyond_the_first_and_never_accepts()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 3, ReusePort = true });
        Assert.That(rig.Pool.WorkerPids, Has.Count.EqualTo(3));
        Assert.That(rig.Server.Opened.Select(s => s.Fd), Is.EqualTo(new[] { 101, 102 }), "slot 0 accepts on the server's own socket");
        Assert.That(rig.Server.Calls, Is.EqualTo(new[] { "pause" }), "the parent accepts on none");
        Assert.That(rig.Server.Opened, Has.None.Matches<FileDescriptor>(s => s.IsClosed));
    }

    [Test]
    public void A_respawned_worker_accepts_on_its_slots_socket_and_closes_the_others()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 3, ReusePort = true });
        rig.Processes.NextForkIsChild(7001);
        rig.Exit(5002);   // slot 1

        Assert.That(rig.Pool.Role, Is.EqualTo(PoolRole.Worker));
        Assert.That(rig.Pool.WorkerSlot, Is.EqualTo(1));
        Assert.That(rig.Server.Opened, Has.Count.EqualTo(2), "the slot keeps its socket: none opened for the respawn");
        Assert.That(rig.Server.Calls, Is.EqualTo(new[] { "pause", "drop-inherited", "accept-on 101", "resume" }));
        Assert.That(rig.Server.Opened[1].IsClosed, Is.True, "slot 2's socket is closed in slot 1's worker");
    }

    [Test]
    public void A_worker_in_slot_0_keeps_the_servers_socket_and_closes_the_slot_sockets()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 2, ReusePort = true });
        rig.Processes.NextForkIsChild(7001);
        rig.Exit(5001);   // slot 0
        Assert.That(rig.Pool.WorkerSlot, Is.EqualTo(0));
        Assert.That(rig.Server.Calls, Is.EqualTo(new[] { "pause", "drop-inherited", "resume" }));
        Assert.That(rig.Server.Opened[0].IsClosed, Is.True);
    }

    [Test]
    public void TTOU_closes_the_socket_of_the_slot_that_goes_and_TTIN_opens_a_new_one()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 3, ReusePort = true });
        rig.Raise("TTOU");
        Assert.That(rig.Server.Opened[1].IsClosed, Is.True, "slot 2 leaves the group at once, not after its worker drained");
        Assert.That(rig.Server.Opened[0].IsClosed, Is.False);
        rig.Exit(5003);
        rig.Raise("TTIN");
        Assert.That(rig.Pool.WorkerPids, Has.Count.EqualTo(3));
        Assert.That(rig.Server.Opened.Select(s => s.Fd), Is.EqualTo(new[] { 101, 102, 103 }));
    }

    [Test]
    public void WINCH_keeps_only_the_servers_socket_and_HUP_opens_the_others_again()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 2, ReusePort = true });
        rig.Raise("WINCH");
        Assert.That(rig.Server.Opened[0].IsClosed, Is.True, "connections wait on slot 0's socket, as on a shared one");
        rig.Exit(5001);
        rig.Exit(5002);
        rig.Raise("HUP");
        Assert.That(rig.Pool.WorkerPids, Has.Count.EqualTo(2));
        Assert.That(rig.Server.Opened, Has.Count.EqualTo(2));
        Assert.That(rig.Server.Opened[1].IsClosed, Is.False);
    }

    [Test]
    public void A_socket_that_cannot_be_opened_is_retried_like_a_failed_fork()
    {
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 2, ReusePort = true, ForkRetryDelay = TimeSpan.FromSeconds(1) });
        Assert.That(rig.Pool.WorkerPids, Has.Count.EqualTo(2));
        rig.Server.OpenFailsWith = "EADDRINUSE";
        rig.Raise("TTIN");
        Assert.That(rig.Pool.WorkerPids, Has.Count.EqualTo(2), "no worker without its socket");
        rig.Server.OpenFailsWith = null;
        rig.Fake.Advance(TimeSpan.FromSeconds(1));
        Assert.That(rig.Pool.WorkerPids, Has.Count.EqualTo(3));
    }

    [Test]
    public void Passed_sockets_serve_the_first_slots_and_an_upgrade_passes_every_slots_socket()
    {
        var passed = new[] { new FileDescriptor(201, ownsHandle: false) };
        using var rig = new PoolRig(new PreforkPoolOptions { Workers = 3, ReusePort = true, ReusePortSockets = passed });
        Assert.That(rig.Server.Opened.Select(s => s.Fd), Is.EqualTo(new[] { 101 }), "slot 1 takes the passed socket, slot 2 a new one");
        rig.Raise("USR2");
        Assert.That(rig.Launcher.LaunchedAll.Single(), Is.EqualTo(new[] { FakePoolServer.Descriptor, 201, 101 }));

        rig.Raise("QUIT");
        Assert.That(passed[0].IsClosed, Is.True, "the old master closes its copies");
        Assert.That(rig.Server.Opened[0].IsClosed, Is.True);
    }

    [Test]
    public void ReusePortSockets_without_ReusePort_is_refused()
    {
        var options = new PreforkPoolOptions { Workers = 2, ReusePortSockets = [new FileDescriptor(201, ownsHandle: false)] };
        Assert.That(options.Validate, Throws.ArgumentException.With.Message.Contains("ReusePortSockets needs ReusePort"));
    }
}
