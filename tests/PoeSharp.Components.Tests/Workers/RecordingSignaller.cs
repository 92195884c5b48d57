using PoeSharp.Components.Workers;

namespace PoeSharp.Components.Tests.Workers;

/// <summary>Records the signals the pool sends to its (made-up) workers.</summary>
internal sealed class RecordingSignaller : IWorkerSignaller
{
    public List<(int Pid, int Signal)> Sent { get; } = [];

    public bool Send(int pid, int signal)
    {
        Sent.Add((pid, signal));
        return true;
    }

    public int[] To(int signal) => Sent.Where(s => s.Signal == signal).Select(s => s.Pid).ToArray();
}
