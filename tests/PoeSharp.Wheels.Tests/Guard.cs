namespace PoeSharp.Wheels.Tests;

/// <summary>
/// A session with the alias "guard" whose timer stops the kernel if a test hangs (a Run test's
/// children are then killed by pid in the tear-down). Test sessions post "done" to it when they
/// finish, and ("more", n) when n more sessions will; after the last "done" it removes its timer
/// and the kernel can run dry, which also proves the wheels left no watchers behind. The timer
/// only bounds a hang, so it is generous: a busy machine may need seconds to start a child.
/// </summary>
internal sealed class Guard
{
    private int _waiting;

    public bool TimedOut { get; private set; }

    /// <summary>Starts the guard; it goes away after <paramref name="sessions"/> "done" posts.</summary>
    public static Guard Start(Kernel kernel, int sessions = 1, double seconds = 60)
    {
        var guard = new Guard { _waiting = sessions };
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
        Assert.That(TimedOut, Is.False, "the guard timer stopped a test that did not finish");
    }
}
