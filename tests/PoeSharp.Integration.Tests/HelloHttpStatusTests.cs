using System.Text.RegularExpressions;
using PoeSharp.Integration.Tests.Support;

namespace PoeSharp.Integration.Tests;

/// <summary>HelloHttp's status file with real workers: the request in progress, connections, and why a worker went.</summary>
public sealed partial class HelloHttpTests
{
    [Test]
    public void The_status_file_shows_the_request_in_progress_and_why_a_worker_exited()
    {
        string dir = Directory.CreateTempSubdirectory("hellostatus").FullName;
        string status = Path.Combine(dir, "pool.status");
        try
        {
            ServerProcess server = Start("--workers", "1", "--status-file", status, "--max-requests", "3");
            WaitForWorkers(server, 1);
            var slow = Task.Run(() => Get(server, "/later?ms=8000"));
            var busy = new Regex(@"^worker pid=\d+ slot=0 .* accepted=1 method=GET target=/later\?ms=8000 for=\d+\.\d$");
            Assert.That(ServerProcess.Eventually(() => ReadStatus(status).Any(busy.IsMatch), Patience), Is.True,
                "the request in progress:\n" + string.Join('\n', ReadStatus(status)));
            Assert.That(slow.Result.Status, Is.EqualTo(200));
            Assert.That(Get(server, "/").Status, Is.EqualTo(200));
            Assert.That(Get(server, "/").Status, Is.EqualTo(200));   // the third: the worker retires
            Assert.That(ServerProcess.Eventually(() => ReadStatus(status).Any(l => l.StartsWith("exit ", StringComparison.Ordinal)
                                                                                && l.Contains(" reason=max-requests ", StringComparison.Ordinal)), Patience),
                Is.True, "the retired worker's exit:\n" + string.Join('\n', ReadStatus(status)));
            // Written at the reap, then again once the replacement is forked.
            Assert.That(ServerProcess.Eventually(() => ReadStatus(status) is [_, var master, ..] && master.Contains(" respawns=1 accepted=3", StringComparison.Ordinal), Patience),
                Is.True, string.Join('\n', ReadStatus(status)));
            StopAndAssertClean(server);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string[] ReadStatus(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (IOException)
        {
            return [];
        }
    }
}
