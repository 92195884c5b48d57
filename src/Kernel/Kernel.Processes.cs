using PoeSharp.Os;
using PoeSharp.Processes;

namespace PoeSharp;

public sealed partial class Kernel
{
    private bool _hostAttached;

    /// <summary>True once <see cref="HasForked"/> has run in a child process.</summary>
    public bool HasForkedSinceStart { get; private set; }

    /// <summary>
    /// Forks through the process host (which checks fork-readiness and quiesces first). In the
    /// child, <see cref="HasForked"/> has already run when this returns. A refused fork returns
    /// <see cref="ForkResult.Failure"/>; nothing changes.
    /// </summary>
    public ForkResult Fork()
    {
        CheckThread();
        PrepareChildPath();
        PrepareForkAwareTypes();
        var result = EnsureHost().Fork();
        if (result.IsChild) HasForked();
        return result;
    }

    private static bool s_childPathPrepared;

    /// <summary>
    /// Compiles, once, the kernel methods every child runs first and its parent may never have
    /// run, so that no child pays for them (docs/FORK-SAFETY.md, "Cost of a child").
    /// </summary>
    private static void PrepareChildPath()
    {
        if (s_childPathPrepared) return;
        s_childPathPrepared = true;
        const System.Reflection.BindingFlags flags = System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic |
                                                     System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.DeclaredOnly;
        foreach (string name in (ReadOnlySpan<string>)[nameof(HasForked), nameof(RemoveSignalWatcher), nameof(RemoveSignalWatchers),
                                                        nameof(AfterForkInChild), nameof(ForkOrder), nameof(WarnLeaks), nameof(CollectLeaks),
                                                        nameof(DisposeOwned), nameof(Sig), nameof(ResumeWatch),
                                                        nameof(IdleCompactionDue), nameof(CompactIdleHeap)])
            // Every overload of the name: GetMethod would throw on an overload added later, in Fork().
            foreach (var member in typeof(Kernel).GetMember(name, System.Reflection.MemberTypes.Method, flags))
                if (member is System.Reflection.MethodInfo { ContainsGenericParameters: false } m)
                    System.Runtime.CompilerServices.RuntimeHelpers.PrepareMethod(m.MethodHandle);
        // A child usually ends its Run() (the parent rarely does before it forks): the leak
        // report after Run() asks every resource, and the session stops release from each.
        foreach (var type in typeof(Kernel).GetNestedTypes(System.Reflection.BindingFlags.NonPublic))
            if (typeof(IKernelResource).IsAssignableFrom(type) && !type.IsAbstract && !type.ContainsGenericParameters)
                ForkSafety.PrepareForChildren(type);
        // What both sides of the first fork would otherwise compile after it: the result the
        // caller reads, the settings an event without a handler consults, the leak report's
        // session list and the kernel's lambdas (small, all of them).
        ForkSafety.PrepareForChildren(typeof(ForkResult), typeof(KernelOptions), typeof(Resources.WatcherTable));
        foreach (string name in (ReadOnlySpan<string>)[nameof(HasForkedSinceStart), nameof(Sessions)])
            if (typeof(Kernel).GetProperty(name, flags) is { } p)
                foreach (var accessor in p.GetAccessors(nonPublic: true))
                    System.Runtime.CompilerServices.RuntimeHelpers.PrepareMethod(accessor.MethodHandle);
        if (typeof(Session).GetProperty(nameof(Session.DefaultWarnings)) is { GetMethod: { } warnings })
            System.Runtime.CompilerServices.RuntimeHelpers.PrepareMethod(warnings.MethodHandle);
        if (typeof(Kernel).GetNestedType("<>c", System.Reflection.BindingFlags.NonPublic) is { } lambdas)
        {
            ForkSafety.PrepareForChildren(lambdas);
            System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(lambdas.TypeHandle);
        }
        // Shared generic code PrepareMethod cannot reach: the child drops its inherited signal
        // watches (Dictionary<Session, SignalWatch>.Remove, Count), the parent may never have. Any
        // reference-type key runs the same compiled code.
        var watches = new Dictionary<string, Resources.SignalWatch>();
        _ = watches.Remove(string.Empty);
        _ = watches.Count;
        // The child releases its sessions' fork-aware resources (indexer, RemoveAt) and may stop
        // sessions that own some (Take): the same shared code for every reference type.
        var small = new Resources.SmallList<object>();
        small.Add(watches);
        small.Add(string.Empty);
        _ = small[small.Count - 1];
        small.RemoveAt(0);
        _ = small.Remove(watches);
        _ = small.Take();
        small.Add(watches);
        small.RemoveAt(0);
        small.Clear();
        // A parent that forks before its first poll (a pre-forking pool) has never waited.
        PoeSharp.Loop.EpollLoop.PrepareWaits();
    }

