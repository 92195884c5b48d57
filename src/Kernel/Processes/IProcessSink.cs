using PoeSharp.Loop;

namespace PoeSharp.Processes;

/// <summary>What a process host reports to its kernel. Implemented by the kernel.</summary>
public interface IProcessSink
{
    /// <summary>An OS signal (name without "SIG", e.g. "INT") arrived; the kernel dispatches it to every session.</summary>
    void OnSignal(string name);

    /// <summary>A watched child exited; <paramref name="waitStatus"/> is the raw wait status (POE's <c>$?</c>).</summary>
    void OnChildExit(int pid, int waitStatus);

    /// <summary>Watches one of the host's own descriptors (signalfd, pidfd). It keeps no session alive.</summary>
    void WatchInternal(int fd, IoMode mode, IReadyHandler handler);

    /// <summary>Stops watching a descriptor registered with <see cref="WatchInternal"/>.</summary>
    void UnwatchInternal(int fd, IoMode mode);
}
