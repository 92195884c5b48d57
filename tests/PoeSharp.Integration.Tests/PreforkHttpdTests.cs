using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using PoeSharp.Integration.Tests.Support;

namespace PoeSharp.Integration.Tests;

/// <summary>PreforkHttpd run as a real process tree: HTTP answers, churn, signals, and no process left behind.</summary>
[Category("Integration")]
[NonParallelizable]
public sealed partial class PreforkHttpdTests : ServerProcessFixture
{
    private const string Example = "PreforkHttpd";
    // Bounds a wait for something that must happen, so a hang fails the test: generous, because a
    // busy machine may need seconds for a process to start, JIT and exit.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [GeneratedRegex(@"^Server (\d+) forked child (\d+)$")]
    private static partial Regex Forked();

    [GeneratedRegex(@"^Server (\d+) reaped child (\d+)\. \(wait status (\d+)\)$")]
    private static partial Regex Reaped();

    private ServerProcess Start(params string[] args) => StartServer(Example, args);

    /// <summary>Waits until the listener has forked <paramref name="n"/> children and they are running.</summary>
    private static void WaitForChildren(ServerProcess server, int n) =>
        Assert.That(ServerProcess.Eventually(() => server.Children().Count(c => !c.IsZombie) == n, Patience), Is.True,
            $"expected {n} children:\n{server.Tail()}");

    private static void StopAndAssertClean(ServerProcess server, int signal = ProcessTree.SIGTERM)
    {
        server.Signal(signal);
        Assert.That(server.WaitAllGone(Patience), Is.True, $"not every process ended within {Patience.TotalSeconds} s:\n" + server.Tail());
        Assert.That(server.ExitCode, Is.Zero, server.Tail());
    }

    [Test]
    public void Concurrent_requests_are_all_answered_with_the_header_table_by_several_processes()
    {
        ServerProcess server = Start("--max-processes", "4", "--no-churn", "--quiet");
        WaitForChildren(server, 4);

        var answers = new HttpAnswer[60];
        Parallel.For(0, answers.Length, new ParallelOptions { MaxDegreeOfParallelism = 12 }, i =>
            answers[i] = HttpProbe.Get(server.Port, ("Host", "example.test"), ("X-Request", i.ToString()), ("X-Multi", "a"),
                ("User-Agent", "probe/1"), ("X-Multi", "b")));

        Assert.Multiple(() =>
        {
            for (int i = 0; i < answers.Length; i++)
            {
                HttpAnswer a = answers[i];
                Assert.That(a.StatusLine, Is.EqualTo("HTTP/1.1 200 OK"));
                Assert.That(a.Header("Content-Type"), Is.EqualTo("text/html"));
                Assert.That(a.Header("Connection"), Is.EqualTo("close"));
                Assert.That(a.Header("Date"), Does.EndWith(" GMT"));
                Assert.That(int.Parse(a.Header("Content-Length")!), Is.EqualTo(Encoding.UTF8.GetByteCount(a.Body)));
                Assert.That(a.Rows(), Is.EqualTo(new[]
                {
                    ("Host", "example.test"), ("X-Request", i.ToString()), ("X-Multi", "a, b"), ("User-Agent", "probe/1"),
                }));
                Assert.That(a.Body, Does.Match(@"<tr><td>time</td><td>\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} GMT</td></tr></table></body></html>$"));
            }
        });
        int[] pids = answers.Select(a => a.Pid).Distinct().ToArray();
        Assert.That(pids, Has.Length.GreaterThan(1), "every answer came from one process");
        int[] tree = server.Seen.Select(p => p.Pid).ToArray();
        Assert.That(pids, Is.SubsetOf(tree), "an answer came from a process outside the server's tree");
        StopAndAssertClean(server);
    }

    [Test]
    public void With_churn_children_are_replaced_and_no_request_fails()
    {
        ServerProcess server = Start("--max-processes", "3", "--churn");
        WaitForChildren(server, 3);

        // The parent accepts too (as in the original) and never churns, so how many requests the
        // children get depends on scheduling: send batches until churn has been seen (bounded).
        var answers = new List<HttpAnswer>();
        for (int batch = 0; batch < 25 && (answers.Count == 0 || server.Count(Reaped()) == 0 || server.Count(Forked()) <= 3); batch++)
        {
            var round = new HttpAnswer[120];
            int first = answers.Count;
            Parallel.For(0, round.Length, new ParallelOptions { MaxDegreeOfParallelism = 6 }, i =>
                round[i] = HttpProbe.Get(server.Port, ("Host", "churn.test"), ("X-Request", (first + i).ToString())));
            answers.AddRange(round);
        }

        Assert.That(answers.Select(a => a.Status), Is.All.EqualTo(200));
        Assert.That(answers.Select((a, i) => a.Rows()[1].Value == i.ToString()), Is.All.True, "an answer went to the wrong request");
        Assert.That(server.Count(Reaped()), Is.GreaterThan(0), "no child stopped under churn:\n" + server.Tail());
        Assert.That(server.Count(Forked()), Is.GreaterThan(3), "no child was replaced:\n" + server.Tail());
        // The pool is refilled after the churn.
        WaitForChildren(server, 3);
        Assert.That(server.Children().Where(c => c.IsZombie), Is.Empty, "unreaped children");
        StopAndAssertClean(server);
    }

