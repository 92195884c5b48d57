using System.Text;

namespace PoeSharp.Os.Tests;

/// <summary>The runtime settings the signal-mask bootstrap adds to the environment it re-executes with.</summary>
public sealed class StartupEnvironmentTests
{
    private static List<byte[]> Env(params string[] entries) => entries.Select(e => Encoding.UTF8.GetBytes(e + "\0")).ToList();

    private static string[] Text(List<byte[]> envp) => envp.Select(e => Encoding.UTF8.GetString(e).TrimEnd('\0')).ToArray();

    [Test]
    public void Each_pair_is_added_NUL_terminated()
    {
        var envp = Env("PATH=/bin");
        SignalMaskBootstrap.AddStartupEnvironment(envp, "DOTNET_GCgen0size=80000; DOTNET_GCRegionSize=100000");
        Assert.That(Text(envp), Is.EqualTo(new[] { "PATH=/bin", "DOTNET_GCgen0size=80000", "DOTNET_GCRegionSize=100000" }));
        Assert.That(envp.All(e => e[^1] == 0), Is.True);
    }

    [Test]
    public void A_variable_the_environment_already_has_wins()
    {
        var envp = Env("DOTNET_GCgen0size=400000", "DOTNET_GCgen0sizeX=1");
        SignalMaskBootstrap.AddStartupEnvironment(envp, "DOTNET_GCgen0size=80000");
        Assert.That(Text(envp), Is.EqualTo(new[] { "DOTNET_GCgen0size=400000", "DOTNET_GCgen0sizeX=1" }));
    }

    [Test]
    public void Nothing_and_malformed_pairs_add_nothing()
    {
        var envp = Env("A=1");
        SignalMaskBootstrap.AddStartupEnvironment(envp, null);
        SignalMaskBootstrap.AddStartupEnvironment(envp, "  ");
        SignalMaskBootstrap.AddStartupEnvironment(envp, "novalue;=x;;");
        Assert.That(Text(envp), Is.EqualTo(new[] { "A=1" }));
    }
}
