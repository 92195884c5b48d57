using System.Globalization;
using System.Text.RegularExpressions;
using PoeSharp.Integration.Tests.Support;

namespace PoeSharp.Integration.Tests;

/// <summary>HelloHttp's binary upgrade (SIGUSR2), end to end with real processes.</summary>
public sealed partial class HelloHttpTests
{
    [GeneratedRegex(@"new master (\d+) accepts")]
    private static partial Regex NewMasterAccepts();

    [Test]
    public void USR2_starts_a_new_master_on_the_same_socket_and_QUIT_to_the_old_one_finishes_the_upgrade_without_a_failed_request()
    {
        ServerProcess server = Start("--workers", "2");
        WaitForWorkers(server, 2);
        int oldPid = server.Pid;
        int newPid = 0;
        var everySeen = new HashSet<ProcInfo>();
        try
        {
            using var load = new RequestLoop(() => Get(server, "/").Status);
            Assert.That(load.ServesMore(5, Patience), Is.True);

            server.Signal(ProcessTree.SIGUSR2);
            string ready = server.WaitForLine(NewMasterAccepts(), Patience);
            newPid = int.Parse(NewMasterAccepts().Match(ready).Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.That(ProcessTree.TryReadStat(newPid, out _, out _, out int parent), Is.True);
            Assert.That(parent, Is.EqualTo(oldPid), "the new master is the old one's child, as nginx's");
            Assert.That(ServerProcess.Eventually(() => ProcessTree.Snapshot(newPid).Count(p => p.Pid != newPid && !p.IsZombie) == 2, Patience),
                Is.True, "the new master's two workers:\n" + server.Tail());
            everySeen.UnionWith(ProcessTree.Snapshot(oldPid));

            Assert.That(load.ServesMore(5, Patience), Is.True, "both masters' workers serve");

            server.Signal(ProcessTree.SIGQUIT);
            Assert.That(ServerProcess.Eventually(() => server.HasExited, Patience), Is.True, "the old master leaves on QUIT:\n" + server.Tail());
            Assert.That(server.ExitCode, Is.Zero, server.Tail());
            List<ProcInfo> newTree = ProcessTree.Snapshot(newPid);
            everySeen.UnionWith(newTree);
            Assert.That(newTree.Count(p => p.Pid != newPid && !p.IsZombie), Is.EqualTo(2), "the new master keeps its workers");

            Assert.That(load.ServesMore(5, Patience), Is.True, "the new master serves alone");
            int answeredBy = PidOf(Get(server, "/"));
            Assert.That(newTree.Select(p => p.Pid), Does.Contain(answeredBy), "a new worker answers");
            load.Stop();
            Assert.That(load.Failed, Is.Zero, $"{load.Failed} of {load.Served + load.Failed} requests failed during the upgrade:\n{server.Tail()}");

            everySeen.UnionWith(ProcessTree.Snapshot(newPid));
            Assert.That(ProcessTree.Kill(newPid, ProcessTree.SIGTERM), Is.True);
            // Gone, or a zombie: after the old master left, the new one belongs to whichever process adopted it.
            Assert.That(ServerProcess.Eventually(() => everySeen.All(p => !p.IsAlive || p.IsZombie), Patience), Is.True,
                "every process of both trees ends:\n" + server.Tail());
        }
        finally
        {
            KillUpgradeLeftoversAndAssertNone(server, everySeen, newPid);
        }
    }
}
