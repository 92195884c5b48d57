using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using PoeSharp.Integration.Tests.Support;

namespace PoeSharp.Integration.Tests;

/// <summary>
/// docs/GETTING-STARTED.md, done as a new user would: the library is packed into a local feed, and
/// every <c>sh</c> block of the guide runs in order in an empty folder (with its own NuGet cache,
/// so nothing stale or global is used), every <c>csharp</c> block is written to the file its first
/// line names. The program that results references only the PoeSharp.Wheels package: it must get
/// the fork-safe settings from the package, fork workers, answer from a worker, stop on TERM and
/// leave no process behind; the guide's own unit tests must pass.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public sealed partial class GettingStartedTests
{
    private static readonly string[] s_packages = ["Kernel", "Filters", "Wheels", "Testing"];
    private string _work = "";

    [OneTimeSetUp]
    public void CreateWorkFolder() => _work = Directory.CreateTempSubdirectory("poesharp-getting-started-").FullName;

    [OneTimeTearDown]
    public void DeleteWorkFolder()
    {
        if (Directory.Exists(_work)) Directory.Delete(_work, recursive: true);
    }

    [Test]
    public void TheGuideBuildsAForkingServerFromPackagesAndItsTestsPass()
    {
        string root = RepositoryRoot();
        string feed = Path.Combine(_work, "feed");
        foreach (string package in s_packages)
            Run(root, "dotnet", "pack", Path.Combine(root, "src", package), "-c", "Release", "-o", feed, "-p:ContinuousIntegrationBuild=false");
        File.WriteAllText(Path.Combine(_work, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="poesharp-local" value="{feed}" />
              </packageSources>
            </configuration>
            """);

        var blocks = GuideBlocks(File.ReadAllText(Path.Combine(root, "docs", "GETTING-STARTED.md")));
        Assert.That(blocks.Count(b => b.Language == "csharp"), Is.GreaterThanOrEqualTo(3), "the guide lost its code");
        string lastOutput = "";
        foreach (var (language, body) in blocks)
        {
            if (language == "csharp")
            {
                string first = body.Split('\n')[0];
                Assert.That(first, Does.StartWith("// File: "), "each C# block names its file on its first line");
                string path = Path.Combine(_work, first["// File: ".Length..].Trim());
                File.WriteAllText(path, body);
            }
            else if (language == "sh")
            {
                lastOutput = Run(_work, "bash", "-euo", "pipefail", "-c", body);
            }
        }
        // The last block runs the guide's unit tests.
        Assert.That(lastOutput, Does.Match(@"Passed!\s+-\s+Failed:\s+0, Passed:\s+[1-9]"), lastOutput);

        string runtimeConfig = File.ReadAllText(Path.Combine(_work, "Hello", "bin", "Debug", "net10.0", "Hello.runtimeconfig.json"));
        Assert.That(runtimeConfig, Does.Contain("\"PoeSharp.ForkSafe.Source\": \"package\"").And.Contain("\"System.Runtime.TieredCompilation\": false"),
            "the fork-safe settings did not come with the package");

        using ServerProcess server = ServerProcess.StartProgram(Path.Combine(_work, "Hello", "bin", "Debug", "net10.0", "Hello.dll"), [], null, ["0"]);
        string line = server.WaitForLine(ServerProcess.ListeningLine(), TimeSpan.FromSeconds(30));
        int port = int.Parse(ServerProcess.ListeningLine().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.That(ServerProcess.Eventually(() => server.Children().Count == 2, TimeSpan.FromSeconds(30)), Is.True,
            "two workers were not forked:\n" + server.Tail());

        string answer = AskOneLine(port, "hello");
        Match m = Answer().Match(answer);
        Assert.That(m.Success, Is.True, answer);
        int pid = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.That(pid, Is.Not.EqualTo(server.Pid), "the parent answered; a worker should have");
        Assert.That(server.Seen.Select(p => p.Pid), Does.Contain(pid), "the answer came from a process outside the server's tree");

        server.Signal(ProcessTree.SIGTERM);
        Assert.That(server.WaitAllGone(TimeSpan.FromSeconds(30)), Is.True, "processes were left behind:\n" + server.Tail());
        Assert.That(server.ExitCode, Is.Zero, server.Tail());
    }

    [GeneratedRegex(@"^(\d+) says: hello$")]
    private static partial Regex Answer();

    [GeneratedRegex(@"```(\w+)\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    private static List<(string Language, string Body)> GuideBlocks(string markdown) =>
        FencedBlock().Matches(markdown).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();

    private static string AskOneLine(int port, string text)
    {
        using Socket s = HttpProbe.Connect(port, TimeSpan.FromSeconds(30));
        s.Send(Encoding.ASCII.GetBytes(text + "\n"));
        var received = new StringBuilder();
        var buffer = new byte[256];
        while (!received.ToString().Contains('\n'))
        {
            int n = s.Receive(buffer);
            if (n == 0) break;
            received.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        return received.ToString().TrimEnd('\r', '\n');
    }

    /// <summary>Runs a command to completion in <paramref name="directory"/>; fails the test with its output when it fails.</summary>
    private string Run(string directory, string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args) psi.ArgumentList.Add(a);
        // A NuGet cache of this folder's own: the packages just packed, never a stale copy.
        psi.Environment["NUGET_PACKAGES"] = Path.Combine(_work, "packages");
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        // The test runner's MSBuild settings would point the nested builds at its own SDK state.
        foreach (string name in psi.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            psi.Environment.Remove(name);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start " + program);
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} did not finish in 5 minutes.");
        }
        string output = stdout.Result + stderr.Result;
        Assert.That(process.ExitCode, Is.Zero, $"{program} {string.Join(' ', args)} failed in {directory}:\n{output}");
        return output;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PoeSharp.sln"))) return dir.FullName;
        throw new InvalidOperationException("PoeSharp.sln not found above " + AppContext.BaseDirectory);
    }
}
