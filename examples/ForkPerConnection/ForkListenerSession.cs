using System.Net;
using PoeSharp.Os;

namespace PoeSharp.Examples;

/// <summary>
/// The fork-per-connection design (the second seed) on PoeSharp: the parent accepts, forks a child
/// for each connection, closes its copy of the socket and goes on accepting; the child serves the
/// connection with the same interactor session as PreforkHttpd and exits. Each child is reaped by
/// its own pid with <c>SigChild</c> (never <c>waitpid(-1)</c>), so the parent never blocks and
/// no zombie is left. At --max-processes live children the parent pauses accepting.
/// </summary>
internal static class ForkListenerSession
{
    /// <summary>Creates the listener session.</summary>
    public static Session? Create(Kernel kernel, ServerOptions options, ServerEnvironment environment) =>
        kernel.Create(new ForkListenerHeap(options, environment), s => s
            .On("_start", ListenerStart)
            .On("_stop", ListenerStop)
            .On("got_connection", ListenerGotConnection)
            .On("fork_and_handle", ListenerForkAndHandle)
            .On("got_error", ListenerGotError)
            .On("got_sig_int", ListenerGotSigInt)
            .On("got_sig_child", ListenerGotSigChild)
            .OnCall("_child", ListenerChild)
            .On("shutdown_timeout", ListenerShutdownTimeout));

    private static void ListenerStart(EventContext<ForkListenerHeap> ctx)
    {
        ForkListenerHeap heap = ctx.Heap;
        heap.Server = heap.Environment.CreateServer(ctx.Kernel, heap.Options);
        ctx.Kernel.Sig("INT", "got_sig_int");
        ctx.Kernel.Sig("TERM", "got_sig_int");
        if (heap.Server.IsListening)
        {
            heap.Environment.Log.Always($"Server {ctx.Kernel.ProcessId} has begun listening on port {heap.Server.Port}");
            heap.Environment.Log.Always(ServerBanner.Text("ForkPerConnection", heap.Server.Address ?? heap.Options.Address, heap.Server.Port, ctx.Kernel.ProcessId,
                $"one child process per connection, at most {heap.Options.MaxProcesses} at once"));
        }
    }

    private static void ListenerStop(EventContext<ForkListenerHeap> ctx)
    {
        ctx.Heap.Server?.Dispose();
        ctx.Heap.Server = null;
        if (!ctx.Heap.IsAChild) ctx.Heap.Environment.Log.Debug($"Server {ctx.Kernel.ProcessId} stopped.");
    }

    // A connection: fork for it from a queued event, not from inside the accept callback, so the
    // child starts from a clean dispatch (the loop is rebuilt while nothing iterates it).
    private static void ListenerGotConnection(EventContext<ForkListenerHeap> ctx)
    {
        ForkListenerHeap heap = ctx.Heap;
        heap.Environment.Log.Debug($"Server {ctx.Kernel.ProcessId} received a connection.");
        ctx.Kernel.Yield("fork_and_handle", ctx[0], ctx[1], ctx[2]);
        // The fork happens one event later: count it now, so a burst cannot exceed the limit.
        heap.PendingForks++;
        if (heap.Children.Count + heap.PendingForks >= heap.Options.MaxProcesses) heap.Server?.PauseAccept();
    }

