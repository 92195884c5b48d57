using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using PoeSharp.Integration.Tests.Support;

namespace PoeSharp.Integration.Tests;

/// <summary>Ten binary upgrades (SIGUSR2, then QUIT to the old master) in a row under load, end to end.</summary>
public sealed partial class HelloHttpTests
{
    private const int Upgrades = 10;

    // A request with no byte of its answer for this long counts as stalled.
    private static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(10);

    [Test]
    public void Ten_upgrades_in_a_row_under_close_and_keep_alive_load_fail_no_request_and_leak_no_process_or_descriptor()
    {
        ServerProcess server = Start("--workers", "2");
        WaitForWorkers(server, 2);
        int firstPid = server.Pid;
        int current = firstPid;
        var everySeen = new HashSet<ProcInfo>(ProcessTree.Snapshot(firstPid));
        var rows = new List<string>();
        try
        {
            string[] firstFds = Descriptors(firstPid), secondFds = [];
            using var close = new HelloLoad(server.Port, keepAlive: false, loops: 2, StallLimit);
            using var keep = new HelloLoad(server.Port, keepAlive: true, loops: 2, StallLimit);
            Assert.That(close.ServesMore(10, Patience) && keep.ServesMore(10, Patience), Is.True,
                $"the loads run before the first upgrade\n{close.Describe()}\n{keep.Describe()}\n{server.Tail()}");

            for (int round = 1; round <= Upgrades; round++)
            {
                List<ProcInfo> oldTree = ProcessTree.Snapshot(current);
                everySeen.UnionWith(oldTree);
                int servedBefore = close.Served + keep.Served;
                long usr2At = Stopwatch.GetTimestamp();
                Assert.That(ProcessTree.Kill(current, ProcessTree.SIGUSR2), Is.True, $"round {round}: USR2 to {current}");

                var readyLine = new Regex(string.Create(CultureInfo.InvariantCulture, $@"Server {current}: new master (\d+) accepts"));
                int newPid = int.Parse(readyLine.Match(server.WaitForLine(readyLine, Patience)).Groups[1].Value, CultureInfo.InvariantCulture);
                long readyAt = Stopwatch.GetTimestamp();
                int[] newWorkers = [];
                Assert.That(ServerProcess.Eventually(() =>
                {
                    newWorkers = ProcessTree.Snapshot(newPid).Where(p => p.Pid != newPid && !p.IsZombie).Select(p => p.Pid).ToArray();
                    return newWorkers.Length == 2;
                }, Patience), Is.True, $"round {round}: the new master's two workers:\n{server.Tail()}");
                everySeen.UnionWith(ProcessTree.Snapshot(newPid));
                // The new workers accept: the load reaches them while the old ones still serve too.
                long firstNewAnswerAt = 0;
                Assert.That(ServerProcess.Eventually(() =>
                {
                    long[] seen = newWorkers.Select(w => close.FirstAnswerByPid.GetValueOrDefault(w)).Concat(newWorkers.Select(w => keep.FirstAnswerByPid.GetValueOrDefault(w)))
                        .Where(t => t != 0).ToArray();
                    if (seen.Length == 0) return false;
                    firstNewAnswerAt = seen.Min();
                    return true;
                }, Patience), Is.True, $"round {round}: no answer from a new worker\n{close.Describe()}\n{keep.Describe()}\n{server.Tail()}");

                long quitAt = Stopwatch.GetTimestamp();
                Assert.That(ProcessTree.Kill(current, ProcessTree.SIGQUIT), Is.True, $"round {round}: QUIT to {current}");
                // The old master and its workers end; the new master (the old one's child) stays.
                ProcInfo[] leaving = oldTree.Where(p => p.Pid != newPid).ToArray();
                Assert.That(ServerProcess.Eventually(() => leaving.All(p => !p.IsAlive || p.IsZombie), Patience), Is.True,
                    $"round {round}: the old master {current} and its workers leave on QUIT:\n{server.Tail()}");
                long goneAt = Stopwatch.GetTimestamp();
                Assert.That(ProcessTree.Snapshot(newPid).Count(p => p.Pid != newPid && !p.IsZombie), Is.EqualTo(2), $"round {round}: the new master keeps its workers");

                rows.Add(string.Create(CultureInfo.InvariantCulture,
                    $"| {round} | {current} → {newPid} | {Ms(usr2At, readyAt)} | {Ms(usr2At, firstNewAnswerAt)} | {Ms(quitAt, goneAt)} | {close.Served + keep.Served - servedBefore} |"));
                current = newPid;
                // The first master made by an upgrade: the later ones must hold the same descriptors.
                if (round == 1) secondFds = Descriptors(current);
            }

            Assert.That(close.ServesMore(10, Patience) && keep.ServesMore(10, Patience), Is.True, "the last master serves both loads");
            close.Stop();
            keep.Stop();
            TestContext.Out.WriteLine("| upgrade | old → new master | USR2 → ready (ms) | USR2 → first answer of a new worker (ms) | QUIT → old tree gone (ms) | requests served from USR2 to old tree gone |");
            TestContext.Out.WriteLine("|---|---|---|---|---|---|");
            foreach (string row in rows) TestContext.Out.WriteLine(row);
            TestContext.Out.WriteLine(close.Describe());
            TestContext.Out.WriteLine(keep.Describe());

            Assert.Multiple(() =>
            {
                Assert.That(close.Failed, Is.Zero, "close-per-request load: " + close.Describe());
                Assert.That(keep.Failed, Is.Zero, "keep-alive load: " + keep.Describe());
                // A draining worker answers a kept connection's next request with Connection: close
                // rather than closing the connection under it.
                Assert.That(keep.IdleClosed, Is.Zero, "keep-alive requests lost to a close before their answer: " + keep.Describe());
            });

            // Nothing an upgrade passed or opened stays open: the last master holds no more than the
            // first (which also holds what its launcher left open), and as many as the second.
            string[] lastFds = Descriptors(current);
            TestContext.Out.WriteLine($"descriptors: first master {firstFds.Length}, second {secondFds.Length}, last {lastFds.Length}");
            string lists = $"first master ({firstFds.Length}):\n  {string.Join("\n  ", firstFds)}\nsecond ({secondFds.Length}):\n  " +
                           $"{string.Join("\n  ", secondFds)}\nlast ({lastFds.Length}):\n  {string.Join("\n  ", lastFds)}";
            Assert.That(lastFds, Has.Length.LessThanOrEqualTo(firstFds.Length), lists);
            Assert.That(lastFds, Has.Length.EqualTo(secondFds.Length), lists);

            everySeen.UnionWith(ProcessTree.Snapshot(current));
            Assert.That(ProcessTree.Kill(current, ProcessTree.SIGTERM), Is.True);
            // Gone, or a zombie: the masters after the first belong to whichever process adopted them.
            Assert.That(ServerProcess.Eventually(() => everySeen.All(p => !p.IsAlive || p.IsZombie), Patience), Is.True,
                "every process of every tree ends:\n" + server.Tail());
        }
        finally
        {
            KillUpgradeLeftoversAndAssertNone(server, everySeen, current);
        }
    }

    private static string Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture);

    /// <summary>A process's open descriptors as "fd -> target".</summary>
    private static string[] Descriptors(int pid) =>
        Directory.GetFiles($"/proc/{pid}/fd")
            .Select(f => $"{Path.GetFileName(f)} -> {new FileInfo(f).LinkTarget}")
            .Order(StringComparer.Ordinal)
            .ToArray();
}
