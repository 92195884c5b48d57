using PoeSharp.Examples;

namespace PoeSharp.Examples.Tests;

/// <summary>
/// A listening socket that listens on nothing and records what the listener does with it. Like a
/// watched descriptor, it keeps its session alive until disposed.
/// </summary>
internal sealed class FakeListenSocket : IListenSocket
{
    private readonly Kernel? _kernel;
    private readonly Session? _owner;

    public FakeListenSocket(Kernel? kernel = null)
    {
        if (kernel is null) return;
        _kernel = kernel;
        _owner = kernel.ActiveSession;
        kernel.RefcountIncrement(_owner, "listen");
    }

    public bool IsDisposed { get; private set; }
    public bool IsPaused { get; private set; }
    public bool IsListening => !IsDisposed;
    public int Port => 8888;
    public System.Net.IPAddress? Address => null;
    public void PauseAccept() => IsPaused = true;
    public void ResumeAccept() => IsPaused = false;
    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
        if (_kernel is not null && _owner!.State != SessionState.Stopped) _kernel.RefcountDecrement(_owner, "listen");
    }
}

/// <summary>rand() that returns the given values in order (then 0.99, which never churns).</summary>
internal sealed class ScriptedRandom(params double[] values) : IRandomSource
{
    private readonly Queue<double> _values = new(values);
    public int Reseeds { get; private set; }
    public void Enqueue(double value) => _values.Enqueue(value);
    public double NextDouble() => _values.TryDequeue(out double v) ? v : 0.99;
    public void Reseed() => Reseeds++;
}

/// <summary>kill(2) that records (pid, signal).</summary>
internal sealed class RecordingSignaller : IProcessSignaller
{
    public List<(int Pid, int Signal)> Sent { get; } = [];
    public bool Send(int pid, int signal)
    {
        Sent.Add((pid, signal));
        return true;
    }
}
