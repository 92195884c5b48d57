using System.Net;
using PoeSharp.Os;

namespace PoeSharp.Examples;

/// <summary>
/// The original's listener session: <c>_start</c>, <c>_stop</c>, <c>do_fork</c>, <c>got_error</c>,
/// <c>got_sig_int</c>, <c>got_sig_child</c>, <c>got_connection</c>, <c>_child</c>. It runs in the
/// parent and, inherited through fork, in every child. Additions: SIGTERM is handled like SIGINT,
/// and both stop the whole tree gracefully (<c>shutdown_timeout</c> ends it at once, as does a second
/// signal); <c>got_sig_hup</c> replaces the children one by one; failed forks back off.
/// </summary>
internal static class ListenerSession
{
    /// <summary>Connections one process accepts per readiness; small, so the children share the load.</summary>
    public const int MaxAcceptsPerReady = 4;

    /// <summary>The longest delay between fork retries.</summary>
    public static readonly TimeSpan MaxForkRetryDelay = TimeSpan.FromSeconds(30);

    /// <summary>POE::Session-&gt;create(inline_states =&gt; {...}, heap =&gt; {max_processes =&gt; MAX_PROCESSES}).</summary>
    public static Session? Create(Kernel kernel, ServerOptions options, ServerEnvironment environment) =>
        kernel.Create(new ListenerHeap(options, environment), s => s
            .On("_start", ListenerStart)
            .On("_stop", ListenerStop)
            .On("do_fork", ListenerDoFork)
            .On("got_error", ListenerGotError)
            .On("got_sig_int", ListenerGotSigInt)
            .On("got_sig_child", ListenerGotSigChild)
            .On("got_connection", ListenerGotConnection)
            // The original's _child returns undef; this one also keeps the set of live interactors.
            .OnCall("_child", ListenerChild)
            .On("got_sig_hup", ListenerGotSigHup)
            .On("shutdown_timeout", ListenerShutdownTimeout));

    // The server has started. Set up the listener socket and begin tracking child processes.
    // Fork the initial child processes.
    private static void ListenerStart(EventContext<ListenerHeap> ctx)
    {
        Kernel kernel = ctx.Kernel;
        ListenerHeap heap = ctx.Heap;

        heap.Server = heap.Environment.CreateServer(kernel, heap.Options);

        kernel.Sig("INT", "got_sig_int");
        kernel.Sig("TERM", "got_sig_int");
        kernel.Sig("HUP", "got_sig_hup");

        heap.Children = [];
        heap.IsAChild = false;

        // Printed whatever DEBUG says, as in the original; with --port 0 it tells the chosen port.
        if (heap.Server.IsListening)
        {
            heap.Environment.Log.Always($"Server {kernel.ProcessId} has begun listening on port {heap.Server.Port}");
            heap.Environment.Log.Always(ServerBanner.Text("PreforkHttpd", heap.Server.Address ?? heap.Options.Address, heap.Server.Port, kernel.ProcessId,
                heap.Options.MaxProcesses == 0 ? "the parent accepting alone" : $"{heap.Options.MaxProcesses} worker processes and the parent accepting"));
        }

        kernel.Yield("do_fork");
    }

    // Log the fact that the main server session has stopped.
    private static void ListenerStop(EventContext<ListenerHeap> ctx)
    {
        ctx.Heap.Server?.Dispose();
        ctx.Heap.Server = null;
        ctx.Heap.Environment.Log.Debug($"Server {ctx.Kernel.ProcessId} stopped.");
    }

    // Shut down the server if it encounters an error (but ride out running out of descriptors).
    private static void ListenerGotError(EventContext<ListenerHeap> ctx)
    {
        ListenerHeap heap = ctx.Heap;
        string syscall = ctx.Arg<string>(0);
        int errno = ctx.Arg<int>(1);
        string error = ctx.Arg<string>(2);
        if (AcceptErrors.KeepListening(heap.Environment.Log, ctx.Kernel.ProcessId, syscall, errno, error)) return;

        // Not only under DEBUG: a server that cannot listen must say why.
        heap.Environment.Log.Always($"Server {ctx.Kernel.ProcessId} got {syscall} error {errno}: {error}");
        heap.Environment.Log.Always($"Server {ctx.Kernel.ProcessId} is shutting down.");

        heap.Server?.Dispose();
        heap.Server = null;
        if (!heap.IsAChild && heap.Children.Count == 0) heap.Failed = true;
        ListenerShutdown.BeginStop(ctx.Kernel, heap, "error");
    }

    // The parent may fork() more processes as needed. Because events are copied during fork(),
    // we must make sure this is only done in the parent. Otherwise, hilarity in the form of
    // forkbombing may ensue.
    private static void ListenerDoFork(EventContext<ListenerHeap> ctx)
    {
        Kernel kernel = ctx.Kernel;
        ListenerHeap heap = ctx.Heap;
        DebugLog log = heap.Environment.Log;

        if (heap.IsAChild) return;
        // A retry may come due after the server was deleted: nothing to fork for then.
        if (heap.Server is null) return;

        while (heap.Children.Count < heap.MaxProcesses)
        {
            var fork = kernel.Fork();

            // Fork failed. Try again shortly (and a little later each time it fails again).
            if (fork.Failed)
            {
                TimeSpan retry = ForkRetryDelay(++heap.ForkFailures);
                if (log.Enabled)
                {
                    log.Debug($"Server {kernel.ProcessId} fork failed: {fork.Error}");
                    log.Debug($"Server {kernel.ProcessId} will retry fork shortly.");
                }
                kernel.Delay("do_fork", retry);
                return;
            }

            // Parent. Add the child process to its list.
            if (fork.IsParent)
            {
                heap.ForkFailures = 0;
                if (log.Enabled) log.Debug($"Server {kernel.ProcessId} forked child {fork.Pid}");
                heap.Children[fork.Pid] = true;
                kernel.SigChild(fork.Pid, "got_sig_child");
                continue;
            }

            // Child. Clear the child process list. (Kernel.Fork has already called HasForked.)
            kernel.HasForked();
            heap.IsAChild = true;
            heap.Children = [];
            heap.ToReplace.Clear();
            heap.Replacing = 0;
            heap.Environment.Random.Reseed();
            // The parent's own connections came with the fork: Kernel.Fork has already had their
            // wheels let go of them (only the parent may answer them), and those interactors end.
            return;
        }

        ReplaceNext(ctx);
    }

