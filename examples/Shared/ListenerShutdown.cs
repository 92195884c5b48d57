using PoeSharp.Os;

namespace PoeSharp.Examples;

/// <summary>
/// The tree shutdown both example listeners share: the first SIGINT/SIGTERM (or a listen error)
/// stops accepting and lets in-flight work finish, a second signal or the shutdown timeout stops
/// at once; the process ends when its children are reaped and its interactors are gone. The
/// listeners keep their POE handlers (<c>got_sig_int</c>, <c>got_sig_child</c>, <c>_child</c>,
/// <c>shutdown_timeout</c>) and call these from them.
/// </summary>
internal static class ListenerShutdown
{
    /// <summary>
    /// For <c>got_sig_int</c>: if a stop is already under way, handles the repeated signal (stops at
    /// once) and returns true; returns false for the first signal, which the caller turns into
    /// <see cref="BeginStop"/>.
    /// </summary>
    public static bool HandleRepeatedSignal(Kernel kernel, IStoppableListenerHeap heap, string signal)
    {
        if (heap.StoppingOn is not { } first) return false;

        // A child ignores a different signal: Ctrl-C sends INT to the whole group while the parent
        // sends TERM to each child, and that pair must not count as "again".
        if (heap.IsAChild && first != signal) return true;
        heap.Environment.Log.Debug($"Server {kernel.ProcessId} received SIG{signal} again: stopping now.");
        StopNow(kernel, heap);
        return true;
    }

    /// <summary>
    /// Stops accepting (the caller has already deleted the server), tells children and interactors
    /// to finish, and arms <c>shutdown_timeout</c>. Only the first call counts.
    /// </summary>
    public static void BeginStop(Kernel kernel, IStoppableListenerHeap heap, string signal)
    {
        if (heap.StoppingOn is not null) return;
        heap.StoppingOn = signal;
        heap.StopForking(kernel);
        foreach (int pid in heap.Children.Keys) heap.Environment.Signals.Send(pid, Signals.TERM);
        // A copy: an interactor may stop, and leave the set, inside the call.
        foreach (Session interactor in heap.Interactors.ToArray()) kernel.Call(interactor, "shutdown");
        kernel.Delay("shutdown_timeout", heap.Options.ShutdownTimeout);
        // With nothing to wait for, the timeout must not hold the process for its whole length.
        MaybeFinishStop(kernel, heap);
    }

    /// <summary>Kills the children and drops every connection; the process ends once the children are reaped.</summary>
    public static void StopNow(Kernel kernel, IStoppableListenerHeap heap)
    {
        heap.StoppingOn ??= "now";
        heap.Server?.Dispose();
        heap.Server = null;
        heap.StopForking(kernel);
        kernel.Delay("shutdown_timeout");
        foreach (int pid in heap.Children.Keys) heap.Environment.Signals.Send(pid, Signals.KILL);
        foreach (Session interactor in heap.Interactors.ToArray()) kernel.Call(interactor, "drop");
    }

    /// <summary>
    /// Once stopping and nothing is left to wait for, clears <c>shutdown_timeout</c> so that the
    /// alarm does not keep the process alive. Called whenever a child or an interactor goes.
    /// </summary>
    public static void MaybeFinishStop(Kernel kernel, IStoppableListenerHeap heap)
    {
        if (heap.StoppingOn is not null && heap.Children.Count == 0 && heap.Interactors.Count == 0)
            kernel.Delay("shutdown_timeout");
    }
}
