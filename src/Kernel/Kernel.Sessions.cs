using PoeSharp.Resources;

namespace PoeSharp;

public sealed partial class Kernel
{

    /// <summary>
    /// Creates a session (POE's <c>POE::Session-&gt;create</c>): its parent is the active session,
    /// <c>_start</c> runs synchronously with <paramref name="args"/> and SENDER = the parent, and its
    /// return value reaches the parent's <c>_child("create", child, value)</c>, unless the session
    /// detached itself during <c>_start</c> (then the creator hears nothing of it, as in POE). Without a
    /// <c>_start</c> handler the session is discarded with a warning and null is returned.
    /// </summary>
    public Session? Create<THeap>(THeap heap, Action<SessionBuilder<THeap>> states, params object?[] args)
    {
        CheckThread();
        ArgumentNullException.ThrowIfNull(states);
        var builder = new SessionBuilder<THeap>();
        states(builder);
        bool hasStart = false;
        foreach (var (ev, _) in builder.Handlers) hasStart |= ev == KnownEvents.Start;
        if (!hasStart)
        {
            Warn("a session was created without a _start handler; it is discarded (add .On(\"_start\", ...)).");
            return null;
        }
        int id = ++_nextSessionId;
        while (_sessions.ContainsKey(id)) id = ++_nextSessionId;
        var session = new Session<THeap>(this, id, heap, builder.Handlers)
        {
            Trace = builder.Trace, DefaultWarnings = builder.DefaultWarnings,
        };

        var parent = _active.State == SessionState.Stopped ? _kernelSession : _active;
        session.Parent = parent;
        (parent.Children ??= new()).Add(session);
        _sessions.Add(id, session);
        // POE's private _garbage_collect event: the session lives at least until it is dequeued.
        Enqueue(session, _kernelSession, "_garbage_collect", [], ItemKind.GcCheck);
        _internalQueued++;

        session.InStart = true;
        var ret = DispatchCore(session, parent, KnownEvents.Start, args ?? [], _activeEvent, EventKind.Lifecycle, true, out _);
        session.InStart = false;
        // POE tells the session's parent as it is after _start: a session that detached itself
        // there belongs to the kernel, so its creator gets no "create" (it will never get a "lose").
        if (!parent.IsKernel && parent.State != SessionState.Stopped && ReferenceEquals(session.Parent, parent))
            DispatchCore(parent, _kernelSession, KnownEvents.Child, [KnownEvents.ChildCreate, session, ret], null,
                         EventKind.Lifecycle, true, out _);
        return session;
    }

    /// <summary>Finds a live session by ID (0 = the kernel's session).</summary>
    public Session? IdToSession(int id)
    {
        CheckThread();
        if (id == 0) return _kernelSession;
        return _sessions.GetValueOrDefault(id);
    }

    /// <summary>The live sessions, in ID order.</summary>
    public IReadOnlyList<Session> Sessions
    {
        get
        {
            CheckThread();
            var list = new List<Session>(_sessions.Values);
            list.Sort((a, b) => a.Id.CompareTo(b.Id));
            return list;
        }
    }

    /// <summary>
    /// Detaches the active session from its parent: the parent gets <c>_child("lose", me, null)</c>
    /// (not when called inside <c>_start</c>: then the creator gets neither "create" nor "lose"),
    /// then this session gets <c>_parent(old, kernel)</c>.
    /// <see cref="KernelError.NotPermitted"/> if it is already a child of the kernel.
    /// </summary>
    public KernelError DetachMyself()
    {
        CheckThread();
        var me = _active;
        if (me.IsKernel) return KernelError.NoSuchSession;
        var old = me.Parent!;
        if (old.IsKernel) return KernelError.NotPermitted;
        Reparent(me, _kernelSession);
        if (!me.InStart)
            DispatchCore(old, _kernelSession, KnownEvents.Child, [KnownEvents.ChildLose, me, null], null, EventKind.Lifecycle, true, out _);
        DispatchCore(me, _kernelSession, KnownEvents.Parent, [old, _kernelSession], null, EventKind.Lifecycle, true, out _);
        return KernelError.None;
    }

