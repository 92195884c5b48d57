using PoeSharp.Components.Workers;
using PoeSharp.Testing;

namespace PoeSharp.Components.Tests.Workers;

/// <summary>A pool on the fake kernel, with a fake server, recorded signals and an array heartbeat board.</summary>
internal sealed class PoolRig : IDisposable
{
    public PoolRig(PreforkPoolOptions options, bool listening = true, int seed = 1, Action<FakeProcessHost>? beforeStart = null)
    {
        Board = new ArrayHeartbeatBoard(PreforkPoolOptions.MaxWorkers);
        beforeStart?.Invoke(Fake.Processes);
        Launcher = new FakeUpgradeLauncher(Fake.Processes);
        Pool = PreforkPool.StartCore(new PreforkPool(Fake.Kernel, options, k => Server = new FakePoolServer(k, listening),
                                                     options.WorkerTimeout is null && options.StatusFile is null ? null : Board, Signals, new Random(seed),
                                                     Launcher));
        Fake.RunUntilIdle();
    }

    public FakeKernel Fake { get; } = new();

    public RecordingSignaller Signals { get; } = new();

    public ArrayHeartbeatBoard Board { get; }

    public FakeUpgradeLauncher Launcher { get; }

    public FakePoolServer Server { get; private set; } = null!;

    public PreforkPool Pool { get; }

    public FakeProcessHost Processes => Fake.Processes;

    public bool Ended => Fake.Kernel.SessionCount == 0;

    public void Raise(string signal)
    {
        Assert.That(Processes.RaiseSignal(signal), Is.True, $"SIG{signal} is not watched");
        Fake.RunUntilIdle();
    }

    public void Exit(int pid, int status = 0)
    {
        Assert.That(Processes.ExitChild(pid, status), Is.True, $"worker {pid} is not watched");
        Fake.RunUntilIdle();
    }

    public void Dispose() => Fake.Dispose();
}
