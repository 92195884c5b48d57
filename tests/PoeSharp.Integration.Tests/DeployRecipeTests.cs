using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using PoeSharp.Integration.Tests.Support;

namespace PoeSharp.Integration.Tests;

/// <summary>
/// docs/DEPLOY.md played on loopback: three HelloHttp instances on ports of their own behind a
/// real HAProxy configured with the document's own <c>defaults</c>, frontend and backend (health
/// checks, retry of idempotent requests on another server), a close-per-request and a keep-alive
/// load running through the balancer, then (a) <c>kill -9</c> of one instance's whole process tree
/// and (b) a rolling USR2 upgrade of the other two.
/// </summary>
/// <remarks>Needs haproxy, installed as <see cref="ProxySmugglingTests"/> does when missing.</remarks>
[Category("Proxy")]
[NonParallelizable]
public sealed partial class DeployRecipeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(10);

    [GeneratedRegex(@"<!-- played by DeployRecipeTests[^>]*-->\s*```haproxy\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex PlayedBlock();

    // httplog's "actconn/feconn/beconn/srv_conn/retries" field: retries is prefixed with '+' when the request was redispatched.
    [GeneratedRegex(@" \d+/\d+/\d+/\d+/(\+?)(\d+) \d+/\d+ ")]
    private static partial Regex Retries();

    [Test]
    public void Three_instances_behind_HAProxy_lose_no_request_to_a_kill_of_one_tree_nor_to_a_rolling_upgrade_of_the_others()
    {
        string haproxy = HaproxyProcess.EnsureInstalled();
        var instances = new List<ServerProcess>();
        var everySeen = new HashSet<ProcInfo>();
        int[] masters = new int[3];
        HaproxyProcess? proxy = null;
        try
        {
            // Port 0 for each, read back from its banner: the balancer's config needs the numbers.
            for (int i = 0; i < 3; i++)
                instances.Add(ServerProcess.Start("HelloHttp", "--port", "0", "--address", "127.0.0.1", "--workers", "2"));
            int[] ports = instances.Select(s => int.Parse(
                ServerProcess.ListeningLine().Match(s.WaitForLine(ServerProcess.ListeningLine(), Patience)).Groups[1].Value,
                CultureInfo.InvariantCulture)).ToArray();
            for (int i = 0; i < 3; i++)
            {
                masters[i] = instances[i].Pid;
                int pid = masters[i];
                Assert.That(ServerProcess.Eventually(() => Workers(pid).Length == 2, Patience), Is.True, $"instance {i} forks 2 workers:\n{instances[i].Tail()}");
                everySeen.UnionWith(ProcessTree.Snapshot(pid));
            }

            string recipe = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "DEPLOY.md"));
            proxy = HaproxyProcess.StartWithConfig(haproxy, port => LoopbackConfig(recipe, port, ports));

            using var close = new HelloLoad(proxy.Port, keepAlive: false, loops: 2, StallLimit);
            using var keep = new HelloLoad(proxy.Port, keepAlive: true, loops: 2, StallLimit);
            // Every instance answers through the balancer.
            Assert.That(ServerProcess.Eventually(() => Enumerable.Range(0, 3).All(i => AnsweredBy(masters[i], close, keep)), Patience), Is.True,
                $"not every instance answered through haproxy\n{close.Describe()}\n{keep.Describe()}\n{proxy.Output}");

            // (a) kill -9 of instance 0's whole tree, by pid, master and workers at once.
            int logMark = proxy.LineCount;
            (int closeFailed, int keepFailed, int keepIdle) = (close.Failed, keep.Failed, keep.IdleClosed);
            List<ProcInfo> victim = ProcessTree.Snapshot(masters[0]);
            everySeen.UnionWith(victim);
            foreach (ProcInfo p in victim) ProcessTree.Kill(p.Pid, ProcessTree.SIGKILL);
            Assert.That(ServerProcess.Eventually(() => victim.All(p => !p.IsAlive || p.IsZombie), Patience), Is.True, "the killed tree is gone");
            Assert.That(ServerProcess.Eventually(() => proxy.Output.Contains("Server hello/h1 is DOWN", StringComparison.Ordinal), Patience), Is.True,
                "haproxy's health check marks the killed instance down:\n" + proxy.Output);
            Assert.That(close.ServesMore(20, Patience) && keep.ServesMore(20, Patience), Is.True, "the other two serve");
            var killPhase = (Close: close.Failed - closeFailed, Keep: keep.Failed - keepFailed, Idle: keep.IdleClosed - keepIdle,
                Retried: RetriedSince(proxy, logMark));

            // (b) rolling upgrade of instances 1 and 2: USR2, wait for the new master, QUIT the old one, wait until it is gone.
            logMark = proxy.LineCount;
            (closeFailed, keepFailed, keepIdle) = (close.Failed, keep.Failed, keep.IdleClosed);
            for (int i = 1; i < 3; i++)
            {
                int old = masters[i];
                List<ProcInfo> oldTree = ProcessTree.Snapshot(old);
                everySeen.UnionWith(oldTree);
                Assert.That(ProcessTree.Kill(old, ProcessTree.SIGUSR2), Is.True);
                var ready = new Regex(string.Create(CultureInfo.InvariantCulture, $@"Server {old}: new master (\d+) accepts"));
                int newPid = int.Parse(ready.Match(instances[i].WaitForLine(ready, Patience)).Groups[1].Value, CultureInfo.InvariantCulture);
                Assert.That(ServerProcess.Eventually(() => Workers(newPid).Length == 2, Patience), Is.True, $"instance {i}'s new master forks 2 workers");
                everySeen.UnionWith(ProcessTree.Snapshot(newPid));
                Assert.That(ProcessTree.Kill(old, ProcessTree.SIGQUIT), Is.True);
                ProcInfo[] leaving = oldTree.Where(p => p.Pid != newPid).ToArray();
                Assert.That(ServerProcess.Eventually(() => leaving.All(p => !p.IsAlive || p.IsZombie), Patience), Is.True,
                    $"instance {i}'s old master leaves on QUIT:\n{instances[i].Tail()}");
                masters[i] = newPid;
                Assert.That(ServerProcess.Eventually(() => AnsweredBy(newPid, close, keep), Patience), Is.True, $"instance {i}'s new workers answer through haproxy");
            }
            Assert.That(close.ServesMore(20, Patience) && keep.ServesMore(20, Patience), Is.True, "the upgraded instances serve");
            var upgradePhase = (Close: close.Failed - closeFailed, Keep: keep.Failed - keepFailed, Idle: keep.IdleClosed - keepIdle,
                Retried: RetriedSince(proxy, logMark));
            close.Stop();
            keep.Stop();

            TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"(a) kill -9 of one tree: failed close={killPhase.Close} keep-alive={killPhase.Keep} idle-closed={killPhase.Idle}; retried by haproxy: {killPhase.Retried}"));
            TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"(b) rolling upgrade of two: failed close={upgradePhase.Close} keep-alive={upgradePhase.Keep} idle-closed={upgradePhase.Idle}; retried by haproxy: {upgradePhase.Retried}"));
            TestContext.Out.WriteLine(close.Describe());
            TestContext.Out.WriteLine(keep.Describe());
            Assert.Multiple(() =>
            {
                // Every request of the load is a GET that got no byte of an answer from the killed
                // tree, which the recipe's retry-on empty-response/conn-failure sends to another server.
                Assert.That(killPhase.Close + killPhase.Keep + killPhase.Idle, Is.Zero,
                    $"requests lost to the kill beyond the retry policy\n{close.Describe()}\n{keep.Describe()}\n{proxy.Output}");
                Assert.That(upgradePhase.Close + upgradePhase.Keep + upgradePhase.Idle, Is.Zero,
                    $"requests lost to the rolling upgrade\n{close.Describe()}\n{keep.Describe()}");
            });

            for (int i = 1; i < 3; i++)
            {
                everySeen.UnionWith(ProcessTree.Snapshot(masters[i]));
                ProcessTree.Kill(masters[i], ProcessTree.SIGTERM);
            }
            Assert.That(ServerProcess.Eventually(() => everySeen.All(p => !p.IsAlive || p.IsZombie), Patience), Is.True,
                "every process of every instance ends:\n" + string.Join("\n", instances.Select(s => s.Tail(10))));
        }
        finally
        {
            proxy?.Dispose();
            foreach (int m in masters.Where(m => m > 0)) everySeen.UnionWith(ProcessTree.Snapshot(m));
            // Alive and not a zombie: a master adopted after an upgrade may never be reaped by its new parent.
            ProcInfo[] left = everySeen.Where(p => p.IsAlive && !p.IsZombie).ToArray();
            foreach (ProcInfo p in left) ProcessTree.Kill(p.Pid, ProcessTree.SIGKILL);
            var logs = new StringBuilder();
            foreach (ServerProcess s in instances)
            {
                logs.AppendLine(s.Tail(10));
                s.Dispose();
            }
            Assert.That(left, Is.Empty, "processes left behind (killed):\n" + logs);
        }
    }

    /// <summary>The doc's played block with the frontend bound to <paramref name="port"/> and its servers replaced by the loopback instances.</summary>
    private static string LoopbackConfig(string recipe, int port, int[] backendPorts)
    {
        Match block = PlayedBlock().Match(recipe);
        Assert.That(block.Success, Is.True, "docs/DEPLOY.md has no block marked as played by DeployRecipeTests");
        var config = new StringBuilder("global\n    nbthread 1\n    log stdout format raw local0\n\n");
        foreach (string line in block.Groups[1].Value.Split('\n'))
        {
            string trimmed = line.Trim();
            if (trimmed.StartsWith("server ", StringComparison.Ordinal)) continue;
            config.AppendLine(trimmed.StartsWith("bind ", StringComparison.Ordinal)
                ? string.Create(CultureInfo.InvariantCulture, $"    bind 127.0.0.1:{port}")
                : line);
        }
        // The backend is the block's last section: its servers follow.
        for (int i = 0; i < backendPorts.Length; i++)
            config.AppendLine(string.Create(CultureInfo.InvariantCulture, $"    server h{i + 1} 127.0.0.1:{backendPorts[i]}"));
        return config.ToString();
    }

    private static int[] Workers(int master) =>
        ProcessTree.Snapshot(master).Where(p => p.Pid != master && !p.IsZombie).Select(p => p.Pid).ToArray();

    private static bool AnsweredBy(int master, HelloLoad close, HelloLoad keep) =>
        Workers(master).Any(w => close.FirstAnswerByPid.ContainsKey(w) || keep.FirstAnswerByPid.ContainsKey(w));

    private static int RetriedSince(HaproxyProcess proxy, int mark) =>
        proxy.Output.Split('\n').Skip(mark).Select(l => Retries().Match(l)).Count(m => m.Success && m.Groups[2].Value != "0");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PoeSharp.sln"))) return dir.FullName;
        throw new InvalidOperationException("PoeSharp.sln not found above " + AppContext.BaseDirectory);
    }
}
