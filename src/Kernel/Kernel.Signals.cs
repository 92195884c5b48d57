using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using PoeSharp.Resources;

namespace PoeSharp;

public sealed partial class Kernel
{
    private bool _sigHandled;
    private DieInfo? _currentDie;

    /// <summary>
    /// Registers (replaces) the active session's watcher for signal <paramref name="name"/>: the
    /// signal arrives as <paramref name="ev"/> with ARG0 = name, then the signal's arguments, then
    /// <paramref name="args"/>. A null <paramref name="ev"/> removes the watcher. Watchers do not
    /// keep a session alive. The first watcher of an OS signal (INT TERM HUP QUIT USR1 USR2 CHLD PIPE)
    /// makes the process host deliver it; removing the last one gives it back its default action.
    /// </summary>
    public KernelError Sig(string name, string? ev, params object?[] args)
    {
        CheckThread();
        ArgumentException.ThrowIfNullOrEmpty(name);
        var s = _active;
        if (s.IsKernel || s.State == SessionState.Stopped) return KernelError.NoSuchSession;
        if (ev is null)
        {
            RemoveSignalWatcher(s, name);
            return KernelError.None;
        }
        if (!_signalResource.WatchersByName.TryGetValue(name, out var watchers))
            _signalResource.WatchersByName[name] = watchers = new Dictionary<Session, SignalWatch>(ReferenceEqualityComparer.Instance);
        watchers[s] = new SignalWatch(ev, args ?? []);
        if (SignalNames.IsOsSignal(name) && _signalResource.OsWatched.Add(name)) EnsureHost().WatchSignal(name);
        return KernelError.None;
    }

    /// <summary>Removes the active session's watcher for <paramref name="name"/>.</summary>
    public KernelError Sig(string name) => Sig(name, null);

    /// <summary>Marks the signal being dispatched as handled: a terminal signal then stops no one (any touched session's call counts for all).</summary>
    public void SigHandled()
    {
        CheckThread();
        _sigHandled = true;
    }