    /// <summary>
    /// Detaches <paramref name="child"/> from the active session: I get <c>_child("lose", child, null)</c>,
    /// the child gets <c>_parent(me, kernel)</c>. NoSuchSession if unknown, NotPermitted if not my child.
    /// </summary>
    public KernelError DetachChild(SessionRef child)
    {
        CheckThread();
        var me = _active;
        if (!TryResolve(child, out var c) || c.IsKernel) return KernelError.NoSuchSession;
        if (!ReferenceEquals(c.Parent, me) || me.IsKernel) return KernelError.NotPermitted;
        Reparent(c, _kernelSession);
        DispatchCore(me, _kernelSession, KnownEvents.Child, [KnownEvents.ChildLose, c, null], null, EventKind.Lifecycle, true, out _);
        DispatchCore(c, _kernelSession, KnownEvents.Parent, [me, _kernelSession], null, EventKind.Lifecycle, true, out _);
        return KernelError.None;
    }

    private void Reparent(Session child, Session newParent)
    {
        var old = child.Parent!;
        old.Children?.Remove(child);
        Candidate(old);
        child.Parent = newParent;
        (newParent.Children ??= new()).Add(child);
    }

    /// <summary>
    /// Adds or replaces (or, with null, removes) the active session's handler for <paramref name="ev"/>
    /// (POE's <c>state()</c>). The heap type must be the session's. NoSuchSession outside a session.
    /// </summary>
    public KernelError State<THeap>(string ev, Action<EventContext<THeap>>? handler) => SetState(ev, handler, typeof(THeap));

    /// <summary>Like <see cref="State{THeap}(string, Action{EventContext{THeap}}?)"/> for a handler whose value <c>Call</c> returns (as <see cref="SessionBuilder{THeap}.OnCall(string, Func{EventContext{THeap}, object?})"/>).</summary>
    public KernelError StateCall<THeap>(string ev, Func<EventContext<THeap>, object?>? handler) => SetState(ev, handler, typeof(THeap));

    /// <summary>Adds or replaces a heap-agnostic handler (the heap is seen as <c>object?</c>); usable from any session, e.g. by wheels.</summary>
    public KernelError State(string ev, Action<EventContext<object?>> handler) => SetState(ev, handler, null);

    /// <summary>Heap-agnostic handler returning a value (as <see cref="SessionBuilder{THeap}.OnCall(string, Func{EventContext{THeap}, object?})"/>).</summary>
    public KernelError StateCall(string ev, Func<EventContext<object?>, object?> handler) => SetState(ev, handler, null);

    /// <summary>Removes the active session's handler for <paramref name="ev"/>.</summary>
    public KernelError State(string ev) => SetState(ev, null, null);

    private KernelError SetState(string ev, Delegate? handler, Type? heapType)
    {
        CheckThread();
        ArgumentException.ThrowIfNullOrEmpty(ev);
        var s = _active;
        if (s.IsKernel || s.State == SessionState.Stopped) return KernelError.NoSuchSession;
        if (heapType is not null && handler is not null)
        {
            var actual = s.GetType().GetGenericArguments()[0];
            if (actual != heapType)
                throw new ArgumentException(
                    $"{s}'s heap is {actual.Name}, not {heapType.Name}; use State<{actual.Name}>(...) or the heap-agnostic State(string, Action<EventContext<object?>>).",
                    nameof(handler));
        }
        s.SetHandler(ev, handler);
        return KernelError.None;
    }

    /// <summary>Makes a <see cref="PoeSharp.Postback"/> for the active session: invoking it posts <paramref name="ev"/> with ARG0 = <paramref name="args"/>, ARG1 = the invocation's args.</summary>
    public Postback Postback(string ev, params object?[] args)
    {
        CheckThread();
        var s = _active;
        if (s.IsKernel) ThrowNoActiveSession(nameof(Postback));
        RefcountIncrement(s, AnonEventTag);
        return new Postback(this, s, ev, args ?? []);
    }

    /// <summary>Makes a <see cref="PoeSharp.Callback"/> for the active session: invoking it calls <paramref name="ev"/> and returns the handler's value.</summary>
    public Callback Callback(string ev, params object?[] args)
    {
        CheckThread();
        var s = _active;
        if (s.IsKernel) ThrowNoActiveSession(nameof(Callback));
        RefcountIncrement(s, AnonEventTag);
        return new Callback(this, s, ev, args ?? []);
    }

