namespace PoeSharp.Examples;

/// <summary>The fork-per-connection listener's heap: the listening socket, the live children, and the stop state.</summary>
internal sealed class ForkListenerHeap(ServerOptions options, ServerEnvironment environment) : IStoppableListenerHeap
{
    /// <summary>The listening socket; null once deleted (and always null in a child).</summary>
    public IListenSocket? Server { get; set; }

    /// <summary>pid =&gt; 1 for every child still serving a connection.</summary>
    public Dictionary<int, bool> Children { get; set; } = [];

    /// <summary>Connections accepted whose fork has not happened yet.</summary>
    public int PendingForks { get; set; }

    /// <summary>True in a child, which serves the one connection it was forked for and exits.</summary>
    public bool IsAChild { get; set; }

    /// <summary>The options the server was started with.</summary>
    public ServerOptions Options { get; } = options;

    /// <summary>Messages, socket factory, randomness, kill(2).</summary>
    public ServerEnvironment Environment { get; } = environment;

    /// <summary>This process's interactor sessions (a child has one; the parent has one only when a fork failed).</summary>
    public HashSet<Session> Interactors { get; } = [];

    /// <summary>The signal that started a graceful stop, or null while serving.</summary>
    public string? StoppingOn { get; set; }

    /// <summary>The server could not listen: the program exits 1.</summary>
    public bool Failed { get; set; }

    /// <summary>Nothing to cancel: forks happen only per accepted connection, and the caller has already deleted the listening socket.</summary>
    public void StopForking(Kernel kernel)
    {
    }
}
