using PoeSharp.Loop;
using PoeSharp.Os;
using PoeSharp.Processes;
using PoeSharp.Resources;

namespace PoeSharp;

public sealed partial class Kernel
{

    /// <summary>
    /// Starts or replaces (or with a null <paramref name="ev"/> stops) the active session's read
    /// watcher on <paramref name="fd"/>. When readable, <paramref name="ev"/> is dispatched
    /// synchronously with ARG0 = fd, ARG1 = <see cref="IoMode"/>, then <paramref name="args"/>;
    /// SENDER = the session. Level-triggered. The watch keeps the session alive, even paused.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another session already watches this descriptor and mode (usually a descriptor leak).</exception>
    public KernelError SelectRead(int fd, string? ev, params object?[] args) => Select(fd, IoMode.Read, ev, args);

    /// <summary>Like <see cref="SelectRead"/> for writability.</summary>
    public KernelError SelectWrite(int fd, string? ev, params object?[] args) => Select(fd, IoMode.Write, ev, args);

    /// <summary>Like <see cref="SelectRead"/> for out-of-band data.</summary>
    public KernelError SelectExpedite(int fd, string? ev, params object?[] args) => Select(fd, IoMode.Expedite, ev, args);

    /// <summary>Sets or clears all three watchers of <paramref name="fd"/> at once (null clears that mode).</summary>
    public KernelError Select(int fd, string? readEvent, string? writeEvent, string? expediteEvent, params object?[] args)
    {
        var e = Select(fd, IoMode.Read, readEvent, args);
        if (e != KernelError.None) return e;
        e = Select(fd, IoMode.Write, writeEvent, args);
        if (e != KernelError.None) return e;
        return Select(fd, IoMode.Expedite, expediteEvent, args);
    }

    private KernelError Select(int fd, IoMode mode, string? ev, object?[] args)
    {
        CheckThread();
        if (fd < 0) return KernelError.InvalidArgument;
        var s = _active;
        if (s.IsKernel || s.State != SessionState.Alive) return KernelError.NoSuchSession;
        if (ev is null) RemoveWatcher(s, fd, mode, quiet: true);
        else AddWatcher(s, fd, mode, ev, args ?? [], null, isInternal: false);
        return KernelError.None;
    }

    /// <summary>Pauses the read watcher without releasing it; true if one is registered.</summary>
    public bool SelectPauseRead(int fd) => SetPaused(fd, IoMode.Read, true);

    /// <summary>Resumes a paused read watcher; true if one is registered.</summary>
    public bool SelectResumeRead(int fd) => SetPaused(fd, IoMode.Read, false);

    /// <summary>Pauses the write watcher; true if one is registered.</summary>
    public bool SelectPauseWrite(int fd) => SetPaused(fd, IoMode.Write, true);

    /// <summary>Resumes a paused write watcher; true if one is registered.</summary>
    public bool SelectResumeWrite(int fd) => SetPaused(fd, IoMode.Write, false);

    /// <summary>
    /// Watches <paramref name="fd"/> for <paramref name="mode"/> with a direct callback (no event name,
    /// no allocation per readiness). Owned by, and keeping alive, the active session; OnReady runs
    /// with that session active, and an exception from it becomes that session's DIE.
    /// </summary>
    public void Watch(int fd, IoMode mode, IReadyHandler handler) => Watch(fd, mode, handler, exclusive: false);

    /// <summary>
    /// Like <see cref="Watch(int, IoMode, IReadyHandler)"/>; with <paramref name="exclusive"/>, when
    /// several processes wait on the same open socket (a listening socket shared by pre-forked
    /// processes), its readiness wakes one of them instead of every one (<see cref="ILoop.Watch(int, IoMode, bool)"/>).
    /// What a woken process sees does not change. The flag is taken when the descriptor starts being watched.
    /// </summary>
    public void Watch(int fd, IoMode mode, IReadyHandler handler, bool exclusive)
    {
        CheckThread();
        ArgumentOutOfRangeException.ThrowIfNegative(fd);
        ArgumentNullException.ThrowIfNull(handler);
        var s = _active;
        if (s.IsKernel || s.State != SessionState.Alive) ThrowNoActiveSession(nameof(Watch));
        AddWatcher(s, fd, mode, null, [], handler, isInternal: false, exclusive);
    }

