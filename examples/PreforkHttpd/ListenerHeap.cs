namespace PoeSharp.Examples;

/// <summary>
/// The listener's heap: the original's <c>{max_processes, server, children, is_a_child}</c>, plus
/// the state of the additions (graceful stop, SIGHUP replacement, fork back-off, the live
/// interactors to drop in a new child).
/// </summary>
internal sealed class ListenerHeap(ServerOptions options, ServerEnvironment environment) : IStoppableListenerHeap
{
    /// <summary><c>$heap-&gt;{max_processes}</c>.</summary>
    public int MaxProcesses { get; } = options.MaxProcesses;

    /// <summary><c>$heap-&gt;{server}</c>: the listening socket; null once deleted.</summary>
    public IListenSocket? Server { get; set; }

    /// <summary><c>$heap-&gt;{children}</c>: pid =&gt; 1.</summary>
    public Dictionary<int, bool> Children { get; set; } = [];

    /// <summary><c>$heap-&gt;{is_a_child}</c>.</summary>
    public bool IsAChild { get; set; }

    /// <summary>The options the server was started with.</summary>
    public ServerOptions Options { get; } = options;

    /// <summary>Messages, socket factory, randomness, kill(2).</summary>
    public ServerEnvironment Environment { get; } = environment;

    /// <summary>This process's interactor sessions (tracked through <c>_child</c>).</summary>
    public HashSet<Session> Interactors { get; } = [];

    /// <summary>Forks that failed in a row; the retry delay doubles with each (1 s, 2 s, 4 s ... 30 s).</summary>
    public int ForkFailures { get; set; }

    /// <summary>The signal that started a graceful stop, or null while serving.</summary>
    public string? StoppingOn { get; set; }

    /// <summary>The server could not listen: the program exits 1.</summary>
    public bool Failed { get; set; }

    /// <summary>Children still to be replaced after SIGHUP, oldest first.</summary>
    public Queue<int> ToReplace { get; } = new();

    /// <summary>The child told to stop for replacement, or 0.</summary>
    public int Replacing { get; set; }

    /// <summary>Cancels a pending fork retry and forgets the SIGHUP replacements: a stopping pool is not refilled.</summary>
    public void StopForking(Kernel kernel)
    {
        ToReplace.Clear();
        kernel.Delay("do_fork");
    }
}
