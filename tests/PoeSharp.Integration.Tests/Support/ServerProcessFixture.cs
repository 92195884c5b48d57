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
