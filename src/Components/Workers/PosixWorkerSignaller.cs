using PoeSharp.Os;

namespace PoeSharp.Components.Workers;

/// <summary>Real signals, through PoeSharp.Os.</summary>
internal sealed class PosixWorkerSignaller : IWorkerSignaller
{
    /// <summary>The one instance.</summary>
    public static readonly PosixWorkerSignaller Instance = new();

    /// <inheritdoc />
    public bool Send(int pid, int signal) => pid > 0 && !Signals.Send(pid, signal).IsError;
}