    /// <summary>
    /// Queues signal <paramref name="name"/> for <paramref name="dest"/> and its descendants (the
    /// kernel: every session). Application-defined names are benign signals. NoSuchSession if unknown.
    /// </summary>
    public KernelError Signal(SessionRef dest, string name, params object?[] args)
    {
        CheckThread();
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!TryResolve(dest, out var target)) return KernelError.NoSuchSession;
        if (target.State != SessionState.Alive && !target.IsKernel) return KernelError.None;
        Enqueue(target, _kernelSession, name, args ?? [], ItemKind.Signal);
        return KernelError.None;
    }

    /// <summary>The sessions watching <paramref name="name"/>.</summary>
    public IReadOnlyList<Session> SignalWatchers(string name)
    {
        CheckThread();
        return _signalResource.WatchersByName.TryGetValue(name, out var w) ? w.Keys.ToArray() : [];
    }

    /// <summary>
    /// Dispatches a signal now: watchers of the target and its descendants run deepest first
    /// (DIE then walks up the ancestors), SENDER = kernel; then an unhandled terminal or any
    /// non-maskable signal stops every touched session, deepest first. Returns whether it was handled.
    /// </summary>
    private bool DispatchSignal(Session target, string name, object?[] sigArgs, bool stopAncestors = true)
    {
        var touched = TreeOrder(target);
        List<Session>? ancestors = null;
        if (name == SignalNames.Die && !target.IsKernel)
            for (var p = target.Parent; p is not null && !p.IsKernel; p = p.Parent) (ancestors ??= new()).Add(p);

        bool saved = _sigHandled;
        _sigHandled = false;
        if (_signalResource.WatchersByName.TryGetValue(name, out var watchers) && watchers.Count > 0)
        {
            for (int i = touched.Count - 1; i >= 0; i--) DeliverSignal(touched[i], watchers, name, sigArgs);
            if (ancestors is not null)
                foreach (var a in ancestors) DeliverSignal(a, watchers, name, sigArgs);
        }
        bool handled = _sigHandled;
        _sigHandled = saved;

        if (SignalNames.IsNonMaskable(name) || (SignalNames.IsTerminal(name) && !handled))
        {
            for (int i = touched.Count - 1; i >= 0; i--) StopSession(touched[i]);
            if (ancestors is not null && stopAncestors)
                foreach (var a in ancestors) StopSession(a);
        }
        else if (name == SignalNames.Idle && handled) _zombieArmed = true;
        return handled;
    }

    private void DeliverSignal(Session s, Dictionary<Session, SignalWatch> watchers, string name, object?[] sigArgs)
    {
        if (s.State != SessionState.Alive || !watchers.TryGetValue(s, out var w)) return;
        var args = new object?[1 + sigArgs.Length + w.Args.Length];
        args[0] = name;
        sigArgs.CopyTo(args, 1);
        w.Args.CopyTo(args, 1 + sigArgs.Length);
        DispatchCore(s, _kernelSession, w.Event, args, null, EventKind.Signal, true, out _);
    }

    /// <summary>
    /// A handler threw: the DIE signal goes to its session (synchronously, before anything else
    /// runs; POE queues it but nothing can observe the difference except ordering against events
    /// already due in the same batch, where PoeSharp's DIE comes first). Unhandled: every session
    /// stops and <see cref="Run()"/> rethrows the original exception with its stack.
    /// </summary>
    private void OnHandlerException(Exception ex, Session dest, Session sender, string ev, string? callerState)
    {
        _observer?.OnHandlerFailed(dest, ev, ex);
        if (_currentDie is { } outer)
        {
            // A DIE watcher threw: Run() reports both errors (POE: "run() dies with both messages").
            SetPending(ExceptionDispatchInfo.Capture(new AggregateException(
                $"A DIE handler threw while handling: {outer.ErrorText}; then: {ex.Message}", outer.Exception, ex)), replace: true);
            return;
        }
        var info = new DieInfo(ex, dest, ev, sender, callerState);
        _currentDie = info;
        // StopSession contains the failure to the session that threw (and its descendants): its
        // ancestors, the listener of a connection say, keep running.
        bool contain = _options.HandlerFailure == HandlerFailurePolicy.StopSession && dest.State != SessionState.Stopped && !dest.IsKernel;
        bool handled;
        try
        {
            handled = DispatchSignal(dest.State == SessionState.Stopped ? _kernelSession : dest, SignalNames.Die, [info], stopAncestors: !contain);
        }
        finally
        {
            _currentDie = null;
        }
        if (contain && !handled && _pending is null)
        {
            WarningLog.LogError(ex, "Session {Session} stopped: its handler for '{Event}' threw {Type}: {Message}", dest.Id, ev, ex.GetType().Name, ex.Message);
            return;
        }
        if (_pending is not null || !handled)
        {
            SetPending(ExceptionDispatchInfo.Capture(ex), replace: false);
            StopAll();
        }
    }

    private void RemoveSignalWatcher(Session s, string name)
    {
        if (_signalResource.WatchersByName.TryGetValue(name, out var watchers)) RemoveSignalWatcher(s, name, watchers);
    }

    // A name's table stays when its last watcher goes (the names are few), so a session per
    // connection that watches DIE neither rebuilds it nor copies the names when it stops.
    private void RemoveSignalWatcher(Session s, string name, Dictionary<Session, SignalWatch> watchers)
    {
        if (watchers.Remove(s) && watchers.Count == 0 && _signalResource.OsWatched.Remove(name)) _host?.IgnoreSignal(name);
    }

    private void RemoveSignalWatchers(Session s)
    {
        foreach (var (name, watchers) in _signalResource.WatchersByName) RemoveSignalWatcher(s, name, watchers);
    }

    /// <summary>Signal watches: they keep neither their session nor the program alive (POE 1.370).</summary>
    private sealed class SignalResource(Kernel kernel) : IKernelResource
    {
        /// <summary>Signal name -> the sessions watching it and their events.</summary>
        public readonly Dictionary<string, Dictionary<Session, SignalWatch>> WatchersByName = new(StringComparer.Ordinal);

        /// <summary>The OS signals the process host delivers because a session watches them.</summary>
        public readonly HashSet<string> OsWatched = new(StringComparer.Ordinal);

        public int CountFor(Session session) => 0;

        public bool KeepsKernelBusy => false;

        public void Release(Session session) => kernel.RemoveSignalWatchers(session);

        public void Describe(Session session, LivenessReport report)
        {
        }

        public void ReportLeaks(List<string> leaks)
        {
            foreach (var (name, watchers) in WatchersByName)
                if (watchers.Count > 0) leaks.Add($"signal {name} watched by {watchers.Count} session(s)");
        }
    }
}
