namespace PoeSharp.Integration.Tests.Support;

/// <summary>
/// Base of the end-to-end fixtures: owns the server process a test starts and, after each test,
/// kills whatever of its tree is still running and fails the test if anything was.
/// </summary>
public abstract class ServerProcessFixture
{
    /// <summary>The server the current test started (at most one per test).</summary>
    private protected ServerProcess? Server { get; set; }

    /// <summary>Starts <paramref name="example"/> and keeps it for the teardown check.</summary>
    private protected ServerProcess StartServer(string example, params string[] args) =>
        Server = ServerProcess.StartListening(example, args);

    /// <summary>Starts <paramref name="example"/> with extra environment variables.</summary>
    private protected ServerProcess StartServer(string example, (string Name, string Value)[] environment, params string[] args) =>
        Server = ServerProcess.StartListening(example, environment, args);

    /// <summary>Starts <paramref name="example"/> with at most <paramref name="descriptorLimit"/> open descriptors per process.</summary>
    private protected ServerProcess StartServerWithDescriptorLimit(string example, int descriptorLimit, params string[] args) =>
        Server = ServerProcess.StartListeningWithDescriptorLimit(example, descriptorLimit, args);

    /// <summary>
    /// The end of an upgrade test, in its <c>finally</c>: replaces the teardown check, which would
    /// not see the trees of masters started by an upgrade. Kills (SIGKILL, by pid) what is still
    /// running of every process seen and of <paramref name="lastMaster"/>'s tree, disposes the
    /// server and fails if anything was left. The new masters outlive their parent and whichever
    /// process adopts them may never reap them: a zombie counts as gone.
    /// </summary>
    private protected void KillUpgradeLeftoversAndAssertNone(ServerProcess server, ISet<ProcInfo> everySeen, int lastMaster)
    {
        Server = null;
        if (lastMaster > 0 && lastMaster != server.Pid) everySeen.UnionWith(ProcessTree.Snapshot(lastMaster));
        ProcInfo[] left = everySeen.Where(p => p.IsAlive && !p.IsZombie).ToArray();
        foreach (ProcInfo p in left) ProcessTree.Kill(p.Pid, ProcessTree.SIGKILL);
        string log = server.Tail();
        server.Dispose();
        Assert.That(left, Is.Empty, "processes left behind (killed):\n" + log);
    }

    [TearDown]
    public void KillLeftoversAndAssertNone()
    {
        if (Server is null) return;
        ProcInfo[] left = Server.KillLeftovers();
        string log = Server.Tail();
        Server.Dispose();
        Server = null;
        Assert.That(left, Is.Empty, "Processes were still running after the test and had to be killed:\n" + log);
    }
}
