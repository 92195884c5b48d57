using System.Text.Json;
using System.Text.RegularExpressions;
using PoeSharp.Processes;

namespace PoeSharp.Os.Tests;

/// <summary>Fork behaviour, exercised in a separate program built with the fork-safe props.</summary>
[NonParallelizable]
public sealed partial class ForkStressTests
{
    [Test]
    public void TheForkSafePropsProduceTheRuntimeSettings()
    {
        string config = Path.ChangeExtension(ForkStressProgram.DllPath, ".runtimeconfig.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(config));
        var props = doc.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.That(props.GetProperty("System.Runtime.TieredCompilation").GetBoolean(), Is.False);
        Assert.That(props.GetProperty("System.GC.Concurrent").GetBoolean(), Is.False);
        Assert.That(props.GetProperty("System.GC.Server").GetBoolean(), Is.False);
        Assert.That(props.GetProperty("System.Runtime.EnableWriteXorExecute").GetBoolean(), Is.False);
    }

    [Test]
    public void ShortStressRunPassesAndLeavesNoProcessBehind()
    {
        var (code, stdout, stderr) = ForkStressProgram.Run(TimeSpan.FromSeconds(90),
            "--children", "4", "--respawns", "40", "--duration", "40", "--verbose");
        var spawned = SpawnedPid().Matches(stderr).Select(m => int.Parse(m.Groups[1].Value)).ToList();
        Assert.That(stdout, Does.Contain("result=PASS"), stderr);
        Assert.That(code, Is.Zero);
        Assert.That(stdout, Does.Contain("spawned=44 ok=44 crashed=0 hung=0"));
        Assert.That(spawned, Has.Count.EqualTo(44));
        foreach (int pid in spawned)
        {
            bool alive = File.Exists($"/proc/{pid}/cmdline") && File.ReadAllText($"/proc/{pid}/cmdline").Contains("ForkStress");
            Assert.That(alive, Is.False, $"child {pid} is still running");
        }
    }

    [Test]
    public void ChildrenReceiveSignalsThroughTheirOwnSignalfdAndDieOfAnUnwatchedTerm()
    {
        var (code, stdout, stderr) = ForkStressProgram.Run(TimeSpan.FromSeconds(60), "measure", "--samples", "3");
        Assert.That(stdout, Does.Contain("gc_done=3 term_killed=3 leftover_processes=0"), stderr);
        Assert.That(code, Is.Zero);
    }

    [Test]
    public void ForksInARowSucceedAndTheirChildrenExitCleanly()
    {
        // The prefork loop: the quiesce step's shortcuts (one scan, no collect) are taken here.
        var (code, stdout, stderr) = ForkStressProgram.Run(TimeSpan.FromSeconds(60), "measure", "--samples", "1", "--burst", "10");
        Assert.That(stdout, Does.Contain("burst_failures=0 burst_bad_exits=0"), stderr);
        Assert.That(stdout, Does.Contain("result=PASS"), stderr);
        Assert.That(code, Is.Zero);
    }

    [Test]
    public void TheKernelForksAndReapsThroughItsPublicApi()
    {
        var (code, stdout, stderr) = ForkStressProgram.Run(TimeSpan.FromSeconds(60), "kernel", "--children", "4", "--respawns", "20");
        Assert.That(stdout, Does.Match(@"pidfds_seen=[1-9]"), stderr);
        Assert.That(stdout, Does.Contain("spawned=24 reaped=24 ok=24 fork_failures=0 leftover_processes=0"), stderr);
        Assert.That(code, Is.Zero);
    }

    [Test]
    public void WithoutPidfdsTheKernelReapsItsChildrenByPolling()
    {
        var env = new Dictionary<string, string> { [PosixProcessHost.NoPidFdVariable] = "1" };
        var (code, stdout, stderr) = ForkStressProgram.Run(TimeSpan.FromSeconds(60), env, "kernel", "--children", "4", "--respawns", "20");
        Assert.That(stdout, Does.Contain("pidfds_seen=0 "), stderr);
        Assert.That(stdout, Does.Contain("spawned=24 reaped=24 ok=24 fork_failures=0 leftover_processes=0"), stderr);
        Assert.That(code, Is.Zero);
    }

    [Test]
    public void AServerWrittenAgainstThePublicApiHasChildrenThatDropInheritedConnectionsAndCompileNothingAfterTheirFirstRequest()
    {
        var (code, stdout, stderr) = ForkStressProgram.Run(TimeSpan.FromSeconds(60), "public-api", "--children", "2", "--respawns", "5");
        // held_answers=1: the connection the parent held at the fork was answered once, by the parent.
        Assert.That(stdout, Does.Contain("public-api: children=2 children_ok=2 answered=10/10 held_answers=1 result=PASS"), stdout + stderr);
        var children = stdout.Split('\n').Where(l => l.StartsWith("public-api child:", StringComparison.Ordinal)).ToArray();
        Assert.That(children, Has.Length.EqualTo(2), stdout);
        // Each child let go of both ends of the held connection, and its owners heard of it.
        Assert.That(children, Has.All.EndsWith("fork_reports=2 served=5 jit_methods_after_first=0"), stdout);
        Assert.That(code, Is.Zero);
    }

    [Test]
    public void AChildLetsGoOfTheParentsProgramAndFollowedFileWithoutSignallingOrReading()
    {
        var (code, stdout, stderr) = ForkStressProgram.Run(TimeSpan.FromSeconds(30), "wheels-fork", "--child-life", "200");
        // The child heard of both wheels, read nothing and did not signal cat; the parent's
        // request was answered once, its follower got the line appended after the fork, and cat
        // ended on end of its input (status 0), not of a signal from the child.
        Assert.That(stdout, Does.Contain("wheels-fork child: fork_reports=2 kill=False out=0 tailed_after_fork=0"), stdout + stderr);
        Assert.That(stdout, Does.Contain("wheels-fork: child_status=0 cat_status=0 answers=1 tailed=one,two timed_out=False leftover_processes=0 result=PASS"), stdout + stderr);
        Assert.That(code, Is.Zero);
    }

    [Test]
    public void ManyForksWhileTheParentServesOpenConnectionsGiveNoDuplicatedForeignOrStalledAnswer()
    {
        // 100 children, forked from a timer and from inside connections' InputEvent, while a load
        // client keeps 16 connections busy; each answer names the process that wrote it. With
        // KeepAfterFork on the server's wheels, the same run counts thousands of foreign answers.
        var (code, stdout, stderr) = ForkStressProgram.Run(TimeSpan.FromSeconds(60),
            "fork-churn", "--clients", "16", "--respawns", "100", "--child-life", "30", "--duration", "20");
        Assert.That(stdout, Does.Match(@"churn-client: connections=16 sent=(\d+) answered=\1 duplicated=0 foreign=0 stalled=0 unexpected=0 result=PASS"),
            stdout + stderr);
        Assert.That(stdout, Does.Contain("fork-churn: forks=100 children_ok=100 ").And.Contain(" client_status=0 leftover_processes=0 result=PASS"),
            stdout + stderr);
        Assert.That(code, Is.Zero);
    }

    [Test]
    public void AReplyPutBeforeAForkInTheSameCallbackIsWrittenOnce()
    {
        var (code, stdout, stderr) = ForkStressProgram.Run(TimeSpan.FromSeconds(30), "deferred-fork", "--child-life", "50");
        Assert.That(stdout, Does.Contain("deferred-fork: replies=1 child_status=0 leftover_processes=0 result=PASS"), stdout + stderr);
        Assert.That(code, Is.Zero);
    }

    [Test]
    public void WithoutTheBootstrapATermWatcherLosesToTheRuntime()
    {
        // The cause: some runtime thread has TERM unblocked, so the signal goes there instead of
        // the signalfd. The probe reads its signalfd only once TERM has left the pending set, so
        // the outcome does not depend on which thread the scheduler ran first.
        var (code, stdout, stderr) = ForkStressProgram.Run(TimeSpan.FromSeconds(60), "signal-probe");
        Assert.That(stdout, Does.Contain("bootstrap=False"), stderr);
        Assert.That(ThreadsWithTermUnblocked(stdout), Is.Not.Empty, stdout);
        Assert.That(code, Is.EqualTo(128 + Signals.TERM), "the process dies of the TERM its watcher never sees");
    }

    [Test]
    public void WithTheBootstrapATermWatcherGetsTheSignal()
    {
        var (code, stdout, stderr) = ForkStressProgram.Run(TimeSpan.FromSeconds(30), "signal-probe", "--bootstrap");
        Assert.That(stdout, Does.Contain("bootstrap=True").And.Contain("delivered=yes"), stderr);
        Assert.That(ThreadsWithTermUnblocked(stdout), Is.Empty, stdout);
        Assert.That(code, Is.Zero);
    }

    /// <summary>The threads whose SigBlk mask (from the probe's "threads:" line) lacks TERM.</summary>
    private static List<string> ThreadsWithTermUnblocked(string stdout)
    {
        string line = stdout.Split('\n').Single(l => l.Contains(" threads: ", StringComparison.Ordinal));
        var unblocked = new List<string>();
        foreach (string entry in line[(line.IndexOf(" threads: ", StringComparison.Ordinal) + 10)..].Split(", "))
        {
            int eq = entry.LastIndexOf('=');
            ulong mask = ulong.Parse(entry[(eq + 1)..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
            if ((mask & (1UL << (Signals.TERM - 1))) == 0) unblocked.Add(entry[..eq]);
        }
        return unblocked;
    }

    [GeneratedRegex(@"spawned (\d+)")]
    private static partial Regex SpawnedPid();
}