    private const string AnonEventTag = "anon_event";

    internal void ReleaseAnonRef(Session s)
    {
        CheckThread();
        if (s.State != SessionState.Stopped) RefcountDecrement(s, AnonEventTag);
    }

    /// <summary>Adds one to <paramref name="session"/>'s extra reference <paramref name="tag"/>; returns the new count, or null (ESRCH) for an unknown session. A non-zero tag keeps the session alive.</summary>
    public int? RefcountIncrement(SessionRef session, string tag)
    {
        CheckThread();
        ArgumentNullException.ThrowIfNull(tag);
        if (!TryResolve(session, out var s) || s.IsKernel || s.State == SessionState.Stopped) return null;
        s.Extrefs.TryGetValue(tag, out int n);
        if (n == 0) _extraRefResource.Total++;
        s.Extrefs.Set(tag, ++n);
        return n;
    }

    /// <summary>Subtracts one from the tag; at 0 the tag is removed and stops keeping the session alive. Returns the new count, or null for an unknown session.</summary>
    public int? RefcountDecrement(SessionRef session, string tag)
    {
        CheckThread();
        ArgumentNullException.ThrowIfNull(tag);
        if (!TryResolve(session, out var s) || s.IsKernel || s.State == SessionState.Stopped) return null;
        if (!s.Extrefs.TryGetValue(tag, out int n)) return 0;
        if (--n == 0)
        {
            s.Extrefs.Remove(tag);
            _extraRefResource.Total--;
            Candidate(s);
        }
        else s.Extrefs.Set(tag, n);
        return n;
    }

    /// <summary>
    /// Stops one session (POE's <c>_data_ses_stop</c>): its children move to its parent (parent gets
    /// <c>_child(gain)</c>, child gets <c>_parent</c>), it gets <c>_stop</c>, its parent gets
    /// <c>_child(lose, session, stop value)</c>, and every resource it holds is released.
    /// </summary>
    private void StopSession(Session s)
    {
        if (s.State != SessionState.Alive) return;
        s.State = SessionState.Stopping;
        var grandparent = s.Parent!;
        if (s.Children is { Count: > 0 } kids)
        {
            foreach (var child in kids.ToArray())
            {
                if (child.State == SessionState.Stopped) continue;
                kids.Remove(child);
                child.Parent = grandparent;
                (grandparent.Children ??= new()).Add(child);
                if (!grandparent.IsKernel)
                    DispatchCore(grandparent, _kernelSession, KnownEvents.Child, [KnownEvents.ChildGain, child, null], null, EventKind.Lifecycle, true, out _);
                DispatchCore(child, _kernelSession, KnownEvents.Parent, [s, grandparent], null, EventKind.Lifecycle, true, out _);
            }
        }

        object? ret = null;
        try
        {
            ret = DispatchCore(s, _active, KnownEvents.Stop, [], null, EventKind.Lifecycle, false, out _);
        }
        catch (Exception ex)
        {
            // Not converted into DIE (POE): rethrown from Run() once the kernel is consistent.
            _observer?.OnHandlerFailed(s, KnownEvents.Stop, ex);
            SetPending(System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex), replace: false);
        }

        grandparent = s.Parent!;
        if (!grandparent.IsKernel && grandparent.State != SessionState.Stopped)
            DispatchCore(grandparent, _kernelSession, KnownEvents.Child, [KnownEvents.ChildLose, s, ret], null, EventKind.Lifecycle, true, out _);

