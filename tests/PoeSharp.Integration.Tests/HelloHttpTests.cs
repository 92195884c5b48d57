using System.Globalization;
using System.Text.RegularExpressions;
using PoeSharp.Integration.Tests.Support;

namespace PoeSharp.Integration.Tests;

/// <summary>HelloHttp (HttpServer on a PreforkPool) run as a real process tree: answers, 500s, retirement, timeouts, and no process left behind.</summary>
[Category("Integration")]
[NonParallelizable]
public sealed partial class HelloHttpTests : ServerProcessFixture
{
    private const string Example = "HelloHttp";
    // Bounds a wait for something that must happen, so a hang fails the test.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [GeneratedRegex(@"\(pid (\d+)\)")]
    private static partial Regex PidInBody();

    [GeneratedRegex(@"worker (\d+) has not answered for \d+ ms: killing it")]
    private static partial Regex KilledLine();

    private ServerProcess Start(params string[] args) => StartServer(Example, args);

    private static HttpAnswer Get(ServerProcess server, string path)
    {
        List<HttpAnswer> answers = HttpProbe.ParseAll(HttpProbe.Exchange(server.Port, HttpProbe.Request(path, ("Host", "t"), ("Connection", "close"))));
        Assert.That(answers, Has.Count.EqualTo(1));
        return answers[0];
    }

    private static int PidOf(HttpAnswer answer) => int.Parse(PidInBody().Match(answer.Body).Groups[1].Value, CultureInfo.InvariantCulture);

    private static void WaitForWorkers(ServerProcess server, int n) =>
        Assert.That(ServerProcess.Eventually(() => server.Children().Count(c => !c.IsZombie) == n, Patience), Is.True,
            $"expected {n} workers:\n{server.Tail()}");

    private static void StopAndAssertClean(ServerProcess server)
    {
        server.Signal(ProcessTree.SIGTERM);
        Assert.That(server.WaitAllGone(Patience), Is.True, "not every process ended:\n" + server.Tail());
        Assert.That(server.ExitCode, Is.Zero, server.Tail());
    }

    [Test]
    public void A_worker_compiles_no_method_its_parent_prepared()
    {
        // POESHARP_CHILD_COST=1: every worker prints its JIT count since the fork as it exits. The
        // HttpServer and the pool compile the worker's path in the parent before the first fork
        // (a warm-up request through a connection session, the logging path, the kernel), so a
        // worker that serves three requests and retires compiles (almost) nothing.
        ServerProcess server = StartServer(Example, [("POESHARP_CHILD_COST", "1")], "--workers", "1", "--max-requests", "3");
        WaitForWorkers(server, 1);
        for (int i = 0; i < 3; i++) Assert.That(Get(server, "/").Status, Is.EqualTo(200));
        Assert.That(ServerProcess.Eventually(() => server.Count(ChildCost.Line()) >= 1, Patience), Is.True,
            "no CHILDCOST line from the retired worker:\n" + server.Tail());
        var (lines, compiled) = ChildCost.Read(server);
        // The same limit as ForkPerConnection's test: these Debug builds may compile a few one-line
        // accessors that Release inlines. Measured: 0 per worker; before the warm-up, 160.
        Assert.That(compiled, Has.All.LessThan(10), string.Join('\n', lines));
        StopAndAssertClean(server);
    }

    [Test]
    public void Workers_answer_500_for_a_throwing_handler_while_the_other_requests_succeed()
    {
        ServerProcess server = Start("--workers", "3");
        WaitForWorkers(server, 3);

        var answers = new (string Path, HttpAnswer Answer)[60];
        Parallel.For(0, answers.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            string path = i % 4 == 0 ? "/boom" : "/";
            answers[i] = (path, Get(server, path));
        });

