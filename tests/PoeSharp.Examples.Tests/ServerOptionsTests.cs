using System.Net;
using PoeSharp.Examples;

namespace PoeSharp.Examples.Tests;

public class ServerOptionsTests
{
    [Test]
    public void Defaults_are_the_original_constants()
    {
        OptionsParseResult r = ServerOptions.Parse([], ExampleKind.Prefork);
        Assert.That(r.Error, Is.Null);
        ServerOptions o = r.Options!;
        Assert.Multiple(() =>
        {
            Assert.That(o.Port, Is.EqualTo(8888));
            Assert.That(o.MaxProcesses, Is.EqualTo(10));
            Assert.That(o.Churn, Is.True);
            Assert.That(o.Debug, Is.True);
            Assert.That(o.KeepAlive, Is.False);
            Assert.That(o.ChurnProbability, Is.EqualTo(0.25));
            // An addition (the original has no persistent connections): nginx's keepalive_requests.
            Assert.That(o.MaxRequests, Is.EqualTo(1000));
        });
    }

    [Test]
    public void Every_option_is_read_in_both_spellings()
    {
        OptionsParseResult r = ServerOptions.Parse(
            ["--port", "0", "--max-processes=3", "--no-churn", "--quiet", "--keep-alive", "--keep-alive-timeout", "1.5",
             "--max-requests=7", "--read-timeout", "2", "--shutdown-timeout=3", "--address", "127.0.0.1"],
            ExampleKind.Prefork);
        Assert.That(r.Error, Is.Null);
        ServerOptions o = r.Options!;
        Assert.Multiple(() =>
        {
            Assert.That(o.Port, Is.Zero);
            Assert.That(o.MaxProcesses, Is.EqualTo(3));
            Assert.That(o.Churn, Is.False);
            Assert.That(o.Debug, Is.False);
            Assert.That(o.KeepAlive, Is.True);
            Assert.That(o.KeepAliveTimeout, Is.EqualTo(TimeSpan.FromSeconds(1.5)));
            Assert.That(o.MaxRequests, Is.EqualTo(7));
            Assert.That(o.ReadTimeout, Is.EqualTo(TimeSpan.FromSeconds(2)));
            Assert.That(o.ShutdownTimeout, Is.EqualTo(TimeSpan.FromSeconds(3)));
            Assert.That(o.Address, Is.EqualTo(IPAddress.Loopback));
        });
    }

    [Test]
    public void The_last_of_a_pair_wins()
    {
        ServerOptions o = ServerOptions.Parse(["--quiet", "--debug", "--no-churn", "--churn"], ExampleKind.Prefork).Options!;
        Assert.That((o.Debug, o.Churn), Is.EqualTo((true, true)));
    }

    [Test]
    public void Exclusive_accept_is_on_by_default_and_for_PreforkHttpd_only()
    {
        Assert.That(ServerOptions.Parse([], ExampleKind.Prefork).Options!.ExclusiveAccept, Is.True);
        Assert.That(ServerOptions.Parse(["--no-exclusive-accept"], ExampleKind.Prefork).Options!.ExclusiveAccept, Is.False);
        Assert.That(ServerOptions.Parse(["--no-exclusive-accept", "--exclusive-accept"], ExampleKind.Prefork).Options!.ExclusiveAccept, Is.True);
        Assert.That(ServerOptions.Parse(["--no-exclusive-accept"], ExampleKind.ForkPerConnection).Error, Does.Contain("PreforkHttpd only"));
        Assert.That(ServerOptions.HelpText(ExampleKind.Prefork), Does.Contain("--exclusive-accept").And.Contain("--no-exclusive-accept"));
    }

    [TestCase("--port", "65536", "--port must be a whole number from 0 to 65535")]
    [TestCase("--port", "-1", "--port must be")]
    [TestCase("--port", "http", "not 'http'")]
    [TestCase("--max-processes", "2000", "--max-processes must be a whole number from 0 to 1024")]
    [TestCase("--read-timeout", "0", "--read-timeout must be a number of seconds")]
    [TestCase("--address", "localhost", "--address must be an IP address")]
    public void A_bad_value_is_named_with_what_to_use(string name, string value, string expected)
    {
        OptionsParseResult r = ServerOptions.Parse([name, value], ExampleKind.Prefork);
        Assert.That(r.Options, Is.Null);
        Assert.That(r.Error, Does.Contain(expected));
    }

    [Test]
    public void A_missing_value_and_an_unknown_option_are_errors()
    {
        Assert.That(ServerOptions.Parse(["--port"], ExampleKind.Prefork).Error, Is.EqualTo("--port needs a value."));
        Assert.That(ServerOptions.Parse(["--prot", "1"], ExampleKind.Prefork).Error, Is.EqualTo("unknown option '--prot'."));
    }

    [Test]
    public void PreforkHttpd_takes_max_processes_0_for_the_parent_alone()
    {
        Assert.That(ServerOptions.Parse(["--max-processes", "0"], ExampleKind.Prefork).Options!.MaxProcesses, Is.Zero);
        Assert.That(ServerOptions.HelpText(ExampleKind.Prefork), Does.Contain("with 0"));
    }

    [Test]
    public void Churn_is_refused_by_fork_per_connection_which_has_no_long_lived_children()
    {
        Assert.That(ServerOptions.Parse(["--no-churn"], ExampleKind.ForkPerConnection).Error, Does.Contain("PreforkHttpd only"));
        Assert.That(ServerOptions.Parse(["--max-processes", "0"], ExampleKind.ForkPerConnection).Error, Does.Contain("from 1 to 1024"));
    }

    [Test]
    public void Help_is_recognised_and_describes_every_option()
    {
        Assert.That(ServerOptions.Parse(["--port", "1", "--help"], ExampleKind.Prefork).HelpRequested, Is.True);
        string help = ServerOptions.HelpText(ExampleKind.Prefork);
        foreach (string option in new[] { "--port", "--max-processes", "--churn", "--no-churn", "--debug", "--quiet", "--keep-alive", "--help" })
            Assert.That(help, Does.Contain(option));
    }
}
