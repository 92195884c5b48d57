using System.Runtime.CompilerServices;
using PoeSharp.Resources;

namespace PoeSharp;

public sealed partial class Kernel
{
    /// <summary>
    /// Queues <paramref name="ev"/> for <paramref name="dest"/> (FIFO). SENDER is the active session.
    /// Both sessions stay alive until it is dispatched. Unknown destination: <see cref="KernelError.NoSuchSession"/>.
    /// </summary>
    /// <remarks>As in POE (§0.7), an event sent by a stopping session (e.g. from <c>_stop</c>), or to one,
    /// is accepted (<see cref="KernelError.None"/>) and discarded.</remarks>
    public KernelError Post(SessionRef dest, string ev, params object?[] args) => PostCore(dest, ev, args, null, 0);

    /// <summary>Posts <paramref name="ev"/> without arguments, recording the caller's file and line (<see cref="EventContext{THeap}.CallerFile"/>).</summary>
    /// <remarks>The last three parameters are filled in by the compiler; never pass them.</remarks>
    public KernelError Post(SessionRef dest, string ev, CallerInfoGuard _ = default,
                            [CallerFilePath] string? callerFile = null, [CallerLineNumber] int callerLine = 0) =>
        PostCore(dest, ev, [], callerFile, callerLine);

    /// <summary>Posts <paramref name="ev"/> with ARG0 = <paramref name="arg0"/>, recording the caller's file and line.</summary>
    /// <remarks>The last three parameters are filled in by the compiler; never pass them.</remarks>
    public KernelError Post(SessionRef dest, string ev, object? arg0, CallerInfoGuard _ = default,
                            [CallerFilePath] string? callerFile = null, [CallerLineNumber] int callerLine = 0) =>
        PostCore(dest, ev, [arg0], callerFile, callerLine);

