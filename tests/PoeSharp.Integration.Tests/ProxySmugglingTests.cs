using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using PoeSharp.Integration.Tests.Support;

namespace PoeSharp.Integration.Tests;

/// <summary>
/// Hostile traffic through a real front proxy: HAProxy in front of PreforkHttpd, fed the shared
/// conformance cases and the classic desync shapes. Request smuggling lives between two parsers,
/// so for every vector the backend must handle at most the requests the proxy forwarded, and no
/// answer may reach another client (a victim request follows every vector on a fresh connection
/// and must get its own answer). The proxy's own rejections are recorded.
/// </summary>
/// <remarks>
/// Needs haproxy: when it is missing and the tests run as root, it is installed with apt-get;
/// otherwise the test fails and says how to install it. Set POESHARP_SMUGGLING_RESULTS to a folder
/// to get each mode's results table there as Markdown (docs/SMUGGLING.md is made from them).
/// </remarks>
[Category("Proxy")]
[NonParallelizable]
public sealed partial class ProxySmugglingTests : ServerProcessFixture
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [GeneratedRegex(@"Client handler \d+/\d+ is handling a request\.")]
    private static partial Regex Handling();

    [GeneratedRegex(@"Client handler \d+/\d+ started\.")]
    private static partial Regex HandlerStarted();

    [GeneratedRegex(@"Client handler \d+/\d+ stopped\.")]
    private static partial Regex HandlerStopped();

    /// <summary>
    /// server-close: HAProxy closes the backend connection after each response, PreforkHttpd closes
    /// after each answer. keep-alive: HAProxy keeps backend connections and reuses them for any
    /// client (http-reuse always), PreforkHttpd runs with --keep-alive: the set-up in which a
    /// desync would hand one client's answer to another.
    /// </summary>
    [TestCase("server-close", "option http-server-close")]
    [TestCase("keep-alive", "http-reuse always")]
    public void No_vector_makes_the_backend_handle_more_than_the_proxy_forwarded_nor_answers_another_client(string mode, string backendOptions)
    {
        string haproxy = HaproxyProcess.EnsureInstalled();
        string[] serverArgs = mode == "keep-alive" ? ["--debug", "-n", "2", "--no-churn", "--keep-alive", "--max-requests", "1000"] : ["--debug", "-n", "2", "--no-churn"];
        ServerProcess server = StartServer("PreforkHttpd", serverArgs);
        var rows = new List<string>();
        var failures = new List<string>();
        int totalForwarded = 0, totalInterim = 0, carried = 0;
        bool closesEach = mode == "server-close";
        using (HaproxyProcess proxy = HaproxyProcess.Start(haproxy, server.Port, backendOptions))
        {
            // The set-up works: a plain request goes through and comes back with its own marker.
            ProxiedExchange plain = ProxiedExchange.Run(proxy.Port, Victim("plain"), Patience);
            Assert.That(plain.Responses, Is.EqualTo(new[] { (200, new[] { "victim-plain" }) }).AsCollection, proxy.Output);
            totalForwarded++;
            Assert.That(ServerProcess.Eventually(() => server.Count(Handling()) == 1, Patience), Is.True, server.Tail());

            foreach (SmugglingVector vector in SmugglingVector.Classic().Concat(SmugglingVector.Imported()))
            {
                int before = server.Count(Handling());
                ProxiedExchange attack = ProxiedExchange.Run(proxy.Port, vector.Bytes, Patience);
                ProxiedExchange victim = ProxiedExchange.Run(proxy.Port, Victim(vector.Id), Patience);

                // HAProxy (one thread) logs the attack's requests before the victim's, which ends later.
                Assert.That(ServerProcess.Eventually(() => proxy.Log().Any(l => l.ClientPort == victim.LocalPort), Patience), Is.True,
                    $"{vector.Id}: haproxy did not log the victim request:\n{proxy.Output}");
                List<HaproxyLogLine> log = proxy.Log();
                List<HaproxyLogLine> attackLog = log.Where(l => l.ClientPort == attack.LocalPort).ToList();
                List<HaproxyLogLine> both = [.. attackLog, .. log.Where(l => l.ClientPort == victim.LocalPort)];
                int forwarded = both.Count(l => l.Forwarded);
                // A "100 Continue" goes through the same event as a request: one more handled record.
                int interim = attack.Responses.Count(r => r.Status == 100);
                totalForwarded += forwarded;
                totalInterim += interim;
                // Every request the backend answered is counted once its log line is in (the answer
                // can arrive before the log line). With server-close every backend connection ends
                // with the exchange, so the count settles once all have stopped. A forwarded request
                // that was not answered (the client left mid-body) may still be handled later, with
                // a later vector: that allowance carries over until used.
                int answered = both.Count(l => l.AnsweredByBackend);
                bool settled = ServerProcess.Eventually(() => server.Count(Handling()) - before >= answered
                    && (!closesEach || server.Count(HandlerStopped()) >= server.Count(HandlerStarted())), Patience);
                int handled = server.Count(Handling()) - before;

                var problems = new List<string>();
                if (!settled) problems.Add("the backend did not finish the proxied requests");
                if (handled > forwarded + interim + carried)
                    problems.Add($"the backend handled {handled} requests, the proxy forwarded {forwarded} (and {interim} interim answers came back)");
                carried = Math.Max(0, carried + (forwarded - answered) - Math.Max(0, handled - answered - interim));
                if (victim.Responses.Count != 1 || victim.Responses[0].Status != 200 || !victim.EchoedIds.SequenceEqual([$"victim-{vector.Id}"]))
                    problems.Add($"the victim got [{Describe(victim)}] instead of its own answer");
                if (attack.EchoedIds.FirstOrDefault(id => !attackLog.Any(l => l.VectorId == id)) is string stray)
                    problems.Add($"the attacker got an answer to a request the proxy never forwarded for it ({stray})");
                if (attack.Responses.Count(r => r.Status is < 100 or >= 200) > Math.Max(1, attackLog.Count))
                    problems.Add($"the attacker got {attack.Responses.Count} responses for {attackLog.Count} proxied requests");
                foreach (string p in problems) failures.Add($"{vector.Id}: {p}");

                // Each proxied request as status and termination state (see HAProxy's "Session state at disconnection").
                string logged = string.Join(", ", attackLog.Select(l => FormattableString.Invariant($"{l.Status} {l.TerminationState}")).DefaultIfEmpty("nothing logged"));
                // Whether a rejection is logged as CR or PR depends on when the client's FIN arrives: the status alone.
                string proxyVerdict = attackLog.All(l => !l.Forwarded)
                    ? $"stopped ({string.Join(", ", attackLog.Select(l => l.Status.ToString(CultureInfo.InvariantCulture)).DefaultIfEmpty("nothing logged"))})"
                    : $"forwarded {attackLog.Count(l => l.Forwarded)} ({logged})";
                rows.Add($"| `{vector.Id}` | {Cell(vector.What)} | {proxyVerdict} | {Describe(attack)}{(attack.TimedOut ? " (no close)" : "")} | {handled - interim - (victim.Responses.Count == 1 ? 1 : 0)}{(interim > 0 ? $" (+{interim} interim)" : "")} | {(problems.Count == 0 ? "ok" : "FAIL: " + Cell(string.Join("; ", problems)))} |");
            }
        }

        // The proxy is gone, so every backend connection closes: the totals are now final.
        Assert.That(ServerProcess.Eventually(() => server.Count(HandlerStopped()) >= server.Count(HandlerStarted()), Patience), Is.True,
            "backend connections stayed open after the proxy stopped:\n" + server.Tail());
        int totalHandled = server.Count(Handling());
        if (totalHandled > totalForwarded + totalInterim) failures.Add($"in total the backend handled {totalHandled} requests, the proxy forwarded {totalForwarded}");

        WriteResults(mode, backendOptions, rows, totalHandled, totalForwarded, totalInterim);
        server.Signal(ProcessTree.SIGTERM);
        Assert.That(server.WaitAllGone(Patience), Is.True, server.Tail());
        Assert.That(failures, Is.Empty, string.Join('\n', failures));
    }

    private static byte[] Victim(string id) =>
        Encoding.ASCII.GetBytes($"GET /victim HTTP/1.1\r\nHost: backend\r\nX-Vector-Id: victim-{id}\r\n\r\n");

    private static string Describe(ProxiedExchange e) =>
        e.Responses.Count == 0 ? "none" : string.Join(' ', e.Responses.Select(r => r.Status < 0 ? "garbage" : r.Status.ToString(CultureInfo.InvariantCulture)));

    private static string Cell(string s) => SmugglingVector.Escape(s).Replace("|", "\\|", StringComparison.Ordinal);

    private static void WriteResults(string mode, string backendOptions, List<string> rows, int handled, int forwarded, int interim)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"### Mode `{mode}` (`{backendOptions}`)");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"{rows.Count} vectors; in total the backend handled {handled} records and the proxy forwarded {forwarded} requests, victims and the first plain request included ({interim} of the records were interim 100 Continue answers).");
        md.AppendLine();
        md.AppendLine("| Vector | What | Proxy | Client got | Backend requests | Verdict |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (string row in rows) md.AppendLine(row);
        string text = md.ToString();
        File.WriteAllText(Path.Combine(TestContext.CurrentContext.WorkDirectory, $"smuggling-{mode}.md"), text);
        if (Environment.GetEnvironmentVariable("POESHARP_SMUGGLING_RESULTS") is { Length: > 0 } dir)
            File.WriteAllText(Path.Combine(dir, $"smuggling-{mode}.md"), text);
    }
}
