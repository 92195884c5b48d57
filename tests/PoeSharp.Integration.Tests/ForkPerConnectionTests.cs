using System.Globalization;
using System.Text.RegularExpressions;
using PoeSharp.Integration.Tests.Support;

namespace PoeSharp.Integration.Tests;

/// <summary>ForkPerConnection as a real process: one child per connection, each reaped by pid.</summary>
[Category("Integration")]
[NonParallelizable]
public sealed partial class ForkPerConnectionTests : ServerProcessFixture
{

    [Test]
    public void Each_connection_is_answered_by_its_own_child_which_is_reaped()
    {
        ServerProcess server = StartServer("ForkPerConnection", "--quiet", "--max-processes", "8");
        var answers = new HttpAnswer[40];
        Parallel.For(0, answers.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            answers[i] = HttpProbe.Get(server.Port, ("Host", "fpc.test"), ("X-Request", i.ToString())));

        Assert.That(answers.Select(a => a.Status), Is.All.EqualTo(200));
        Assert.That(answers.Select((a, i) => a.Rows()[1].Value == i.ToString()), Is.All.True);
        Assert.That(answers.Select(a => a.Pid).Distinct().Count(), Is.EqualTo(answers.Length), "a child served two connections");
        Assert.That(answers.Select(a => a.Pid), Has.None.EqualTo(server.Pid), "the parent served a request itself");
        Assert.That(ServerProcess.Eventually(() => server.Children().Count == 0, TimeSpan.FromSeconds(30)), Is.True,
            "children were left running or unreaped");

        server.Signal(ProcessTree.SIGTERM);
        Assert.That(server.WaitAllGone(TimeSpan.FromSeconds(30)), Is.True, server.Tail());
        Assert.That(server.ExitCode, Is.Zero, server.Tail());
    }

    [Test]
    public void A_child_compiles_no_method_its_parent_prepared()
    {
        // POESHARP_CHILD_COST=1: every child prints its JIT count since the fork as it exits.
        // The child path (HasForked, dropping the listener, _child/_stop, the request with a
        // Connection header) is compiled in the parent, so a child compiles (almost) nothing.
        ServerProcess server = StartServer("ForkPerConnection", [("POESHARP_CHILD_COST", "1")], "--quiet");
        for (int i = 0; i < 3; i++)
        {
            string raw = HttpProbe.Exchange(server.Port, "GET / HTTP/1.1\r\nHost: cost.test\r\nConnection: close\r\n\r\n");
            Assert.That(HttpProbe.ParseAll(raw).Select(a => a.Status), Is.EqualTo(new[] { 200 }), raw);
        }
        Assert.That(ServerProcess.Eventually(() => server.Count(ChildCost.Line()) >= 3, TimeSpan.FromSeconds(30)), Is.True,
            "no CHILDCOST line from the children:\n" + server.Tail());
        var (lines, compiled) = ChildCost.Read(server);
        // A Release child compiles none (docs/FORK-SAFETY.md, "Cost of a child"); these Debug builds
        // also compile a few one-line accessors that Release inlines: 2 to 7 per child, depending
        // on which paths the timing of each connection takes. Before the child path was prepared,
        // a child compiled 16 or more.
        Assert.That(compiled, Has.All.LessThan(10), string.Join('\n', lines));

        server.Signal(ProcessTree.SIGTERM);
        Assert.That(server.WaitAllGone(TimeSpan.FromSeconds(30)), Is.True, server.Tail());
    }

    [Test]
    public void Sigint_to_the_group_lets_an_inflight_request_finish_and_ends_every_process()
    {
        ServerProcess server = StartServer("ForkPerConnection", "--quiet");
        using var socket = HttpProbe.Connect(server.Port);
        socket.Send("GET / HTTP/1.1\r\nHost: late\r\n"u8.ToArray());
        Assert.That(ServerProcess.Eventually(() => server.Children().Count == 1, TimeSpan.FromSeconds(30)), Is.True,
            "no child was forked for the connection:\n" + server.Tail());
        server.SignalGroup(ProcessTree.SIGINT);
        Thread.Sleep(200);
        socket.Send("\r\n"u8.ToArray());
        List<HttpAnswer> answers = HttpProbe.ParseAll(HttpProbe.ReadToEnd(socket));
        Assert.That(answers.Select(a => a.Status), Is.EqualTo(new[] { 200 }));
        Assert.That(server.WaitAllGone(TimeSpan.FromSeconds(30)), Is.True, server.Tail());
        Assert.That(server.ExitCode, Is.Zero, server.Tail());
    }
}