        FreeResources(s);
        grandparent.Children?.Remove(s);
        Candidate(grandparent);
        _sessions.Remove(s.Id);
        s.State = SessionState.Stopped;
        DisposeOwned(s);
    }

    /// <summary>Disposes what a stopped session still owned (see <see cref="AddOwned"/>).</summary>
    private void DisposeOwned(Session s)
    {
        if (s.Owned.Count == 0) return;
        foreach (IDisposable resource in s.Owned.Take())
        {
            try
            {
                resource.Dispose();
            }
            catch (Exception ex)
            {
                _observer?.OnHandlerFailed(s, KnownEvents.Stop, ex);
                SetPending(System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex), replace: false);
            }
        }
    }

    /// <summary>Every resource frees what <paramref name="s"/> holds (POE's per-resource clear calls in _data_ses_stop).</summary>
    private void FreeResources(Session s)
    {
        foreach (var resource in _resources) resource.Release(s);
    }

    /// <summary>POE's refcount of <paramref name="s"/>: the sum over the resources; 0 means nothing keeps it alive.</summary>
    private int RefCount(Session s)
    {
        int n = 0;
        foreach (var resource in _resources) n += resource.CountFor(s);
        return n;
    }

    private void RemoveQueuedTraffic(Session s)
    {
        _queue.RemoveFifoWhere(
            (Kernel: this, Session: s),
            static (st, it) => ReferenceEquals(it.Dest, st.Session) || ReferenceEquals(it.Source, st.Session),
            static (st, it) =>
            {
                var k = st.Kernel;
                if (it.Kind is ItemKind.GcCheck or ItemKind.IdleSignal) k._internalQueued--;
                if (!ReferenceEquals(it.Dest, st.Session) && !it.Dest.IsKernel && --it.Dest.EventsTo == 0) k.Candidate(it.Dest);
                if (!ReferenceEquals(it.Source, st.Session) && !ReferenceEquals(it.Source, it.Dest) && !it.Source.IsKernel
                    && --it.Source.EventsFrom == 0) k.Candidate(it.Source);
            });
    }

    /// <summary>POE's stop(): every session, deepest first, then the queue is cleared.</summary>
    private void StopAll()
    {
        var order = TreeOrder(_kernelSession);
        for (int i = order.Count - 1; i >= 0; i--) StopSession(order[i]);
        _queue.Clear();
        _internalQueued = 0;
        _idlePending = false;
        _zombieArmed = false;
        _gcCandidates.Clear();
        _stopRequested = true;
        if (_hostAttached && _host!.ProcessId != _pid) HasForked();
    }

    /// <summary>Breadth-first: <paramref name="root"/>'s descendants (and the root itself unless it is the kernel).</summary>
    private static List<Session> TreeOrder(Session root)
    {
        var list = new List<Session>();
        if (!root.IsKernel) list.Add(root);
        else if (root.Children is { } top) list.AddRange(top);
        for (int i = 0; i < list.Count; i++)
            if (list[i].Children is { Count: > 0 } kids) list.AddRange(kids);
        return list;
    }

    /// <summary>The session tree: children keep their parent alive; live sessions are what <see cref="FindLeaks"/> lists first.</summary>
    private sealed class SessionResource(Kernel kernel) : IKernelResource
    {
        public int CountFor(Session session) => session.ChildCount;

        public bool KeepsKernelBusy => false;   // live sessions are the run loop's own condition

        public void Release(Session session)
        {
            // Sessions created from its _stop: hand them to the grandparent quietly.
            if (session.Children is not { Count: > 0 } late) return;
            var gp = session.Parent!;
            foreach (var child in late.ToArray())
            {
                child.Parent = gp;
                (gp.Children ??= new()).Add(child);
            }
            late.Clear();
        }

        public void Describe(Session session, LivenessReport report) => report.Children = session.ChildCount;

        public void ReportLeaks(List<string> leaks)
        {
            foreach (var s in kernel.Sessions) leaks.Add("live " + kernel.Explain(s));
            if (kernel._kernelSession.Children is { Count: > 0 } top) leaks.Add($"{top.Count} top-level session(s) still listed");
        }
    }

    /// <summary>Extra references (POE's refcount_increment): each non-zero tag keeps its session and the program alive.</summary>
    private sealed class ExtraRefResource : IKernelResource
    {
        /// <summary>Non-zero extra-ref tags over all sessions: they keep the program running.</summary>
        public int Total;

        public int CountFor(Session session) => session.Extrefs.Count;

        public bool KeepsKernelBusy => Total > 0;

        public void Release(Session session)
        {
            if (session.Extrefs.Count == 0) return;
            Total -= session.Extrefs.Count;
            session.Extrefs.Clear();
        }

        public void Describe(Session session, LivenessReport report) =>
            report.ExtraRefs = session.Extrefs.ToDictionary();

        public void ReportLeaks(List<string> leaks)
        {
            if (Total != 0) leaks.Add($"{Total} extra-ref tag(s) not released");
        }
    }
}