    // Gracefully stop a server on SIGINT (and SIGTERM). sig_handled() prevents the signal from
    // gracelessly forcing the server to stop.
    private static void ListenerGotSigInt(EventContext<ListenerHeap> ctx)
    {
        ListenerHeap heap = ctx.Heap;
        string signal = ctx.Arg<string>(0);
        ctx.Kernel.SigHandled();

        // A second signal stops at once.
        if (ListenerShutdown.HandleRepeatedSignal(ctx.Kernel, heap, signal)) return;

        heap.Environment.Log.Debug($"Server {ctx.Kernel.ProcessId} received SIG{signal}.");
        heap.Server?.Dispose();
        heap.Server = null;
        ListenerShutdown.BeginStop(ctx.Kernel, heap, signal);
    }

    // Reap child processes, and fork new ones if the server is still listening for
    // connections. Ignore child processes that we've already stopped tracking.
    private static void ListenerGotSigChild(EventContext<ListenerHeap> ctx)
    {
        Kernel kernel = ctx.Kernel;
        ListenerHeap heap = ctx.Heap;
        int childPid = ctx.Arg<int>(1);
        int status = ctx.Arg<int>(2);

        if (!heap.Children.Remove(childPid)) return;

        heap.Environment.Log.Debug($"Server {kernel.ProcessId} reaped child {childPid}. (wait status {status})");
        if (heap.Replacing == childPid) heap.Replacing = 0;
        if (heap.Server is not null) kernel.Yield("do_fork");
        ListenerShutdown.MaybeFinishStop(kernel, heap);
    }

    // Handle a new connection. Create a new session to interact with the client.
    private static void ListenerGotConnection(EventContext<ListenerHeap> ctx)
    {
        Kernel kernel = ctx.Kernel;
        ListenerHeap heap = ctx.Heap;
        var socket = ctx.Arg<FileDescriptor>(0);
        var peerAddr = ctx.Arg<IPAddress?>(1);
        int peerPort = ctx.Arg<int>(2);

        heap.Environment.Log.Debug($"Server {kernel.ProcessId} received a connection.");

        InteractorSession.Create(kernel, socket, peerAddr, peerPort, heap.Options, heap.Environment.Log);

        // Gracefully exit if testing process churn: stop listening; connections still in the
        // shared backlog are accepted by the other processes, and this one exits when its
        // interactors are done.
        if (heap.Options.Churn && heap.IsAChild && heap.Environment.Random.NextDouble() < heap.Options.ChurnProbability)
        {
            heap.Server?.Dispose();
            heap.Server = null;
        }
    }

    // _child: track this process's interactors (create/lose); the return value is unused.
    private static object? ListenerChild(EventContext<ListenerHeap> ctx)
    {
        string reason = ctx.Arg<string>(0);
        var child = ctx.Arg<Session>(1);
        if (reason == KnownEvents.ChildCreate || reason == "gain") ctx.Heap.Interactors.Add(child);
        else if (ctx.Heap.Interactors.Remove(child)) ListenerShutdown.MaybeFinishStop(ctx.Kernel, ctx.Heap);
        return null;
    }

    // SIGHUP: replace the workers one at a time, so the pool never drops by more than one.
    private static void ListenerGotSigHup(EventContext<ListenerHeap> ctx)
    {
        ListenerHeap heap = ctx.Heap;
        ctx.Kernel.SigHandled();
        if (heap.IsAChild || heap.Server is null) return;
        heap.Environment.Log.Debug($"Server {ctx.Kernel.ProcessId} received SIGHUP: replacing {heap.Children.Count} children.");
        heap.ToReplace.Clear();
        foreach (int pid in heap.Children.Keys) heap.ToReplace.Enqueue(pid);
        ReplaceNext(ctx);
    }

    // In-flight requests had their time: stop everything now.
    private static void ListenerShutdownTimeout(EventContext<ListenerHeap> ctx)
    {
        ctx.Heap.Environment.Log.Debug($"Server {ctx.Kernel.ProcessId} shutdown timeout: stopping now.");
        ListenerShutdown.StopNow(ctx.Kernel, ctx.Heap);
    }

    /// <summary>After SIGHUP: tell the next old child to stop once the pool is full again.</summary>
    private static void ReplaceNext(EventContext<ListenerHeap> ctx)
    {
        ListenerHeap heap = ctx.Heap;
        if (heap.Replacing != 0 || heap.Server is null) return;
        while (heap.ToReplace.TryDequeue(out int pid))
        {
            if (!heap.Children.ContainsKey(pid)) continue;
            heap.Replacing = pid;
            heap.Environment.Signals.Send(pid, Signals.TERM);
            return;
        }
    }

    /// <summary>1 s after the first failure (the original's delay), doubling up to <see cref="MaxForkRetryDelay"/>.</summary>
    public static TimeSpan ForkRetryDelay(int failures) =>
        TimeSpan.FromSeconds(Math.Min(MaxForkRetryDelay.TotalSeconds, Math.Pow(2, Math.Max(0, failures - 1))));
}
