using PoeSharp.Os;

namespace PoeSharp.Wheels.Drivers;

/// <summary>
/// Defers the first write of output queued while a wheel handles a readiness callback (input,
/// an accepted or connected socket, a child's output) to the end of that callback, so replies
/// go out with one <c>write</c> before the next poll instead of through the write watcher
/// (<c>epoll_ctl</c> resume, <c>epoll_wait</c>, <c>write</c>, <c>epoll_ctl</c> pause).
/// </summary>
/// <remarks>
/// The kernel runs on one thread and readiness callbacks are not nested in practice, so the
/// scope is per thread. Output queued anywhere else (timers, posted events, <c>_start</c>)
/// takes the write watcher as before. If a callback throws, the deferred wheels fall back to
/// their write watchers and nothing is written during the unwinding.
/// </remarks>
internal static class WriteBatch
{
    [ThreadStatic] private static int t_depth;
    [ThreadStatic] private static List<IDeferredWriter>? t_pending;
    [ThreadStatic] private static Session? t_owner;
    [ThreadStatic] private static int t_forkGeneration;

    /// <summary>
    /// Starts a readiness callback of a wheel owned by <paramref name="owner"/> (the active
    /// session). Only that session's wheels defer: the deferred write may need to resume a write
    /// watcher, which the kernel registers for the active session.
    /// </summary>
    internal static void Enter(Session owner)
    {
        if (t_depth++ == 0)
        {
            t_owner = owner;
            t_forkGeneration = ForkSafety.ForkGeneration;
        }
        else if (!ReferenceEquals(owner, t_owner)) t_owner = null; // nested, another session: defer no more
    }

    /// <summary>
    /// Runs a wheel's readiness callback <paramref name="body"/> as one batch: output put by the
    /// handlers it calls is written at its end, or handed to the write watchers if it throws.
    /// </summary>
    internal static void Run<TState>(Session owner, TState state, Action<TState> body)
    {
        Enter(owner);
        try
        {
            body(state);
        }
        catch
        {
            Abort();
            throw;
        }
        Exit();
    }

    /// <summary>
    /// Queues <paramref name="writer"/> (owned by <paramref name="owner"/>) for the end of the
    /// current callback. False outside a callback of that session: use the write watcher.
    /// </summary>
    internal static bool TryDefer(IDeferredWriter writer, Session owner)
    {
        if (t_depth == 0 || !ReferenceEquals(owner, t_owner)) return false;
        (t_pending ??= []).Add(writer);
        return true;
    }

    /// <summary>Ends a readiness callback; at the outermost one, the deferred wheels write.</summary>
    internal static void Exit()
    {
        if (--t_depth > 0) return;
        t_owner = null;
        var pending = t_pending;
        if (pending is null || pending.Count == 0) return;
        if (DroppedInForkedChild(pending)) return;
        // No longer active: output queued by handlers run from here (FlushedEvent, ErrorEvent)
        // takes the write watcher, so a producer that refills on FlushedEvent cannot hold the loop.
        int i = 0;
        try
        {
            for (; i < pending.Count; i++) pending[i].WriteDeferred(write: true);
        }
        catch
        {
            for (i++; i < pending.Count; i++) pending[i].WriteDeferred(write: false);
            throw;
        }
        finally
        {
            pending.Clear();
        }
    }

    /// <summary>Ends a callback that threw: the deferred wheels resume their write watchers instead.</summary>
    internal static void Abort()
    {
        if (--t_depth > 0) return;
        t_owner = null;
        var pending = t_pending;
        if (pending is null || DroppedInForkedChild(pending)) return;
        try
        {
            for (int i = 0; i < pending.Count; i++) pending[i].WriteDeferred(write: false);
        }
        finally
        {
            pending.Clear();
        }
    }

    /// <summary>
    /// A handler forked during the callback and this is the child: the output queued during the
    /// callback is the parent's to write (it still will); writing it here too would send it twice.
    /// </summary>
    private static bool DroppedInForkedChild(List<IDeferredWriter> pending)
    {
        if (ForkSafety.ForkGeneration == t_forkGeneration) return false;
        try
        {
            for (int i = 0; i < pending.Count; i++) pending[i].DropDeferred();
        }
        finally
        {
            pending.Clear();
        }
        return true;
    }
}