        Assert.Multiple(() =>
        {
            foreach (var (path, answer) in answers)
                Assert.That(answer.Status, Is.EqualTo(path == "/boom" ? 500 : 200), path);
        });
        int[] pids = answers.Where(a => a.Path == "/").Select(a => PidOf(a.Answer)).Distinct().ToArray();
        Assert.That(pids, Has.None.EqualTo(server.Pid), "the parent never serves");
        // The access line follows the answer: wait for the last to come through the pipe.
        var boomLine = new Regex("\"GET /boom HTTP/1.1\" 500 ");
        Assert.That(ServerProcess.Eventually(() => server.Count(boomLine) == 15, Patience), Is.True, "one access line per request");
        var helloLine = new Regex("\"GET / HTTP/1.1\" 200 ");
        Assert.That(ServerProcess.Eventually(() => server.Count(helloLine) == 45, Patience), Is.True);
        StopAndAssertClean(server);
    }

    [Test]
    public void A_worker_is_replaced_after_max_requests_and_no_request_fails()
    {
        ServerProcess server = Start("--workers", "2", "--max-requests", "4");
        WaitForWorkers(server, 2);

        var pids = new HashSet<int>();
        for (int i = 0; i < 30; i++)
        {
            HttpAnswer answer = Get(server, "/");
            Assert.That(answer.Status, Is.EqualTo(200), $"request {i}");
            pids.Add(PidOf(answer));
        }
        Assert.That(pids.Count, Is.GreaterThanOrEqualTo(30 / 4), "workers retire after 4 requests and are replaced");
        Assert.That(server.Count(new Regex(@"served 4 requests: retiring")), Is.GreaterThanOrEqualTo(5));
        StopAndAssertClean(server);
    }

    [Test]
    public void HUP_replaces_every_worker_while_requests_keep_succeeding()
    {
        ServerProcess server = Start("--workers", "2");
        WaitForWorkers(server, 2);
        int[] old = server.Children().Select(c => c.Pid).ToArray();

        using var load = new RequestLoop(() => Get(server, "/").Status);
        Assert.That(load.ServesMore(5, Patience), Is.True);
        server.Signal(ProcessTree.SIGHUP);
        bool replaced = ServerProcess.Eventually(() =>
        {
            var live = server.Children().Where(c => !c.IsZombie).Select(c => c.Pid).ToArray();
            return live.Length == 2 && !live.Intersect(old).Any();
        }, Patience);
        Assert.That(load.ServesMore(5, Patience), Is.True, "the new workers serve");
        load.Stop();

        Assert.That(replaced, Is.True, "every old worker was replaced:\n" + server.Tail());
        Assert.That(load.Failed, Is.Zero, $"{load.Failed} of {load.Served + load.Failed} requests failed during the replacement");
        StopAndAssertClean(server);
    }

    [Test]
    public void TTIN_TTOU_and_WINCH_change_the_workers_and_the_status_file_follows()
    {
        string dir = Directory.CreateTempSubdirectory("hellostatus").FullName;
        string status = Path.Combine(dir, "pool.status");
        try
        {
            ServerProcess server = Start("--workers", "2", "--status-file", status);
            WaitForWorkers(server, 2);
            Assert.That(ServerProcess.Eventually(() => WorkerLines(status) == 2, Patience), Is.True, "status file:\n" + server.Tail());
            Assert.That(File.ReadAllLines(status)[1], Does.StartWith($"master pid={server.Pid} ").And.Contain($":{server.Port} "));

            server.Signal(ProcessTree.SIGTTIN);
            WaitForWorkers(server, 3);
            Assert.That(ServerProcess.Eventually(() => WorkerLines(status) == 3, Patience), Is.True);
            server.Signal(ProcessTree.SIGTTOU);
            WaitForWorkers(server, 2);
            Assert.That(Get(server, "/").Status, Is.EqualTo(200));

            server.Signal(ProcessTree.SIGWINCH);
            WaitForWorkers(server, 0);
            Assert.That(ServerProcess.Eventually(() => WorkerLines(status) == 0, Patience), Is.True);
            Assert.That(server.HasExited, Is.False, "the parent stays");

            server.Signal(ProcessTree.SIGHUP);
            WaitForWorkers(server, 2);
            Assert.That(Get(server, "/").Status, Is.EqualTo(200), "the workers are back");

            server.Signal(ProcessTree.SIGQUIT);
            Assert.That(server.WaitAllGone(Patience), Is.True, "not every process ended:\n" + server.Tail());
            Assert.That(server.ExitCode, Is.Zero, server.Tail());
            Assert.That(File.Exists(status), Is.False, "the parent removes its status file");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static int WorkerLines(string path)
    {
        try
        {
            return File.ReadAllLines(path).Count(l => l.StartsWith("worker ", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return -1;
        }
    }

    [Test]
    public void A_worker_stuck_in_its_handler_is_killed_and_replaced()
    {
        ServerProcess server = Start("--workers", "1", "--worker-timeout", "1");
        WaitForWorkers(server, 1);
        int before = PidOf(Get(server, "/"));

        string stuck = HttpProbe.Exchange(server.Port, HttpProbe.Request("/sleep?ms=120000", ("Host", "t")), Patience);
        Assert.That(stuck, Is.Empty, "the killed worker's connection closes without an answer");
        string line = server.WaitForLine(KilledLine(), Patience);
        Assert.That(KilledLine().Match(line).Groups[1].Value, Is.EqualTo(before.ToString(CultureInfo.InvariantCulture)));

        HttpAnswer after = Get(server, "/");
        Assert.That(after.Status, Is.EqualTo(200));
        Assert.That(PidOf(after), Is.Not.EqualTo(before));
        StopAndAssertClean(server);
    }

    [Test]
    public void A_kept_responder_answers_later_without_blocking_the_worker()
    {
        ServerProcess server = Start("--workers", "1");
        WaitForWorkers(server, 1);
        var later = Task.Run(() => Get(server, "/later?ms=2000"));
        HttpAnswer now = Get(server, "/");
        Assert.That(now.Status, Is.EqualTo(200));
        Assert.That(later.IsCompleted, Is.False, "the single worker answered / while /later waited");
        Assert.That(later.Result.Body, Does.StartWith("Later, world!"));
        StopAndAssertClean(server);
    }

    [Test]
    public void Curl_and_Python_http_client_get_their_answers_over_one_kept_connection()
    {
        ServerProcess server = Start("--workers", "2");
        string url = $"http://127.0.0.1:{server.Port}/";
        (int code, string output) = Run("curl", "-sS", "--http1.1", url, "-o", "/dev/null", url + "later?ms=10", "-o", "/dev/null", url + "boom", "-o", "/dev/null", "-w", "%{http_code} %{num_connects}\n");
        Assert.That(code, Is.Zero, output);
        Assert.That(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "200 1", "200 0", "500 0" }),
                    "three answers, one connection (keep-alive)");

        string script = $"""
            import http.client
            c = http.client.HTTPConnection("127.0.0.1", {server.Port}, timeout=20)
            for path in ("/", "/boom", "/later?ms=5", "/"):
                c.request("GET", path)
                r = c.getresponse()
                print(r.status, r.read().decode().split(" (")[0])
            """;
        (code, output) = Run("python3", "-c", script);
        Assert.That(code, Is.Zero, output);
        Assert.That(output.Split('\n', StringSplitOptions.RemoveEmptyEntries),
                    Is.EqualTo(new[] { "200 Hello, world!", "500 Internal Server Error", "200 Later, world!", "200 Hello, world!" }));
        StopAndAssertClean(server);
    }

    private static (int Code, string Output) Run(string program, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) psi.ArgumentList.Add(a);
        System.Diagnostics.Process p;
        try
        {
            p = System.Diagnostics.Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Ignore($"{program} is not installed");
            throw;
        }
        using (p)
        {
            var stderr = p.StandardError.ReadToEndAsync();
            string stdout = p.StandardOutput.ReadToEnd();
            Assert.That(p.WaitForExit((int)Patience.TotalMilliseconds), Is.True, $"{program} did not finish");
            return (p.ExitCode, stdout + stderr.Result);
        }
    }

    [Test]
    public void With_no_workers_one_process_serves_and_TERM_ends_it()
    {
        ServerProcess server = Start("--workers", "0");
        HttpAnswer answer = Get(server, "/");
        Assert.That(PidOf(answer), Is.EqualTo(server.Pid));
        Assert.That(server.Children(), Is.Empty);
        StopAndAssertClean(server);
    }

    [Test]
    public void Help_prints_the_options_and_a_bad_value_is_named()
    {
        using (ServerProcess help = ServerProcess.Start(Example, "--help"))
        {
            Assert.That(help.WaitForExit(Patience), Is.True);
            Assert.That(help.ExitCode, Is.Zero);
            help.WaitForLine(new Regex("stdout: Usage: HelloHttp"), Patience);
        }
        using ServerProcess bad = ServerProcess.Start(Example, "--workers", "many");
        Assert.That(bad.WaitForExit(Patience), Is.True);
        Assert.That(bad.ExitCode, Is.EqualTo(2));
        bad.WaitForLine(new Regex("--workers wants 0 to 1024, not 'many'"), Patience);
    }
}
