namespace PoeSharp.KernelTests;

/// <summary>One kernel thread; PostFromAnyThread is the only door from others.</summary>
public sealed class ThreadingTests : KernelTestBase
{
    private static Exception? OnOtherThread(Action action)
    {
        Exception? error = null;
        var t = new Thread(() =>
        {
            try { action(); }
            catch (Exception e) { error = e; }
        });
        t.Start();
        t.Join();
        return error;
    }

    [Test]
    public void MembersCalledFromAnotherThreadThrowAClearError()
    {
        var error = OnOtherThread(() => K.Post(1, "x"));
        Assert.That(error, Is.InstanceOf<InvalidOperationException>());
        Assert.That(error!.Message, Does.Contain("kernel's thread").And.Contain("PostFromAnyThread"));
        Assert.That(OnOtherThread(() => K.Run()), Is.InstanceOf<InvalidOperationException>());
        Assert.That(OnOtherThread(() => K.Create(0, b => b.On("_start", _ => { }))), Is.InstanceOf<InvalidOperationException>());
    }

    [Test]
    public void PostFromAnyThreadIsDeliveredOnTheKernelThreadWithTheKernelAsSender()
    {
        int kernelThread = Environment.CurrentManagedThreadId;
        var s = Fake.Create(0, b => b
            .On("_start", c => c.Kernel.AliasSet("svc"))
            .On("job", c =>
            {
                Log.Add($"{c.Arg<int>(0)} on kernel thread: {Environment.CurrentManagedThreadId == kernelThread}, from {c.Sender}");
                if (c.Arg<int>(0) == 3) c.Kernel.AliasRemove("svc");
            }));
        Assert.That(OnOtherThread(() =>
        {
            for (int i = 1; i <= 3; i++) K.PostFromAnyThread("svc", "job", i);
        }), Is.Null);
        Assert.That(Fake.Loop.WakeCount, Is.EqualTo(3));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[]
        {
            "1 on kernel thread: True, from kernel", "2 on kernel thread: True, from kernel", "3 on kernel thread: True, from kernel",
        }));
        Assert.That(s.IsAlive, Is.False);
    }

    [Test]
    public void PostFromAnyThreadToAnUnknownSessionIsDropped()
    {
        Fake.Create(0, b => b.On("_start", c => c.Kernel.Yield("e")).On("e", _ => Log.Add("e")));
        Assert.That(OnOtherThread(() => K.PostFromAnyThread("ghost", "x")), Is.Null);
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "e" }));
    }
}
