using System.Globalization;
using PoeSharp.Integration.Tests.Support;

namespace PoeSharp.Integration.Tests;

/// <summary>HelloHttp with <c>--reuseport</c>: one SO_REUSEPORT socket per worker slot, end to end with real processes.</summary>
public sealed partial class HelloHttpTests
{
    [Test]
    public void With_reuseport_every_worker_serves_on_its_own_socket_and_a_respawn_takes_over_its_slots_socket()
    {
        ServerProcess server = Start("--workers", "3", "--reuseport");
        WaitForWorkers(server, 3);
        string[] sockets = ListeningSockets.Inodes(server.Port);
        Assert.That(sockets, Has.Length.EqualTo(3), "three listening sockets on the port");
        Dictionary<int, string> socketOf = ListeningSockets.OfWorkers(server, sockets);
        Assert.That(socketOf.Values.Distinct().Count(), Is.EqualTo(3), "each worker holds its own socket, and only it");
        Assert.That(sockets.All(s => ListeningSockets.IsHeldBy(server.Pid, s)), Is.True, "the parent keeps every slot's socket");

        Assert.That(AnswerFromEach(server, socketOf.Keys), Is.True, "every worker answers:\n" + server.Tail());

        Dictionary<int, string> after = ListeningSockets.KillOneAndAssertItsSlotSocketTakenOver(server, server.Port, sockets, socketOf, Patience);
        Assert.That(AnswerFromEach(server, after.Keys), Is.True, "the respawned worker serves too:\n" + server.Tail());

        StopAndAssertClean(server);
        Assert.That(ListeningSockets.Inodes(server.Port), Is.Empty, "no socket left listening");
    }

    [Test]
    public void With_reuseport_USR2_passes_every_slots_socket_and_QUIT_to_the_old_master_closes_none()
    {
        ServerProcess server = Start("--workers", "2", "--reuseport");
        WaitForWorkers(server, 2);
        string[] sockets = ListeningSockets.Inodes(server.Port);
        Assert.That(sockets, Has.Length.EqualTo(2));
        int newPid = 0;
        var everySeen = new HashSet<ProcInfo>(ProcessTree.Snapshot(server.Pid));
        try
        {
            using var load = new RequestLoop(() => Get(server, "/").Status);
            Assert.That(load.ServesMore(5, Patience), Is.True);
            server.Signal(ProcessTree.SIGUSR2);
            string ready = server.WaitForLine(NewMasterAccepts(), Patience);
            newPid = int.Parse(NewMasterAccepts().Match(ready).Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.That(ServerProcess.Eventually(() => ProcessTree.Snapshot(newPid).Count(p => p.Pid != newPid && !p.IsZombie) == 2, Patience),
                Is.True, "the new master's two workers:\n" + server.Tail());
            Assert.That(ListeningSockets.Inodes(server.Port), Is.EquivalentTo(sockets), "the new master serves the sockets it was passed, and opens none");
            Assert.That(sockets.All(s => ListeningSockets.IsHeldBy(newPid, s)), Is.True, "the new master holds every slot's socket");

            server.Signal(ProcessTree.SIGQUIT);
            Assert.That(ServerProcess.Eventually(() => server.HasExited, Patience), Is.True, "the old master leaves on QUIT:\n" + server.Tail());
            everySeen.UnionWith(ProcessTree.Snapshot(newPid));
            Assert.That(load.ServesMore(10, Patience), Is.True, "the new master serves alone");
            load.Stop();
            Assert.That(load.Failed, Is.Zero, $"{load.Failed} of {load.Served + load.Failed} requests failed during the upgrade:\n{server.Tail()}");
            Assert.That(ListeningSockets.Inodes(server.Port), Is.EquivalentTo(sockets), "the old master's leaving closed none");
            Assert.That(ProcessTree.Kill(newPid, ProcessTree.SIGTERM), Is.True);
            Assert.That(ServerProcess.Eventually(() => everySeen.All(p => !p.IsAlive || p.IsZombie), Patience), Is.True,
                "every process of both trees ends:\n" + server.Tail());
            Assert.That(ServerProcess.Eventually(() => ListeningSockets.Inodes(server.Port).Length == 0, Patience), Is.True, "no socket left listening");
        }
        finally
        {
            KillUpgradeLeftoversAndAssertNone(server, everySeen, newPid);
        }
    }

    // Requests, each on a new connection (the kernel hashes connections over the sockets), until each of the pids has answered one.
    private static bool AnswerFromEach(ServerProcess server, IEnumerable<int> pids)
    {
        var missing = new HashSet<int>(pids);
        return ServerProcess.Eventually(() =>
        {
            HttpAnswer answer = Get(server, "/");
            Assert.That(answer.Status, Is.EqualTo(200));
            missing.Remove(PidOf(answer));
            return missing.Count == 0;
        }, Patience);
    }
}
