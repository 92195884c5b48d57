using PoeSharp.Os;

namespace PoeSharp.Examples;

/// <summary>Sends real signals (kill(2) through PoeSharp.Os).</summary>
internal sealed class PosixSignaller : IProcessSignaller
{
    /// <inheritdoc />
    public bool Send(int pid, int signal) => pid > 0 && !Signals.Send(pid, signal).IsError;
}
