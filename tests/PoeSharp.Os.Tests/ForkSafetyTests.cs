namespace PoeSharp.Os.Tests;

/// <summary>The readiness check names each problem and the exact fix.</summary>
[NonParallelizable]
public sealed class ForkSafetyTests
{
    private readonly List<string> _restore = new();

    [TearDown]
    public void TearDown()
    {
        foreach (string name in _restore) Environment.SetEnvironmentVariable(name, null);
        _restore.Clear();
    }

    private void SetEnv(string name, string value)
    {
        _restore.Add(name);
        Environment.SetEnvironmentVariable(name, value);
    }

    [Test]
    public void TheTestHostIsNeverForkReady()
    {
        var r = ForkSafety.Check();
        Assert.That(r.IsReady, Is.False);
        Assert.That(r.Problems, Has.Some.Contains("test host"));
        Assert.That(r.ToString(), Does.StartWith("not fork-ready"));
    }

    [Test]
    public void AnEnvironmentOverrideIsNamedWithItsValue()
    {
        SetEnv("DOTNET_TieredCompilation", "1");
        SetEnv("COMPlus_gcServer", "1");
        var r = ForkSafety.Check();
        Assert.That(r.Problems, Has.Some.Contains("unset DOTNET_TieredCompilation (it is '1')"));
        Assert.That(r.Problems, Has.Some.Contains("unset COMPlus_gcServer (it is '1')"));
    }

    [Test]
    public void DotnetPrefixWinsOverComplus()
    {
        SetEnv("DOTNET_gcConcurrent", "0");
        SetEnv("COMPlus_gcConcurrent", "1");
        var r = ForkSafety.Check();
        Assert.That(r.Problems, Has.None.Contains("COMPlus_gcConcurrent"));
    }

    [Test]
    public void RuntimeConfigProblemsPointAtTheProps()
    {
        // The test host runs with tiered compilation on (its runtimeconfig does not disable it).
        var r = ForkSafety.Check();
        Assert.That(r.Problems, Has.Some.Contains("tiered compilation").And.Contains("<PoeSharpForkSafe>true</PoeSharpForkSafe>")
                                              .And.Contains("PoeSharp.Kernel.props"));
    }

    [TestCase("package", false, "<PoeSharpForkSafe>true</PoeSharpForkSafe>", "import")]
    [TestCase("import", false, "<PoeSharpForkSafe>true</PoeSharpForkSafe>", "NuGet")]
    [TestCase("package", true, "DOTNET_", "<PoeSharpForkSafe>")]
    [TestCase("import", true, "DOTNET_", "<PoeSharpForkSafe>")]
    [TestCase(null, false, "import src/Kernel/build/PoeSharp.Kernel.props", "runtime")]
    public void TheFixFitsHowTheProgramReferencesPoeSharp(string? source, bool applied, string says, string doesNotSay)
    {
        // A package user must not be told to import a file from a checkout they do not have, and
        // a program that has the settings at build time must be pointed at what overrides them.
        string fix = ForkSafety.HowToGetSettings(source, applied);
        Assert.That(fix, Does.Contain(says));
        Assert.That(fix, Does.Not.Contain(doesNotSay));
    }

    [Test]
    public void ThrowIfNotReadyCarriesTheProblems()
    {
        var ex = Assert.Throws<InvalidOperationException>(ForkSafety.ThrowIfNotReady);
        Assert.That(ex!.Message, Does.Contain("cannot fork safely").And.Contain("test host"));
    }

    [Test]
    public void TheTestHostIsNotAForkedChild()
    {
        Assert.That(ForkSafety.IsForkedChild, Is.False);
        Assert.That(ForkSafety.EnsureSignalMask([]), Is.False, "no re-exec inside a test host");
        Assert.That(ForkSafety.SignalMaskActive, Is.False);
    }
}
