using PoeSharp.Loop;

namespace PoeSharp.Os.Tests;

/// <summary>Records every readiness callback; an optional action runs inside the callback.</summary>
internal sealed class RecordingSink : ILoopSink
{
    public List<(int Fd, IoMode Mode)> Calls { get; } = new();

    public Action<int, IoMode>? OnCall { get; set; }

    public void OnReady(int fd, IoMode mode)
    {
        Calls.Add((fd, mode));
        OnCall?.Invoke(fd, mode);
    }
}
