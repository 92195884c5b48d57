namespace PoeSharp.KernelTests;

public sealed class SmokeTests : KernelTestBase
{
    [Test]
    public void YieldedEventsRunInOrderAndSessionStops()
    {
        var s = Fake.Create(new LogHeap(), b => b
            .On("_start", c => { c.Kernel.Yield("a"); c.Kernel.Yield("b", 1); })
            .On("a", c => Log.Add("a"))
            .On("b", c => Log.Add("b" + c.Arg<int>(0)))
            .On("_stop", c => Log.Add("stop")));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "a", "b1", "stop" }));
        Assert.That(s.IsAlive, Is.False);
    }
}