    /// <summary>
    /// POE's <c>has_forked()</c>, for a child process: new kernel ID and pid, the process host
    /// forgets the parent's children and rebuilds its descriptors, the loop rebuilds its own.
    /// Sessions, heaps, queued events, timers, aliases and watchers are inherited (they fire in
    /// both processes). Then, not in POE: every registered <see cref="IForkAware"/> (the
    /// connections wheels own, unless they were told to keep them) is released without touching
    /// its peer and its owner is told, and every session gets <see cref="KnownEvents.AfterFork"/>
    /// (see <see cref="AfterForkInChild"/> for the order). A no-op in the process that created the kernel.
    /// </summary>
    /// <remarks>Deviation (§8.4): the child drops inherited <c>SigChild</c> watches, because it cannot
    /// reap its parent's children; in POE they keep the session alive until IDLE kills it.</remarks>
    public void HasForked()
    {
        CheckThread();
        var host = EnsureHost();
        int pid = host.ProcessId;
        if (pid == _pid) return;
        int parentPid = _pid;
        _pid = pid;
        _id = null;
        HasForkedSinceStart = true;
        // The inherited heap is shared with the parent until written: a child compacts only what it allocated itself.
        _allocatedAtCompaction = GC.GetTotalAllocatedBytes(precise: false);
        host.AfterFork();
        _loop.AfterFork();
        foreach (var (_, watchers) in _childWatchResource.WatchersByPid)
            foreach (var s in watchers)
                if (s.SigChildren is { Count: > 0 } map)
                {
                    _childWatchResource.Total -= map.Count;
                    map.Clear();
                    Candidate(s);
                }
        _childWatchResource.WatchersByPid.Clear();
        AfterForkInChild(parentPid);
    }

    /// <summary>
    /// Registers <paramref name="resource"/>, owned by <paramref name="owner"/>, to be released in
    /// a forked child (see <see cref="IForkAware"/>). Wheels call it when they take a connection;
    /// a stopped session's registrations go with it.
    /// </summary>
    public void AddForkAware(Session owner, IForkAware resource)
    {
        CheckThread();
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(resource);
        if (owner.IsKernel || owner.State == SessionState.Stopped || !ReferenceEquals(owner.Kernel, this)) return;
        owner.ForkAware.Add(resource); // usually the one wheel of a connection
        var type = resource.GetType();
        if (!ReferenceEquals(type, _lastForkAwareType))
        {
            _lastForkAwareType = type;
            // Process-wide: compiled code is shared by every kernel (a warm-up kernel may see a type first).
            lock (s_forkAwareTypes)
                if (s_forkAwareTypes.Add(type)) s_forkAwareTypesToPrepare.Add(type);
        }
    }

    /// <summary>
    /// Registers <paramref name="resource"/> (a wheel, say) as owned by <paramref name="owner"/>:
    /// if the session stops while it is still registered (a forced stop: a terminal signal,
    /// <see cref="Stop"/>, a handler failure under <see cref="HandlerFailurePolicy.StopSession"/>),
    /// the kernel disposes it after <c>_stop</c>, as POE destroys a stopped session's heap and the
    /// wheels in it, so its descriptors close at once instead of at some later garbage collection.
    /// </summary>
    public void AddOwned(Session owner, IDisposable resource)
    {
        CheckThread();
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(resource);
        if (owner.IsKernel || owner.State == SessionState.Stopped || !ReferenceEquals(owner.Kernel, this)) return;
        owner.Owned.Add(resource); // usually the one wheel of a connection
    }

    /// <summary>Cancels <see cref="AddOwned"/> (harmless if not registered); a resource disposed by its owner calls it.</summary>
    public void RemoveOwned(Session owner, IDisposable resource)
    {
        ArgumentNullException.ThrowIfNull(owner);
        owner.Owned.Remove(resource);
    }

    /// <summary>Cancels <see cref="AddForkAware"/> (harmless if not registered).</summary>
    public void RemoveForkAware(Session owner, IForkAware resource)
    {
        CheckThread();
        ArgumentNullException.ThrowIfNull(owner);
        owner.ForkAware.Remove(resource);
    }