    /// <summary>Posts <paramref name="ev"/> with ARG0, ARG1, recording the caller's file and line.</summary>
    /// <remarks>The last three parameters are filled in by the compiler; never pass them.</remarks>
    public KernelError Post(SessionRef dest, string ev, object? arg0, object? arg1, CallerInfoGuard _ = default,
                            [CallerFilePath] string? callerFile = null, [CallerLineNumber] int callerLine = 0) =>
        PostCore(dest, ev, [arg0, arg1], callerFile, callerLine);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]   // each overload stays one call, as before the caller-info overloads
    private KernelError PostCore(SessionRef dest, string ev, object?[]? args, string? callerFile, int callerLine)
    {
        CheckThread();
        ArgumentNullException.ThrowIfNull(ev);
        if (!TryResolve(dest, out var target)) return KernelError.NoSuchSession;
        var src = _active;
        if (src.State != SessionState.Alive || target.State != SessionState.Alive || target.IsKernel)
            return KernelError.None;
        Enqueue(target, src, ev, args ?? [], ItemKind.Post, callerFile, callerLine);
        return KernelError.None;
    }

    /// <summary>Posts <paramref name="ev"/> to the active session (SENDER = itself). Must be called from a handler.</summary>
    public void Yield(string ev, params object?[] args) => YieldCore(ev, args, null, 0);

    /// <summary>Yields <paramref name="ev"/> without arguments, recording the caller's file and line.</summary>
    /// <remarks>The last three parameters are filled in by the compiler; never pass them.</remarks>
    public void Yield(string ev, CallerInfoGuard _ = default,
                      [CallerFilePath] string? callerFile = null, [CallerLineNumber] int callerLine = 0) =>
        YieldCore(ev, [], callerFile, callerLine);

    /// <summary>Yields <paramref name="ev"/> with ARG0 = <paramref name="arg0"/>, recording the caller's file and line.</summary>
    /// <remarks>The last three parameters are filled in by the compiler; never pass them.</remarks>
    public void Yield(string ev, object? arg0, CallerInfoGuard _ = default,
                      [CallerFilePath] string? callerFile = null, [CallerLineNumber] int callerLine = 0) =>
        YieldCore(ev, [arg0], callerFile, callerLine);

    /// <summary>Yields <paramref name="ev"/> with ARG0, ARG1, recording the caller's file and line.</summary>
    /// <remarks>The last three parameters are filled in by the compiler; never pass them.</remarks>
    public void Yield(string ev, object? arg0, object? arg1, CallerInfoGuard _ = default,
                      [CallerFilePath] string? callerFile = null, [CallerLineNumber] int callerLine = 0) =>
        YieldCore(ev, [arg0, arg1], callerFile, callerLine);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]   // each overload stays one call, as before the caller-info overloads
    private void YieldCore(string ev, object?[]? args, string? callerFile, int callerLine)
    {
        CheckThread();
        var s = _active;
        if (s.IsKernel) ThrowNoActiveSession(nameof(Yield));
        if (s.State != SessionState.Alive) return;
        Enqueue(s, s, ev, args ?? [], ItemKind.Post, callerFile, callerLine);
    }

    /// <summary>Dispatches <paramref name="ev"/> to <paramref name="dest"/> now and returns the handler's value (null if unknown or unhandled).</summary>
    public object? Call(SessionRef dest, string ev, params object?[] args)
    {
        TryCallCore(dest, ev, out var result, args, null, 0);
        return result;
    }

    /// <summary>Calls <paramref name="ev"/> without arguments, recording the caller's file and line.</summary>
    /// <remarks>The last three parameters are filled in by the compiler; never pass them.</remarks>
    public object? Call(SessionRef dest, string ev, CallerInfoGuard _ = default,
                        [CallerFilePath] string? callerFile = null, [CallerLineNumber] int callerLine = 0)
    {
        TryCallCore(dest, ev, out var result, [], callerFile, callerLine);
        return result;
    }

    /// <summary>Calls <paramref name="ev"/> with ARG0 = <paramref name="arg0"/>, recording the caller's file and line.</summary>
    /// <remarks>The last three parameters are filled in by the compiler; never pass them.</remarks>
    public object? Call(SessionRef dest, string ev, object? arg0, CallerInfoGuard _ = default,
                        [CallerFilePath] string? callerFile = null, [CallerLineNumber] int callerLine = 0)
    {
        TryCallCore(dest, ev, out var result, [arg0], callerFile, callerLine);
        return result;
    }

    /// <summary>Calls <paramref name="ev"/> with ARG0, ARG1, recording the caller's file and line.</summary>
    /// <remarks>The last three parameters are filled in by the compiler; never pass them.</remarks>
    public object? Call(SessionRef dest, string ev, object? arg0, object? arg1, CallerInfoGuard _ = default,
                        [CallerFilePath] string? callerFile = null, [CallerLineNumber] int callerLine = 0)
    {
        TryCallCore(dest, ev, out var result, [arg0, arg1], callerFile, callerLine);
        return result;
    }

    /// <summary>
    /// Like <see cref="Call(SessionRef, string, object?[])"/>, reporting failure: <see cref="KernelError.NoSuchSession"/> or
    /// <see cref="KernelError.NoHandler"/> (neither a handler nor <c>_default</c>).
    /// </summary>
    /// <remarks>A call to the active session runs the handler directly (POE quirk §8.9, kept): an
    /// exception propagates into the calling handler, and <see cref="ActiveEvent"/> stays the outer event.</remarks>
    public KernelError TryCall(SessionRef dest, string ev, out object? result, params object?[] args) =>
        TryCallCore(dest, ev, out result, args, null, 0);

    private KernelError TryCallCore(SessionRef dest, string ev, out object? result, object?[]? args, string? callerFile, int callerLine)
    {
        CheckThread();
        ArgumentNullException.ThrowIfNull(ev);
        result = null;
        if (!TryResolve(dest, out var target) || target.IsKernel || target.State == SessionState.Stopped)
            return KernelError.NoSuchSession;
        result = DispatchCore(target, _active, ev, args ?? [], _activeEvent, EventKind.Call, true, out bool handled, callerFile, callerLine);
        return handled ? KernelError.None : KernelError.NoHandler;
    }

    /// <summary>
    /// The one thread-safe member: queues an event from any thread of this process (never from a
    /// signal handler). It is resolved and queued on the kernel's thread at the next timeslice,
    /// with the kernel as SENDER; an unknown destination then drops it.
    /// </summary>
    public void PostFromAnyThread(SessionRef dest, string ev, params object?[] args)
    {
        ArgumentNullException.ThrowIfNull(ev);
        _inbox.Writer.TryWrite(new CrossThreadPost(dest, ev, args ?? []));
        Interlocked.Increment(ref _inboxCount);
        _loop.Wake();
    }

    private void DrainInbox()
    {
        var reader = _inbox.Reader;
        while (reader.TryRead(out var post))
        {
            Interlocked.Decrement(ref _inboxCount);
            if (TryResolve(post.Dest, out var target) && target.State == SessionState.Alive && !target.IsKernel)
                Enqueue(target, _kernelSession, post.Event, post.Args, ItemKind.Post);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Enqueue(Session dest, Session src, string ev, object?[] args, ItemKind kind, string? callerFile = null, int callerLine = 0)
    {
        var item = new QueueItem
        {
            Due = _now, Dest = dest, Source = src, Event = ev, Args = args, CallerState = _activeEvent,
            CallerFile = callerFile, CallerLine = callerLine, Kind = kind,
        };
        _queue.EnqueueFifo(ref item);
        if (!dest.IsKernel) dest.EventsTo++;
        if (!ReferenceEquals(src, dest) && !src.IsKernel) src.EventsFrom++;
        _observer?.OnEnqueued(dest, src, ev, args, kind == ItemKind.Signal ? EventKind.Signal : EventKind.Post);
    }

    private static void ThrowNoActiveSession(string member) =>
        throw new InvalidOperationException(
            $"{member} acts on the active session and must be called from inside a handler; outside one, use Post(session, ...).");

    /// <summary>Resolves a reference the POE way: object, numeric ID, ID text, alias, then the kernel's ID.</summary>
    internal bool TryResolve(SessionRef r, out Session session)
    {
        if (r.SessionValue is { } s)
        {
            session = s;
            return ReferenceEquals(s.Kernel, this) && (s.IsKernel || s.State != SessionState.Stopped);
        }
        if (r.Text is { } text)
        {
            if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int id)
                && _sessions.TryGetValue(id, out session!))
                return true;
            if (_aliasResource.ByName.TryGetValue(text, out session!)) return true;
            if (text == Id)
            {
                session = _kernelSession;
                return true;
            }
            session = null!;
            return false;
        }
        if (r.IdValue != 0 && _sessions.TryGetValue(r.IdValue, out session!)) return true;
        session = null!;
        return false;
    }

    /// <summary>
    /// Queued events and timers: each keeps both its destination and its sender alive (the
    /// counts live on the session, where the dispatch path updates them without a lookup), and
    /// any queued item but the kernel's own GC checks and IDLE keeps the program running.
    /// </summary>
    private sealed class EventResource(Kernel kernel) : IKernelResource
    {
        public int CountFor(Session session) => session.EventsTo + session.EventsFrom;

        public bool KeepsKernelBusy => kernel._queue.Count - kernel._internalQueued > 0;

        public void Release(Session session)
        {
            if (session.TimerCount > 0)
            {
                var timers = new List<int>(session.TimerCount);
                kernel._queue.CollectSessionTimers(session, null, timers);
                foreach (int id in timers) kernel._queue.TryRemoveTimer(id, out _);
                session.EventsTo -= timers.Count;
                session.TimerCount = 0;
            }
            if (session.EventsTo > 0 || session.EventsFrom > 0) kernel.RemoveQueuedTraffic(session);
            session.EventsTo = 0;
            session.EventsFrom = 0;
        }

        public void Describe(Session session, LivenessReport report)
        {
            report.EventsQueued = session.EventsTo - session.TimerCount;
            report.EventsSent = session.EventsFrom;
            report.Timers = session.TimerCount;
        }

        public void ReportLeaks(List<string> leaks)
        {
            var queue = kernel._queue;
            if (queue.Count > 0)
            {
                var items = new List<string>();
                queue.ForEachFifo(items, static (l, it) => l.Add($"{it.Kind} '{it.Event}' to {it.Dest}"));
                queue.ForEachTimer(items, static (l, it) => l.Add($"timer '{it.Event}' of {it.Dest}"));
                leaks.Add($"{queue.Count} queued item(s): {string.Join(", ", items.Take(10))}");
            }
            if (kernel._internalQueued != 0) leaks.Add($"internal queue count {kernel._internalQueued} (bookkeeping error)");
        }
    }
}
