namespace PoeSharp.Os.Tests;

/// <summary>The LISTEN_FDS protocol's variables, read as sd_listen_fds(3) reads them.</summary>
public sealed class SocketActivationTests
{
    [Test]
    public void SocketsPassedToThisProcessStartAtThree()
    {
        var passed = SocketActivation.Parse("4242", "2", "http:admin", 4242);
        Assert.That(passed, Is.EqualTo(new[] { (3, "http"), (4, "admin") }));
    }

    [TestCase(null, "1")]
    [TestCase("4242", null)]
    [TestCase("", "1")]
    [TestCase("1", "1")]
    public void VariablesForAnotherProcessOrMissingOnesPassNothing(string? pid, string? fds) =>
        Assert.That(SocketActivation.Parse(pid, fds, null, 4242), Is.Empty);

    [Test]
    public void NamesAreOptionalAndAnEmptyNameIsUnknown()
    {
        Assert.That(SocketActivation.Parse("7", "1", null, 7), Is.EqualTo(new[] { (3, "unknown") }));
        Assert.That(SocketActivation.Parse("7", "2", ":admin", 7), Is.EqualTo(new[] { (3, "unknown"), (4, "admin") }));
    }

    [TestCase("x7", "1", null, "LISTEN_PID")]
    [TestCase("7", "0", null, "LISTEN_FDS")]
    [TestCase("7", "-1", null, "LISTEN_FDS")]
    [TestCase("7", "two", null, "LISTEN_FDS")]
    [TestCase("7", "2", "one", "LISTEN_FDNAMES has 1 names for the 2 descriptors")]
    public void MalformedVariablesSayWhichAndWhy(string pid, string fds, string? names, string says)
    {
        var e = Assert.Throws<InvalidOperationException>(() => SocketActivation.Parse(pid, fds, names, 7));
        Assert.That(e!.Message, Does.Contain(says));
    }

    [Test]
    public void TheTestHostIsNotActivated() => Assert.That(SocketActivation.IsActivated, Is.False);
}