    private Type? _lastForkAwareType;
    private static readonly HashSet<Type> s_forkAwareTypes = new();            // lock: itself
    private static readonly List<Type> s_forkAwareTypesToPrepare = new();      // lock: s_forkAwareTypes

    /// <summary>
    /// Compiles, once per type, the <see cref="IForkAware"/> methods of what was registered:
    /// only children call them. An interface method that was never called has no entry point
    /// yet, so PrepareMethod alone would compile nothing (docs/FORK-SAFETY.md, "Cost of a child").
    /// </summary>
    private static void PrepareForkAwareTypes()
    {
        Type[] pending;
        lock (s_forkAwareTypes)
        {
            if (s_forkAwareTypesToPrepare.Count == 0) return;
            pending = s_forkAwareTypesToPrepare.ToArray();
            s_forkAwareTypesToPrepare.Clear();
        }
        foreach (var type in pending)
            foreach (var m in type.GetInterfaceMap(typeof(IForkAware)).TargetMethods)
            {
                if (m.IsAbstract || m.ContainsGenericParameters) continue;
                _ = m.MethodHandle.GetFunctionPointer();
                System.Runtime.CompilerServices.RuntimeHelpers.PrepareMethod(m.MethodHandle);
            }
    }

    /// <summary>
    /// The sessions' side of a fork, in the child: every registered <see cref="IForkAware"/>
    /// lets go first (no handler runs until all have), then the owners hear of it, then every
    /// session gets <see cref="KnownEvents.AfterFork"/>. Both passes go breadth-first from the
    /// top-level sessions: parents before children, siblings in creation order. Sessions created
    /// by these handlers are the child's own and get nothing.
    /// </summary>
    private void AfterForkInChild(int parentPid)
    {
        var order = ForkOrder();
        if (order.Count == 0) return;
        var prevSession = _active;
        var prevEvent = _activeEvent;
        List<IForkAware>? released = null;
        List<Session>? owners = null;
        try
        {
            _activeEvent = null;
            foreach (var s in order)
            {
                if (s.ForkAware.Count == 0 || s.State != SessionState.Alive) continue;
                _active = s; // what a resource unwatches belongs to its owner
                for (int i = 0; i < s.ForkAware.Count;)
                {
                    var r = s.ForkAware[i];
                    if (!r.ReleaseInChild())
                    {
                        i++;
                        continue;
                    }
                    s.ForkAware.RemoveAt(i);
                    (released ??= new()).Add(r);
                    (owners ??= new()).Add(s);
                }
            }
            // Reports are calls from the kernel's session: a handler that throws becomes its session's DIE.
            _active = _kernelSession;
            if (released is not null)
                for (int i = 0; i < released.Count; i++)
                    if (owners![i].State == SessionState.Alive) released[i].ReportReleasedInChild();
            foreach (var s in order)
                if (s.State == SessionState.Alive)
                    DispatchCore(s, _kernelSession, KnownEvents.AfterFork, [parentPid], null, EventKind.Lifecycle, true, out _);
        }
        finally
        {
            _active = prevSession;
            _activeEvent = prevEvent;
        }
    }

    /// <summary>Every live session, breadth-first from the top-level ones.</summary>
    private List<Session> ForkOrder()
    {
        var order = new List<Session>(_sessions.Count);
        if (_kernelSession.Children is { } top)
            for (int i = 0; i < top.Count; i++) order.Add(top[i]);
        for (int i = 0; i < order.Count; i++)
            if (order[i].Children is { } kids)
                for (int j = 0; j < kids.Count; j++) order.Add(kids[j]);
        return order;
    }

    /// <summary>
    /// One-shot watch of child <paramref name="pid"/>: when it is reaped, <paramref name="ev"/>
    /// is queued for the active session with ARG0 "CHLD", ARG1 pid, ARG2 the wait status, then
    /// <paramref name="args"/>. Keeps the session alive until then. Several sessions may watch a pid.
    /// A null <paramref name="ev"/> cancels (harmless if none). NoSuchSession if it is not our child.
    /// </summary>
    public KernelError SigChild(int pid, string? ev, params object?[] args)
    {
        CheckThread();
        var s = _active;
        if (s.IsKernel || s.State != SessionState.Alive) return KernelError.NoSuchSession;
        if (ev is null)
        {
            RemoveSigChild(s, pid);
            return KernelError.None;
        }
        if (pid <= 0) return KernelError.InvalidArgument;
        if (!_childWatchResource.WatchersByPid.TryGetValue(pid, out var watchers))
        {
            if (!EnsureHost().WatchChild(pid)) return KernelError.NoSuchSession;
            _childWatchResource.WatchersByPid[pid] = watchers = new List<Session>();
        }
        var map = s.SigChildren ??= new();
        if (!map.ContainsKey(pid))
        {
            watchers.Add(s);
            _childWatchResource.Total++;
        }
        map[pid] = (ev, args ?? []);
        return KernelError.None;
    }