    [Test]
    public void Debug_output_has_the_original_messages()
    {
        ServerProcess server = Start("--max-processes", "2", "--no-churn");
        WaitForChildren(server, 2);
        HttpAnswer a = HttpProbe.Get(server.Port, ("Host", "x"));
        Assert.That(a.Status, Is.EqualTo(200));
        server.WaitForLine(new Regex($@"^Client handler {a.Pid}/\d+ stopped\.$"), Patience);
        string log = server.Stderr;
        Assert.Multiple(() =>
        {
            Assert.That(log, Does.Match($@"Server {server.Pid} has begun listening on port {server.Port}"));
            Assert.That(log, Does.Match($@"PreforkHttpd \d+\.\d+\.\d+\S* \(pid {server.Pid}\): http://127\.0\.0\.1:{server.Port}/ \(bound to 127\.0\.0\.1:{server.Port}\), 2 worker processes"),
                "the start-up banner");
            Assert.That(server.Count(Forked()), Is.EqualTo(2));
            Assert.That(log, Does.Match($@"Server {a.Pid} received a connection\."));
            Assert.That(log, Does.Match($@"Client handler {a.Pid}/\d+ started\."));
            Assert.That(log, Does.Match($@"Client handler {a.Pid}/\d+ is handling a request\."));
            Assert.That(log, Does.Match($@"Client handler {a.Pid}/\d+ flushed its response\."));
            Assert.That(log, Does.Match($@"Client handler {a.Pid}/\d+ is shutting down\."));
        });
        StopAndAssertClean(server);
        Assert.That(server.Stderr, Does.Match($@"Server {server.Pid} reaped child \d+\. \(wait status \d+\)"));
    }

    [Test]
    public void Sigint_to_the_process_group_ends_every_process()
    {
        ServerProcess server = Start("--max-processes", "3", "--quiet");
        WaitForChildren(server, 3);
        server.SignalGroup(ProcessTree.SIGINT);
        Assert.That(server.WaitAllGone(Patience), Is.True, $"not every process ended within {Patience.TotalSeconds} s:\n" + server.Tail());
        Assert.That(server.ExitCode, Is.Zero, server.Tail());
    }

    [Test]
    public void Sigterm_to_the_parent_alone_finishes_an_inflight_request_then_ends_every_process()
    {
        ServerProcess server = Start("--max-processes", "2", "--no-churn", "--quiet");
        WaitForChildren(server, 2);
        using Socket s = HttpProbe.Connect(server.Port);
        s.Send("GET / HTTP/1.1\r\nHost: late\r\n"u8.ToArray());
        Assert.That(ServerProcess.Eventually(() => HttpProbe.IsAccepted(s), Patience), Is.True,
            "no process accepted the connection:\n" + server.Tail());
        // Now some process owns the connection, with the request half read.
        server.Signal(ProcessTree.SIGTERM);
        Thread.Sleep(200);
        s.Send("\r\n"u8.ToArray());
        List<HttpAnswer> answers = HttpProbe.ParseAll(HttpProbe.ReadToEnd(s));
        Assert.That(answers, Has.Count.EqualTo(1));
        Assert.That(answers[0].Status, Is.EqualTo(200));
        Assert.That(server.WaitAllGone(Patience), Is.True, $"not every process ended within {Patience.TotalSeconds} s:\n" + server.Tail());
        Assert.That(server.ExitCode, Is.Zero, server.Tail());
    }

    [Test]
    public void A_killed_child_is_reaped_and_replaced()
    {
        ServerProcess server = Start("--max-processes", "3", "--no-churn");
        WaitForChildren(server, 3);
        ProcInfo victim = server.Children()[0];
        ProcessTree.Kill(victim.Pid, ProcessTree.SIGKILL);
        server.WaitForLine(new Regex($@"^Server {server.Pid} reaped child {victim.Pid}\. \(wait status 9\)$"), Patience);
        WaitForChildren(server, 3);
        Assert.That(server.Children().Select(c => c.Pid), Does.Not.Contain(victim.Pid));
        Assert.That(ServerProcess.Eventually(() => server.Count(Forked()) == 4, Patience), Is.True, server.Tail());
        Assert.That(HttpProbe.Get(server.Port, ("Host", "x")).Status, Is.EqualTo(200));
        StopAndAssertClean(server);
    }

    [Test]
    public void Sighup_replaces_every_child()
    {
        ServerProcess server = Start("--max-processes", "3", "--no-churn");
        WaitForChildren(server, 3);
        int[] before = server.Children().Select(c => c.Pid).ToArray();
        server.Signal(ProcessTree.SIGHUP);
        Assert.That(ServerProcess.Eventually(() =>
        {
            var now = server.Children().Where(c => !c.IsZombie).Select(c => c.Pid).ToArray();
            return now.Length == 3 && !now.Intersect(before).Any();
        }, TimeSpan.FromSeconds(10)), Is.True, server.Tail());
        Assert.That(server.HasExited, Is.False);
        StopAndAssertClean(server);
    }

