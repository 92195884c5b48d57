namespace PoeSharp.Examples;

/// <summary>
/// What <see cref="ListenerShutdown"/> needs from a listener's heap: both example listeners stop
/// their process tree the same way, so they expose the same state for it.
/// </summary>
internal interface IStoppableListenerHeap
{
    /// <summary>The listening socket; null once deleted.</summary>
    IListenSocket? Server { get; set; }

    /// <summary>pid =&gt; 1 for every live child; the parent exits once this is empty.</summary>
    Dictionary<int, bool> Children { get; }

    /// <summary>This process's interactor sessions, which must finish (or be dropped) before it exits.</summary>
    HashSet<Session> Interactors { get; }

    /// <summary>True in a child process.</summary>
    bool IsAChild { get; }

    /// <summary>The signal that started a graceful stop, or null while serving.</summary>
    string? StoppingOn { get; set; }

    /// <summary>The options the server was started with (for the shutdown timeout).</summary>
    ServerOptions Options { get; }

    /// <summary>Messages and kill(2).</summary>
    ServerEnvironment Environment { get; }

    /// <summary>
    /// Cancels whatever would fork again (a pending retry alarm would otherwise keep the session,
    /// and so the process, alive); called when a stop begins and when it turns immediate.
    /// </summary>
    void StopForking(Kernel kernel);
}
