namespace PoeSharp.KernelTests;

/// <summary>§2: postbacks and callbacks.</summary>
public sealed class PostbackTests : KernelTestBase
{
    [Test]
    public void PostbackPostsCreationArgsAndCallArgsAndKeepsTheSessionAliveUntilDisposed()
    {
        Postback? pb = null;
        var s = Fake.Create(0, b => b
            .On("_start", c => pb = c.Kernel.Postback("answer", "request-1"))
            .On("answer", c => Log.Add($"{((object?[])c[0]!)[0]} -> {((object?[])c[1]!)[0]}")));
        Fake.Advance(TimeSpan.FromMinutes(1));
        Assert.That(s.IsAlive, Is.True);
        Assert.That(K.Explain(s), Does.Contain("extra ref 'anon_event' x1"));
        Assert.That(pb!.Invoke("reply"), Is.EqualTo(KernelError.None));
        Assert.That(Log, Is.Empty, "a postback posts; it does not call");
        Fake.RunUntilIdle();
        Assert.That(Log, Is.EqualTo(new[] { "request-1 -> reply" }));
        pb.Dispose();
        Fake.Run();
        Assert.That(s.IsAlive, Is.False);
        Assert.That(() => pb.Invoke(), Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public void WeakenedPostbackStillWorksButDoesNotKeepTheSessionAlive()
    {
        Postback? pb = null;
        var s = Fake.Create(0, b => b
            .On("_start", c => { pb = c.Kernel.Postback("answer"); pb.Weaken(); c.Kernel.Delay("t", TimeSpan.FromSeconds(1)); })
            .On("t", _ => pb!.Invoke(1))
            .On("answer", _ => Log.Add("answered")));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "answered" }));
        Assert.That(s.IsAlive, Is.False);
    }

    [Test]
    public void CallbackCallsSynchronouslyAndReturnsTheHandlersValue()
    {
        // averell-callback-ret: 42
        object? ret = null;
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                using var cb = c.Kernel.Callback("compute", 40);
                ret = cb.Invoke(2);
                Log.Add("after invoke");
            })
            .OnCall("compute", c => { Log.Add("compute"); return (int)((object?[])c[0]!)[0]! + (int)((object?[])c[1]!)[0]!; }));
        Fake.Run();
        Assert.That(ret, Is.EqualTo(42));
        Assert.That(Log, Is.EqualTo(new[] { "compute", "after invoke" }));
    }

    [Test]
    public void PostbackInvokedInsideACalledHandlerReportsTheCallingEventAsCallerState()
    {
        // caller_state: a postback invoked inside a synchronously called handler reports check_2.
        string? callerState = null;
        Fake.Create(0, b => b
            .On("_start", c => c.Kernel.Yield("check_2"))
            .On("check_2", c => c.Kernel.Call(c.Session, "inner"))
            .On("inner", c => { using var pb = c.Kernel.Postback("check_3"); pb.Invoke(); })
            .On("check_3", c => callerState = c.CallerState));
        Fake.Run();
        Assert.That(callerState, Is.EqualTo("check_2"));
    }
}
