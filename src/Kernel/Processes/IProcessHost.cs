namespace PoeSharp.Processes;

/// <summary>
/// The kernel's window onto processes and OS signals: forking, child exits and signal
/// delivery. The real host uses fork(), pidfd and signalfd (never a thread, never
/// <c>waitpid(-1)</c>); the fake host in PoeSharp.Testing returns chosen pids and lets a test
/// raise child exits and signals.
/// </summary>
public interface IProcessHost : IDisposable
{
    /// <summary>Connects the host to its kernel. Called once, on the kernel's thread.</summary>
    void Attach(IProcessSink sink);

    /// <summary>This process's id as the OS sees it now (not a value cached before a fork).</summary>
    int ProcessId { get; }

    /// <summary>
    /// Forks the process after checking that the runtime can survive it and quiescing it.
    /// Throws <see cref="InvalidOperationException"/> with what to change when the process is not
    /// fork-ready; returns <see cref="ForkResult.Failure"/> when the OS refuses (EAGAIN, ENOMEM).
    /// In the child, the host has already reset signal handling and rebuilt its descriptors.
    /// </summary>
    ForkResult Fork();

    /// <summary>Starts delivering the OS signal <paramref name="name"/> ("INT", "TERM", ...) to the sink.</summary>
    void WatchSignal(string name);

    /// <summary>Stops delivering <paramref name="name"/>; the signal gets its default disposition back (PIPE: ignored).</summary>
    void IgnoreSignal(string name);

    /// <summary>Starts watching child <paramref name="pid"/>; its exit is reported once. False if it is not our child.</summary>
    bool WatchChild(int pid);

    /// <summary>Stops watching <paramref name="pid"/> (no exit will be reported for it).</summary>
    void IgnoreChild(int pid);

    /// <summary>
    /// Called in a child process by the kernel's <c>HasForked</c>: forget the parent's children and
    /// rebuild any descriptor shared with the parent. Idempotent.
    /// </summary>
    void AfterFork();
}
