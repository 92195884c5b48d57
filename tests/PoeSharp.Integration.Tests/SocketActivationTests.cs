using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PoeSharp.Integration.Tests.Support;

namespace PoeSharp.Integration.Tests;

/// <summary>
/// PreforkHttpd started by <c>systemd-socket-activate</c> (systemd's own tool for the LISTEN_FDS
/// protocol, which needs no running systemd): it must serve on the socket it was given, from the
/// parent and its children, instead of binding one of its own.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public sealed partial class SocketActivationTests : ServerProcessFixture
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Test]
    public void PreforkHttpdServesOnTheSocketItWasGiven()
    {
        string activate = SocketActivateTool();
        ServerProcess server = StartActivated(activate, out int port);

        // The tool holds the socket and starts the server on the first connection (on demand).
        string first = HttpProbe.Exchange(port, HttpProbe.Request("/", ("Host", "first.test")), Patience);
        Assert.That(HttpProbe.ParseAll(first).Select(a => a.Status), Is.EqualTo(new[] { 200 }), first + server.Tail());
        server.WaitForLine(ServerProcess.ListeningLine(), Patience);
        Assert.That(ServerProcess.Eventually(() => server.Children().Count(c => !c.IsZombie) == 2, Patience), Is.True,
            "the workers were not forked:\n" + server.Tail());
        var pids = new HashSet<int>();
        for (int i = 0; i < 10; i++)
        {
            HttpAnswer answer = HttpProbe.Get(port, ("Host", "activated.test"));
            Assert.That(answer.Status, Is.EqualTo(200), server.Tail());
            pids.Add(answer.Pid);
        }
        Assert.That(pids, Is.SubsetOf(server.Seen.Select(p => p.Pid)), "an answer came from outside the server's tree");
        Assert.That(server.Stderr, Does.Match($@"has begun listening on port {port}\b"), "the server did not report the port it was given");
        Assert.That(server.Stderr, Does.Contain($"(bound to 127.0.0.1:{port})"), "the banner names the address of the socket it was given");

        server.Signal(ProcessTree.SIGTERM);
        Assert.That(server.WaitAllGone(Patience), Is.True, server.Tail());
        Assert.That(server.ExitCode, Is.Zero, server.Tail());
    }

    [Test]
    public void AServerNotGivenASocketBindsItsOwn()
    {
        // The variables name another process (a parent's activation): they must be ignored.
        ServerProcess server = StartServer("PreforkHttpd", [("LISTEN_PID", "1"), ("LISTEN_FDS", "1")], "--quiet", "--max-processes", "1");
        Assert.That(HttpProbe.Get(server.Port, ("Host", "own.test")).Status, Is.EqualTo(200), server.Tail());
        server.Signal(ProcessTree.SIGTERM);
        Assert.That(server.WaitAllGone(Patience), Is.True, server.Tail());
    }

    /// <summary>
    /// Starts PreforkHttpd under systemd-socket-activate on a free port. The tool cannot bind port
    /// 0, so a free port is found first; if another process takes it meanwhile, try another.
    /// </summary>
    private ServerProcess StartActivated(string activate, out int port)
    {
        for (int attempt = 1; ; attempt++)
        {
            port = FreePort();
            string dll = ServerProcess.DllPath("PreforkHttpd");
            Server = ServerProcess.StartProgram(dll, [], null, [activate, "-l", $"127.0.0.1:{port}"],
                ["--quiet", "--max-processes", "2", "--no-churn"]);
            try
            {
                Server.WaitForLine(ActivateListening(), Patience);
                return Server;
            }
            catch (InvalidOperationException) when (attempt < 3 && Server.Stderr.Contains("Failed to", StringComparison.Ordinal))
            {
                Server.Dispose();
                Server = null;
            }
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^Listening on .* as 3\.$")]
    private static partial System.Text.RegularExpressions.Regex ActivateListening();

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    /// <summary>
    /// systemd-socket-activate, from Debian's systemd package. The test installs the package when
    /// it can (as root, with apt-get) and fails with what to do when it cannot: it never passes
    /// without having run.
    /// </summary>
    private static string SocketActivateTool()
    {
        const string tool = "/usr/bin/systemd-socket-activate";
        if (File.Exists(tool)) return tool;
        if (Environment.UserName == "root" && File.Exists("/usr/bin/apt-get"))
        {
            Run("apt-get", "update", "-qq");
            Run("apt-get", "install", "-y", "-qq", "--no-install-recommends", "systemd");
        }
        if (!File.Exists(tool))
            Assert.Fail($"{tool} is missing: install Debian's systemd package (apt-get install systemd) to run this test.");
        return tool;
    }

    private static void Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var p = Process.Start(psi)!;
        Task<string> output = p.StandardOutput.ReadToEndAsync();
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.Zero, $"{program} {string.Join(' ', args)} failed: {output.Result}{error}");
    }
}
