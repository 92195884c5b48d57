namespace PoeSharp.Os.Tests;

/// <summary>
/// OS signals through the kernel under the signal-mask bootstrap (POE-SEMANTICS.md §1.6), in the
/// separate program's <c>kernel-signals</c> mode: each scenario signals its own process.
/// </summary>
[NonParallelizable]
public sealed class KernelSignalTests
{
    private static (int Code, string Stdout, string Stderr) RunScenario(string scenario, string signal, bool bootstrap = true)
    {
        var args = new List<string> { "kernel-signals", "--scenario", scenario, "--signal", signal };
        if (bootstrap) args.Add("--bootstrap");
        var r = ForkStressProgram.Run(TimeSpan.FromSeconds(60), [.. args]);
        Assert.That(r.Stdout, Does.Contain($"mask={bootstrap}"), r.Stderr);
        return r;
    }

    [TestCase("TERM", 143)]
    [TestCase("INT", 130)]
    public void AnUnwatchedSignalKillsTheProcessWithoutStop(string signal, int exitCode)
    {
        var (code, stdout, stderr) = RunScenario("default", signal);
        Assert.That(code, Is.EqualTo(exitCode), stdout + stderr);
        Assert.That(stdout, Does.Not.Contain("_stop").And.Not.Contain("run returned").And.Not.Contain("too_late"));
    }

    [Test]
    public void AHandledTermIsSurvivedAndOnceTheWatcherIsGoneTheNextOneKills()
    {
        var (code, stdout, stderr) = RunScenario("handled", "TERM");
        Assert.That(stdout, Does.Contain("got TERM #1\nsurvived\n"), stderr);
        Assert.That(stdout, Does.Not.Contain("#2").And.Not.Contain("_stop"));
        Assert.That(code, Is.EqualTo(143));
    }

    [TestCase("TERM")]
    [TestCase("INT")]
    public void AWatchedButUnhandledTerminalSignalStopsEverySessionAndRunReturns(string signal)
    {
        var (code, stdout, stderr) = RunScenario("unhandled", signal);
        Assert.That(stdout, Does.Contain($"got {signal} #1\n_stop in parent\nrun returned in parent"), stderr);
        Assert.That(stdout, Does.Not.Contain("too_late"));
        Assert.That(code, Is.Zero);
    }

    [TestCase(true)]
    [TestCase(false)]
    public void AnUnwatchedIntInAForkedChildKillsOnlyTheChild(bool bootstrap)
    {
        var (code, stdout, stderr) = RunScenario("child", "INT", bootstrap);
        var forked = System.Text.RegularExpressions.Regex.Match(stdout, @"parent: forked (\d+)");
        Assert.That(forked.Success, Is.True, stdout + stderr);
        string pid = forked.Groups[1].Value;
        Assert.That(stdout, Does.Contain($"child {pid}: raising INT"));
        Assert.That(stdout, Does.Contain($"parent: child {pid} signaled INT"));
        Assert.That(stdout, Does.Contain("run returned in parent"));
        Assert.That(stdout, Does.Not.Contain("in child"), "the child must die of the signal, not stop or time out");
        Assert.That(code, Is.Zero);
    }
}