    private static void ListenerForkAndHandle(EventContext<ForkListenerHeap> ctx)
    {
        Kernel kernel = ctx.Kernel;
        ForkListenerHeap heap = ctx.Heap;
        var socket = ctx.Arg<FileDescriptor>(0);
        var peerAddr = ctx.Arg<IPAddress?>(1);
        int peerPort = ctx.Arg<int>(2);
        DebugLog log = heap.Environment.Log;

        // Events queued before a fork run in the child too: that connection is another child's
        // (or the parent's) to serve, so the child only closes its copy.
        if (heap.IsAChild)
        {
            socket.Dispose();
            return;
        }
        heap.PendingForks--;

        var fork = kernel.Fork();
        if (fork.Failed)
        {
            // No child: answer it here rather than drop it.
            if (log.Enabled) log.Debug($"Server {kernel.ProcessId} fork failed: {fork.Error}; serving the connection itself.");
            InteractorSession.Create(kernel, socket, peerAddr, peerPort, heap.Options, log);
            return;
        }

        if (fork.IsParent)
        {
            if (log.Enabled) log.Debug($"Server {kernel.ProcessId} forked child {fork.Pid}");
            // The child has its own copy; ours would keep the connection open after the child closes it.
            socket.Dispose();
            heap.Children[fork.Pid] = true;
            kernel.SigChild(fork.Pid, "got_sig_child");
            if (heap.Children.Count + heap.PendingForks < heap.Options.MaxProcesses) heap.Server?.ResumeAccept();
            return;
        }

        // Child: no listening socket, no children; serve this one connection, then exit.
        heap.IsAChild = true;
        heap.Server?.Dispose();
        heap.Server = null;
        heap.Children = [];
        heap.Environment.Random.Reseed();
        // Connections the parent was serving (after a failed fork) came along: Kernel.Fork has
        // already had their wheels let go of them, and those interactors end.
        InteractorSession.Create(kernel, socket, peerAddr, peerPort, heap.Options, log);
    }

    private static void ListenerGotError(EventContext<ForkListenerHeap> ctx)
    {
        ForkListenerHeap heap = ctx.Heap;
        if (AcceptErrors.KeepListening(heap.Environment.Log, ctx.Kernel.ProcessId, ctx.Arg<string>(0), ctx.Arg<int>(1), ctx.Arg<string>(2))) return;
        heap.Environment.Log.Always($"Server {ctx.Kernel.ProcessId} got {ctx.Arg<string>(0)} error {ctx.Arg<int>(1)}: {ctx.Arg<string>(2)}");
        heap.Environment.Log.Always($"Server {ctx.Kernel.ProcessId} is shutting down.");
        heap.Server?.Dispose();
        heap.Server = null;
        if (heap.Children.Count == 0) heap.Failed = true;
        ListenerShutdown.BeginStop(ctx.Kernel, heap, "error");
    }

    private static void ListenerGotSigInt(EventContext<ForkListenerHeap> ctx)
    {
        ForkListenerHeap heap = ctx.Heap;
        string signal = ctx.Arg<string>(0);
        ctx.Kernel.SigHandled();
        if (ListenerShutdown.HandleRepeatedSignal(ctx.Kernel, heap, signal)) return;
        if (!heap.IsAChild) heap.Environment.Log.Debug($"Server {ctx.Kernel.ProcessId} received SIG{signal}.");
        heap.Server?.Dispose();
        heap.Server = null;
        ListenerShutdown.BeginStop(ctx.Kernel, heap, signal);
    }

    private static void ListenerGotSigChild(EventContext<ForkListenerHeap> ctx)
    {
        ForkListenerHeap heap = ctx.Heap;
        int childPid = ctx.Arg<int>(1);
        int status = ctx.Arg<int>(2);
        if (!heap.Children.Remove(childPid)) return;
        heap.Environment.Log.Debug($"Server {ctx.Kernel.ProcessId} reaped child {childPid}. (wait status {status})");
        if (heap.Server is { } server && heap.Children.Count + heap.PendingForks < heap.Options.MaxProcesses) server.ResumeAccept();
        ListenerShutdown.MaybeFinishStop(ctx.Kernel, heap);
    }

    private static object? ListenerChild(EventContext<ForkListenerHeap> ctx)
    {
        string reason = ctx.Arg<string>(0);
        var child = ctx.Arg<Session>(1);
        if (reason == KnownEvents.ChildCreate || reason == "gain") ctx.Heap.Interactors.Add(child);
        else if (ctx.Heap.Interactors.Remove(child)) ListenerShutdown.MaybeFinishStop(ctx.Kernel, ctx.Heap);
        return null;
    }

    private static void ListenerShutdownTimeout(EventContext<ForkListenerHeap> ctx)
    {
        ctx.Heap.Environment.Log.Debug($"Server {ctx.Kernel.ProcessId} shutdown timeout: stopping now.");
        ListenerShutdown.StopNow(ctx.Kernel, ctx.Heap);
    }
}