    /// <summary>Stops a watcher of the active session (unknown ones are ignored).</summary>
    public void Unwatch(int fd, IoMode mode)
    {
        CheckThread();
        RemoveWatcher(_active, fd, mode, quiet: true);
    }

    /// <summary>
    /// Stops a watcher of the active session on a descriptor the caller closes right after (a
    /// wheel that owns its connection, when it is disposed). When <paramref name="handle"/> is
    /// <see cref="FileDescriptor.IsProcessPrivate"/> (an accepted connection, no fork since),
    /// closing it takes it out of the loop's OS set by itself, and the loop skips that system call.
    /// Otherwise the same as <see cref="Unwatch(int, IoMode)"/>.
    /// </summary>
    public void UnwatchBeforeClose(FileDescriptor handle, IoMode mode)
    {
        CheckThread();
        ArgumentNullException.ThrowIfNull(handle);
        if (handle.IsClosed) return;
        RemoveWatcher(_active, handle.Fd, mode, quiet: true, closing: handle.IsProcessPrivate);
    }

    /// <summary>Pauses a watcher (the session stays alive).</summary>
    public void PauseWatch(int fd, IoMode mode) => SetPaused(fd, mode, true);

    /// <summary>Resumes a paused watcher.</summary>
    public void ResumeWatch(int fd, IoMode mode) => SetPaused(fd, mode, false);

    /// <summary>Every watcher, internal ones included.</summary>
    public IReadOnlyList<WatchInfo> Watches
    {
        get
        {
            CheckThread();
            var list = new List<WatchInfo>(_handleResource.Watchers.Count);
            foreach (var w in _handleResource.Watchers.ToList()) list.Add(new WatchInfo(w.Fd, w.Mode, w.Owner, w.Event, w.Paused));
            return list;
        }
    }

    void IProcessSink.WatchInternal(int fd, IoMode mode, IReadyHandler handler)
    {
        CheckThread();
        AddWatcher(_kernelSession, fd, mode, null, [], handler, isInternal: true);
    }

    void IProcessSink.UnwatchInternal(int fd, IoMode mode)
    {
        CheckThread();
        RemoveWatcher(_kernelSession, fd, mode, quiet: true);
    }

    void ILoopSink.OnReady(int fd, IoMode mode)
    {
        if (!_handleResource.Watchers.TryGet(fd, mode, out var w) || w.Paused) return;
        if (w.Internal)
        {
            w.Handler!.OnReady(fd, mode);
            return;
        }
        var owner = w.Owner;
        if (owner.State != SessionState.Alive) return;
        if (w.Handler is { } handler)
        {
            var prevSession = _active;
            var prevEvent = _activeEvent;
            _active = owner;
            _activeEvent = null;
            try
            {
                handler.OnReady(fd, mode);
            }
            catch (Exception ex) when (_options.CatchExceptions)
            {
                _active = prevSession;
                _activeEvent = prevEvent;
                OnHandlerException(ex, owner, owner, $"(fd {fd} {mode})", null);
            }
            finally
            {
                _active = prevSession;
                _activeEvent = prevEvent;
            }
            return;
        }
        var args = new object?[2 + w.Args.Length];
        args[0] = fd;
        args[1] = mode;
        w.Args.CopyTo(args, 2);
        DispatchCore(owner, owner, w.Event!, args, null, EventKind.Io, true, out _);
    }

