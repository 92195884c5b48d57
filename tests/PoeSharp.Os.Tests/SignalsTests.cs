namespace PoeSharp.Os.Tests;

public sealed class SignalsTests
{
    [TestCase("INT", 2)]
    [TestCase("SIGTERM", 15)]
    [TestCase("CLD", 17)]
    [TestCase("CHLD", 17)]
    [TestCase("USR1", 10)]
    [TestCase("WINCH", 28)]
    [TestCase("MOO", 0)]
    public void NamesMapToLinuxNumbers(string name, int number) => Assert.That(Signals.Number(name), Is.EqualTo(number));

    [Test]
    public void NumbersMapBackToPoeNames()
    {
        Assert.That(Signals.Name(1), Is.EqualTo("HUP"));
        Assert.That(Signals.Name(17), Is.EqualTo("CHLD"));
        Assert.That(Signals.Name(40), Is.EqualTo("NUM40"));
    }

    [Test]
    public void SignalSetUsesGlibcBitLayout()
    {
        var set = SignalSet.Of([Signals.HUP, Signals.TERM, 64]);
        Assert.That(set[0], Is.EqualTo((1UL << 0) | (1UL << 14) | (1UL << 63)));
        Assert.That(set.Contains(Signals.TERM), Is.True);
        set.Remove(Signals.TERM);
        Assert.That(set.Contains(Signals.TERM), Is.False);
    }
}