    [Test]
    public void Keep_alive_answers_pipelined_requests_in_order_on_one_connection()
    {
        ServerProcess server = Start("--max-processes", "1", "--no-churn", "--quiet", "--keep-alive", "--max-requests", "3");
        WaitForChildren(server, 1);
        using Socket s = HttpProbe.Connect(server.Port);
        s.Send(Encoding.ASCII.GetBytes(
            HttpProbe.Request("/", ("Host", "a"), ("X-N", "1")) +
            HttpProbe.Request("/", ("Host", "a"), ("X-N", "2")) +
            HttpProbe.Request("/", ("Host", "a"), ("X-N", "3"))));
        // The third request reaches --max-requests, so the server closes after answering it.
        List<HttpAnswer> answers = HttpProbe.ParseAll(HttpProbe.ReadToEnd(s));
        Assert.That(answers.Select(a => a.Rows()[1].Value), Is.EqualTo(new[] { "1", "2", "3" }));
        // HTTP/1.1 connections persist unless a response says otherwise.
        Assert.That(answers.Select(a => a.Header("Connection")), Is.EqualTo(new[] { null, null, "close" }));
        StopAndAssertClean(server);
    }

    [GeneratedRegex(@"^Server \d+ got accept error 24: .*; accepting again shortly\.$")]
    private static partial Regex OutOfDescriptors();

    [Test]
    public void Running_out_of_descriptors_neither_stops_nor_spins_the_server()
    {
        // 128 descriptors per process, about 70 of them the runtime's: a few hundred idle
        // connections exhaust both processes, and the rest wait in the backlog.
        ServerProcess server = StartServerWithDescriptorLimit(Example, 128, "--max-processes", "1", "--no-churn", "--read-timeout", "30");
        WaitForChildren(server, 1);
        var idle = new List<Socket>();
        try
        {
            for (int i = 0; i < 300; i++) idle.Add(HttpProbe.Connect(server.Port, Patience));
            Assert.That(ServerProcess.Eventually(() => server.Count(OutOfDescriptors()) > 0, TimeSpan.FromSeconds(10)), Is.True,
                "no process ran out of descriptors:\n" + server.Tail());
            int before = server.Count(OutOfDescriptors());
            var window = Stopwatch.StartNew();
            Thread.Sleep(1000);
            int during = server.Count(OutOfDescriptors()) - before;
            // Each process retries once per AcceptErrorDelay (100 ms); retrying on every
            // readiness instead would print thousands of lines a second.
            double bound = 3 * 2 * (window.Elapsed.TotalSeconds / 0.1 + 2);
            Assert.That(during, Is.LessThan(bound), "accept errors while exhausted:\n" + server.Tail());
            Assert.That(server.HasExited, Is.False, server.Tail());
        }
        finally
        {
            foreach (Socket s in idle) s.Dispose();
        }

        HttpAnswer? answer = null;
        Assert.That(ServerProcess.Eventually(() =>
        {
            try
            {
                answer = HttpProbe.Get(server.Port, ("Host", "after.test"));
                return answer.Status == 200;
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                return false;
            }
        }, Patience), Is.True, "no answer once the descriptors were free:\n" + server.Tail());
        Assert.That(server.Count(new Regex(@"^Server \d+ is shutting down\.$")), Is.Zero, server.Tail());
        StopAndAssertClean(server);
    }

    [Test]
    public void A_client_that_sends_nothing_is_dropped_after_the_read_timeout()
    {
        ServerProcess server = Start("--max-processes", "1", "--no-churn", "--quiet", "--read-timeout", "0.5");
        WaitForChildren(server, 1);
        using Socket s = HttpProbe.Connect(server.Port, Patience);
        var sw = Stopwatch.StartNew();
        string got = HttpProbe.ReadToEnd(s);
        // The server closes after 0.5 s; the bound only tells that from never (a busy machine is slow).
        Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(15)));
        Assert.That(got, Is.Empty.Or.StartWith("HTTP/1.1 408"));
        StopAndAssertClean(server);
    }

    [Test]
    public void Help_exits_zero_and_a_bad_value_exits_two_with_a_message()
    {
        using (ServerProcess help = ServerProcess.Start(Example, "--help"))
        {
            Assert.That(help.WaitForExit(TimeSpan.FromSeconds(20)), Is.True);
            Assert.That(help.ExitCode, Is.Zero);
            Assert.That(help.Stderr, Does.Contain("--max-processes"));
        }
        using ServerProcess bad = ServerProcess.Start(Example, "--port", "99999");
        Assert.That(bad.WaitForExit(TimeSpan.FromSeconds(20)), Is.True);
        Assert.That(bad.ExitCode, Is.EqualTo(2));
        Assert.That(bad.Stderr, Does.Contain("--port must be a whole number from 0 to 65535"));
    }
}