    private void AddWatcher(Session owner, int fd, IoMode mode, string? ev, object?[] args, IReadyHandler? handler, bool isInternal, bool exclusive = false)
    {
        if (_handleResource.Watchers.TryGet(fd, mode, out var existing))
        {
            if (!ReferenceEquals(existing.Owner, owner))
                throw new InvalidOperationException(
                    $"fd {fd} ({mode}) is already watched by {existing.Owner}; {owner} cannot watch it too. " +
                    "Two watchers on one descriptor usually mean a descriptor was closed without Unwatch and its number reused.");
            existing.Event = ev;
            existing.Args = args;
            existing.Handler = handler;
            if (existing.Paused)
            {
                existing.Paused = false;
                _loop.Resume(fd, mode);
            }
            return;
        }
        _handleResource.Watchers.Add(new Watcher { Owner = owner, Fd = fd, Mode = mode, Event = ev, Args = args, Handler = handler, Internal = isInternal });
        _loop.Watch(fd, mode, exclusive);
        if (!isInternal)
        {
            _handleResource.UserCount++;
            owner.FdModes.TryGetValue(fd, out int mask);
            owner.FdModes.Set(fd, mask | Session.ModeBit(mode));
        }
    }

    private void RemoveWatcher(Session owner, int fd, IoMode mode, bool quiet, bool closing = false)
    {
        if (!_handleResource.Watchers.TryGet(fd, mode, out var w) || !ReferenceEquals(w.Owner, owner))
        {
            if (!quiet) throw new InvalidOperationException($"{owner} does not watch fd {fd} ({mode}).");
            return;
        }
        _handleResource.Watchers.Remove(w);
        if (closing) _loop.Ignore(fd, mode, closing: true);
        else _loop.Ignore(fd, mode);
        if (w.Internal) return;
        _handleResource.UserCount--;
        if (owner.FdModes.TryGetValue(fd, out int mask))
        {
            mask &= ~Session.ModeBit(mode);
            if (mask == 0)
            {
                owner.FdModes.Remove(fd);
                Candidate(owner);
            }
            else owner.FdModes.Set(fd, mask);
        }
    }

    private bool SetPaused(int fd, IoMode mode, bool paused)
    {
        CheckThread();
        if (!_handleResource.Watchers.TryGet(fd, mode, out var w)) return false;
        if (w.Paused == paused) return true;
        w.Paused = paused;
        if (paused) _loop.Pause(fd, mode);
        else _loop.Resume(fd, mode);
        return true;
    }

    /// <summary>Watched descriptors (POE's handles): each keeps its session and the program alive, even paused.</summary>
    private sealed class HandleResource(Kernel kernel) : IKernelResource
    {
        /// <summary>Every watcher by (fd, mode), the kernel's own (the process host's descriptors) included.</summary>
        public readonly WatcherTable Watchers = new();

        /// <summary>The watchers of sessions (not the kernel's own): they keep the program running.</summary>
        public int UserCount;

        public int CountFor(Session session) => session.FdModes.Count;

        public bool KeepsKernelBusy => UserCount > 0;

        public void Release(Session session)
        {
            if (session.FdModes.Count == 0) return;
            foreach (var (fd, mask) in session.FdModes.ToArray())
                for (int m = 0; m < 3; m++)
                    if ((mask & (1 << m)) != 0) kernel.RemoveWatcher(session, fd, (IoMode)m, quiet: true);
            session.FdModes.Clear();
        }

        public void Describe(Session session, LivenessReport report)
        {
            var fds = new List<(int, IoMode)>();
            foreach (var (fd, mask) in session.FdModes.ToArray().OrderBy(p => p.Key))
                for (int m = 0; m < 3; m++)
                    if ((mask & (1 << m)) != 0) fds.Add((fd, (IoMode)m));
            report.Descriptors = fds;
        }

        public void ReportLeaks(List<string> leaks)
        {
            foreach (var w in Watchers.ToList())
                if (!w.Internal) leaks.Add($"fd {w.Fd} {w.Mode} watched by {w.Owner}");
            if (UserCount != 0) leaks.Add($"user watch count {UserCount} (bookkeeping error)");
        }
    }
}