    /// <summary>Cancels the active session's watch of <paramref name="pid"/>.</summary>
    public KernelError SigChild(int pid) => SigChild(pid, null);

    /// <summary>The process host, created on first use (so kernels that never fork or watch OS signals never touch the OS).</summary>
    internal IProcessHost EnsureHost()
    {
        if (_host is null)
        {
            _host = OsDefaults.CreateProcessHost();
            _ownsHost = true;
        }
        if (!_hostAttached)
        {
            _hostAttached = true;
            _host.Attach(this);
            _pid = _host.ProcessId;
        }
        return _host;
    }

    void IProcessSink.OnSignal(string name)
    {
        CheckThread();
        Enqueue(_kernelSession, _kernelSession, name, [], Resources.ItemKind.Signal);
    }

    void IProcessSink.OnChildExit(int pid, int waitStatus)
    {
        CheckThread();
        if (!_childWatchResource.WatchersByPid.Remove(pid, out var watchers)) return;
        foreach (var s in watchers)
        {
            if (s.SigChildren is null || !s.SigChildren.Remove(pid, out var w)) continue;
            _childWatchResource.Total--;
            if (s.State == SessionState.Alive)
            {
                var args = new object?[3 + w.Args.Length];
                args[0] = SignalNames.Child;
                args[1] = pid;
                args[2] = waitStatus;
                w.Args.CopyTo(args, 3);
                // Queued before the watch's reference goes, so the session stays alive throughout.
                Enqueue(s, _kernelSession, w.Event, args, Resources.ItemKind.Post);
            }
            Candidate(s);
        }
        Enqueue(_kernelSession, _kernelSession, SignalNames.Child, [pid, waitStatus], Resources.ItemKind.Signal);
    }

    private void RemoveSigChild(Session s, int pid)
    {
        if (s.SigChildren is null || !s.SigChildren.Remove(pid)) return;
        _childWatchResource.Total--;
        Candidate(s);
        if (_childWatchResource.WatchersByPid.TryGetValue(pid, out var watchers))
        {
            watchers.Remove(s);
            if (watchers.Count == 0)
            {
                _childWatchResource.WatchersByPid.Remove(pid);
                _host?.IgnoreChild(pid);
            }
        }
    }

    private void RemoveSigChildWatches(Session s)
    {
        if (s.SigChildren is not { Count: > 0 } map) return;
        foreach (int pid in map.Keys.ToArray()) RemoveSigChild(s, pid);
    }

    /// <summary>Child watches (<see cref="SigChild(int, string?, object?[])"/>): each keeps its session and the program alive until the child is reaped.</summary>
    private sealed class ChildWatchResource(Kernel kernel) : IKernelResource
    {
        /// <summary>Child pid -> the sessions watching it.</summary>
        public readonly Dictionary<int, List<Session>> WatchersByPid = new();

        /// <summary>Child watches over all sessions: they keep the program running.</summary>
        public int Total;

        public int CountFor(Session session) => session.SigChildren?.Count ?? 0;

        public bool KeepsKernelBusy => Total > 0;

        public void Release(Session session) => kernel.RemoveSigChildWatches(session);

        public void Describe(Session session, LivenessReport report) =>
            report.SigChildPids = session.SigChildren?.Keys.Order().ToArray() ?? [];

        public void ReportLeaks(List<string> leaks)
        {
            foreach (var (pid, watchers) in WatchersByPid) leaks.Add($"child {pid} watched by {watchers.Count} session(s)");
            if (Total != 0) leaks.Add($"sig_child count {Total} (bookkeeping error)");
        }
    }

    /// <summary>The <see cref="IForkAware"/> registrations: released with their session, they keep nothing alive.</summary>
    private sealed class ForkAwareResource : IKernelResource
    {
        public int CountFor(Session session) => 0;

        public bool KeepsKernelBusy => false;

        public void Release(Session session) => session.ForkAware.Clear();

        public void Describe(Session session, LivenessReport report)
        {
        }

        public void ReportLeaks(List<string> leaks)
        {
        }
    }
}
