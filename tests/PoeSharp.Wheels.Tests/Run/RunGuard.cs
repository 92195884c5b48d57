namespace PoeSharp.Wheels.Tests.Run;

/// <summary>
/// A session with the alias "guard" whose timer stops the kernel if a Run test hangs (its
/// children are then killed by pid in the tear-down). Test sessions post "done" when they finish;
/// after the last one the guard drops its timer and the kernel runs dry, which also shows that
/// the wheels left no watchers behind.
/// </summary>
internal sealed class RunGuard
{
    private int _waiting;

    public bool TimedOut { get; private set; }

    public static RunGuard Start(Kernel kernel, int sessions = 1, double seconds = 20)
    {
        var guard = new RunGuard { _waiting = sessions };
        kernel.Create(guard, s => s
            .On("_start", c =>
            {
                c.Kernel.AliasSet("guard");
                c.Kernel.Delay("expire", TimeSpan.FromSeconds(seconds));
            })
            .On("expire", c =>
            {
                c.Heap.TimedOut = true;
                c.Kernel.Stop();
            })
            .On("more", c => c.Heap._waiting += c.Arg<int>(0))
            .On("done", c =>
            {
                if (--c.Heap._waiting > 0) return;
                c.Kernel.AlarmRemoveAll();
                c.Kernel.AliasRemove("guard");
            }));
        return guard;
    }

    /// <summary>Runs the kernel and fails the test if the guard had to stop it.</summary>
    public void Run(Kernel kernel)
    {
        kernel.Run();
        Assert.That(TimedOut, Is.False, "the guard timer stopped a Run test that did not finish");
    }
}
