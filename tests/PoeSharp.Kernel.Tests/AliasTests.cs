namespace PoeSharp.KernelTests;

/// <summary>§1.4: aliases and IDs.</summary>
public sealed class AliasTests : KernelTestBase
{
    [Test]
    public void SettingTheSameAliasTwiceSucceedsAndAnotherSessionsAliasIsTaken()
    {
        var results = new List<KernelError>();
        Fake.Create(0, b => b.On("_start", c =>
        {
            results.Add(c.Kernel.AliasSet("name"));
            results.Add(c.Kernel.AliasSet("name"));
            c.Kernel.Create(0, cb => cb.On("_start", cc =>
            {
                results.Add(cc.Kernel.AliasSet("name"));
                results.Add(cc.Kernel.AliasRemove("name"));
                results.Add(cc.Kernel.AliasRemove("missing"));
            }));
            results.Add(c.Kernel.AliasRemove("name"));
        }));
        Fake.Run();
        Assert.That(results, Is.EqualTo(new[]
        {
            KernelError.None, KernelError.None, KernelError.AlreadyExists, KernelError.NotPermitted,
            KernelError.NoSuchSession, KernelError.None,
        }));
    }

    [Test]
    public void ResolveByAliasIdIdTextAndObject()
    {
        Session? me = null;
        var resolved = new List<Session?>();
        IReadOnlyList<string>? one = null, two = null;
        Fake.Create(0, b => b.On("_start", c =>
        {
            me = c.Session;
            c.Kernel.AliasSet("first");
            one = c.Kernel.AliasList();
            c.Kernel.AliasSet("second");
            two = c.Kernel.AliasList(c.Session);
            resolved.Add(c.Kernel.AliasResolve("first"));
            resolved.Add(c.Kernel.AliasResolve(c.Session.Id));
            resolved.Add(c.Kernel.AliasResolve(c.Session.Id.ToString()));
            resolved.Add(c.Kernel.AliasResolve(c.Session));
            resolved.Add(c.Kernel.AliasResolve("missing"));
            c.Kernel.AliasRemove("first");
            c.Kernel.AliasRemove("second");
        }));
        Fake.Run();
        Assert.That(resolved, Is.EqualTo(new Session?[] { me, me, me, me, null }));
        Assert.That(one, Is.EqualTo(new[] { "first" }));
        Assert.That(two, Is.EqualTo(new[] { "first", "second" }));
    }

    [Test]
    public void IdToSessionRoundTripsIncludingTheKernel()
    {
        Session? found = null;
        var s = Fake.Create(0, b => b.On("_start", c => found = c.Kernel.IdToSession(c.Session.Id)));
        Assert.That(found, Is.SameAs(s));
        Assert.That(K.IdToSession(0), Is.SameAs(K.KernelSession));
        Assert.That(K.AliasResolve(K.Id), Is.SameAs(K.KernelSession));
        Assert.That(K.IdToSession(42), Is.Null);
        Fake.Run();
    }

    [Test]
    public void QueuedEventsAlreadyResolvedSurviveAliasRemoval()
    {
        Fake.Create(0, b => b
            .On("_start", c => { c.Kernel.AliasSet("srv"); c.Kernel.Post("srv", "e"); c.Kernel.AliasRemove("srv"); })
            .On("e", _ => Log.Add("delivered")));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "delivered" }));
    }

    [Test]
    public void AliasesOfAStoppedSessionAreReleased()
    {
        Fake.Create(0, b => b.On("_start", c => c.Kernel.AliasSet("gone")));
        Fake.Run();
        Assert.That(K.AliasResolve("gone"), Is.Null);
        Assert.That(Fake.Aliases, Is.Empty);
    }

    [Test]
    public void KernelIdHasHostTimePidAndSequence()
    {
        Assert.That(K.Id, Does.Match(@"^.+-[0-9a-f]+-[0-9a-f]+-[0-9a-f]+$"));
    }
}
