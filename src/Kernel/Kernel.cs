using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using PoeSharp.Logging;
using PoeSharp.Loop;
using PoeSharp.Os;
using PoeSharp.Processes;
using PoeSharp.Resources;

namespace PoeSharp;

/// <summary>
/// The single-threaded event kernel: dispatches named events to sessions with POE 1.370's
/// semantics; docs/POE-DIFFERENCES.md lists where it departs from them. One instance per loop; every member must be called
/// on the thread that created it, except <see cref="PostFromAnyThread(SessionRef, string, object?[])"/>.
/// </summary>
/// <remarks>
/// <para>One timeslice (<see cref="RunOneTimeslice"/>), in order: the idle test (may queue IDLE or
/// ZOMBIE); one <see cref="ILoop.Poll"/> whose timeout is 0 when something is due, else the time
/// to the next timer; ready descriptors are dispatched synchronously; GC sweep; the cross-thread
/// inbox is drained; every queue item due at the time sampled once here and queued before this
/// step began is dispatched in (due, enqueue order); GC sweep. Events queued during the step run
/// in the next timeslice, so I/O is never starved.</para>
/// <para>Port decisions, numbered as in docs/POE-SEMANTICS.md §8 (docs/POE-DIFFERENCES.md has the table), each pinned by a kernel test:</para>
/// <list type="bullet">
/// <item>§8.1 kept: GC is swept after each batch of events and of I/O callbacks, not after each
/// event; a session's creation-time check (POE's <c>_garbage_collect</c>) collects it at once.</item>
/// <item>§8.2 kept: events sent by a stopping session (from <c>_stop</c>, or queued before a
/// terminal signal kills it) are accepted and discarded.</item>
/// <item>§8.3 kept: <see cref="Stop"/> dispatches <c>_stop</c> and <c>_child(lose)</c>.</item>
/// <item>§8.4 changed: <see cref="HasForked"/> drops inherited <see cref="SigChild(int, string?, object?[])"/> watches.</item>
/// <item>§8.5 changed: only watched pids are reaped, one by one, by the process host (never <c>waitpid(-1)</c>).</item>
/// <item>§8.8 changed: <see cref="AlarmRemoveAll"/> keeps argument arrays and real due times.</item>
/// <item>§8.9 kept: <see cref="Call(SessionRef, string, object?[])"/> to the active session runs the handler directly (no DIE
/// wrapping, the active event stays the outer one).</item>
/// <item>DIE is dispatched synchronously when the handler throws (POE queues it), so it runs
/// before other events already due in the same batch.</item>
/// <item>FIFO events are stamped with the kernel's last clock reading (taken at each timeslice and
/// by every timer call) rather than a fresh one per post; ordering against timers differs from
/// POE only for a timer that falls due between that reading and the post.</item>
/// </list>
/// </remarks>
public sealed partial class Kernel : IDisposable, ILoopSink, IProcessSink
{
    private static int s_kernelSeq;

    private readonly ILoop _loop;
    private readonly bool _ownsLoop;
    private readonly TimeProvider _time;
    private ILogger? _traceLog;     // created on first use: most kernels never trace or warn
    private ILogger? _warningLog;

    /// <summary>The category of the kernel's own log entries.</summary>
    public const string LogCategory = "PoeSharp.Kernel";
    private readonly KernelOptions _options;
    private readonly int _ownerThread;
    private readonly KernelSession _kernelSession;
    private readonly EventQueue _queue = new();
    private readonly Dictionary<int, Session> _sessions = new();
    private readonly List<Session> _gcCandidates = new();
    private readonly IKernelResource[] _resources;   // in the order a stopping session's holdings are freed
    private readonly AliasResource _aliasResource = new();
    private readonly ExtraRefResource _extraRefResource = new();
    private readonly HandleResource _handleResource;
    private readonly SignalResource _signalResource;
    private readonly ChildWatchResource _childWatchResource;
    private readonly Channel<CrossThreadPost> _inbox =
        Channel.CreateUnbounded<CrossThreadPost>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IKernelObserver? _observer;
    private readonly bool _traceAll;
    private readonly double _ticksPerSecond;
    private readonly long _frequency;       // the TimeProvider's timestamp ticks per second
    private readonly long _ticksPerSpanTick; // timestamp ticks per TimeSpan tick when a whole number (100 on Linux), else 0

    private IProcessHost? _host;
    private bool _ownsHost;
    private int _pid;
    private int _nextSessionId;
    private Session _active;
    private string? _activeEvent;
    private long _now;
    private ExceptionDispatchInfo? _pending;
    private bool _stopRequested;
    private int _internalQueued;     // queue items that do not make the kernel busy (GC checks, IDLE, ZOMBIE)
    private bool _idlePending;
    private bool _zombieArmed;
    private bool _disposed;
    private bool _running;
    private long _runDeadline = long.MaxValue;   // Run(TimeSpan)'s limit on the monotonic clock
    private int _inboxCount;         // posts waiting in _inbox (written by other threads)

    /// <summary>
    /// A kernel on the OS defaults: the epoll loop, <see cref="TimeProvider.System"/>, and the real
    /// process host, created when first needed or at once when OS signals are blocked process-wide
    /// (<see cref="ForkSafety.EnsureSignalMask"/>, or in a forked child).
    /// </summary>
    public Kernel(KernelOptions? options = null)
        : this(OsDefaults.CreateLoop(), TimeProvider.System, options, ownsLoop: true)
    {
    }

    /// <summary>A kernel on <paramref name="loop"/> and <paramref name="time"/> (a manual loop and clock in tests).</summary>
    public Kernel(ILoop loop, TimeProvider time, KernelOptions? options = null)
        : this(loop, time, options, ownsLoop: false)
    {
    }

    /// <summary>A kernel on <paramref name="loop"/>, <paramref name="time"/> and <paramref name="processHost"/>.</summary>
    public Kernel(ILoop loop, TimeProvider time, IProcessHost processHost, KernelOptions? options = null)
        : this(loop, time, WithHost(options, processHost), ownsLoop: false)
    {
    }

    private Kernel(ILoop loop, TimeProvider time, KernelOptions? options, bool ownsLoop)
    {
        ArgumentNullException.ThrowIfNull(loop);
        ArgumentNullException.ThrowIfNull(time);
        _loop = loop;
        _ownsLoop = ownsLoop;
        _time = time;
        _options = options ?? new KernelOptions();
        _observer = _options.Observer;
        _traceAll = _options.Trace;
        _ticksPerSecond = time.TimestampFrequency;
        _frequency = time.TimestampFrequency;
        _ticksPerSpanTick = _frequency % TimeSpan.TicksPerSecond == 0 ? _frequency / TimeSpan.TicksPerSecond : 0;
        _ownerThread = Environment.CurrentManagedThreadId;
        _kernelSession = new KernelSession(this);
        _handleResource = new HandleResource(this);
        _signalResource = new SignalResource(this);
        _childWatchResource = new ChildWatchResource(this);
        _resources =
        [
            new SessionResource(this), new EventResource(this), _aliasResource, _extraRefResource,
            _handleResource, _signalResource, _childWatchResource, new ForkAwareResource(),
        ];
        _active = _kernelSession;
        _pid = Environment.ProcessId;
        _host = _options.ProcessHost;
        _now = time.GetTimestamp();
        _wallEpoch = time.GetUtcNow();
        _monoEpoch = _now;
        _loop.Attach(this);
        // Signals are blocked process-wide (the bootstrap, or a forked child): unless somebody reads
        // them from the host's signalfd they stay pending for ever and Ctrl-C does nothing. The host
        // delivers the watched ones and gives the others their default action (POE-SEMANTICS §1.6).
        if (ForkSafety.SignalMaskActive || ForkSafety.IsForkedChild) EnsureHost();
    }

    private static KernelOptions WithHost(KernelOptions? options, IProcessHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return (options ?? new KernelOptions()) with { ProcessHost = host };
    }

    /// <summary>The settings this kernel runs with.</summary>
    internal KernelOptions Options => _options;

    /// <summary>The kernel's ID: <c>host-hex(time)-hex(pid)-hex(seq)</c>; changes after <see cref="HasForked"/>.</summary>
    public string Id => _id ??= MakeId();   // built on first use: a forked child may never ask

    private string? _id;

    /// <summary>The kernel's own session (ID 0): SENDER of signals, parent of top-level sessions.</summary>
    public Session KernelSession => _kernelSession;

    /// <summary>The session whose handler is running, or <see cref="KernelSession"/> between events.</summary>
    public Session ActiveSession { get { CheckThread(); return _active; } }

    /// <summary>The event being dispatched, or null between events.</summary>
    public string? ActiveEvent { get { CheckThread(); return _activeEvent; } }

    /// <summary>This process's id as the kernel last saw it (updated by <see cref="HasForked"/>).</summary>
    public int ProcessId => _pid;

    /// <summary>The loop this kernel polls.</summary>
    public ILoop Loop => _loop;

    /// <summary>The clock timers use.</summary>
    public TimeProvider Time => _time;

    /// <summary>The number of live sessions (the kernel's own not counted).</summary>
    public int SessionCount { get { CheckThread(); return _sessions.Count; } }

    /// <summary>
    /// Runs timeslices until no session is left, then returns; returns at once when there is none.
    /// Rethrows (with its original stack) an exception no DIE watcher handled, or one thrown by a
    /// <c>_stop</c> handler, after stopping every session. May be called again with new sessions.
    /// Calls <see cref="HasForked"/> first if the process id changed.
    /// </summary>
    public void Run()
    {
        CheckThread();
        if (_running)
            throw new InvalidOperationException("Run() is already running on this kernel; a handler must not call Run() or RunOneTimeslice().");
        if (_hostAttached && _host!.ProcessId != _pid) HasForked();
        _stopRequested = false;
        _running = true;
        try
        {
            while (_sessions.Count > 0 && !_stopRequested && _pending is null && _now < _runDeadline)
                Timeslice();
        }
        finally
        {
            _stopRequested = false;
            _running = false;
        }
        if (_pending is null && _sessions.Count == 0) WarnLeaks();
        ThrowPending();
    }

    /// <summary>
    /// POE's finalize after <c>run()</c>: with every session gone, the resources must hold nothing
    /// more; each thing still held is a leak, reported through the warning output.
    /// </summary>
    private void WarnLeaks()
    {
        foreach (var leak in CollectLeaks()) Warn("leaked after run(): " + leak);
    }

    /// <summary>
    /// <see cref="Run()"/> with a limit, for tests and tools: when <paramref name="timeout"/> has passed on
    /// the kernel's clock and sessions are still alive, throws a <see cref="KernelTimeoutException"/>
    /// that names each of them and what keeps it alive (<see cref="GetLiveness"/>), so a hang fails
    /// instead of stalling. The sessions are left as they are: call <see cref="Stop"/> to end them, or
    /// run again. The limit is checked between timeslices and bounds the wait for I/O; it cannot
    /// interrupt a handler that never returns (no thread or runtime timer is involved, so it is
    /// safe in a process that forks).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative.</exception>
    /// <exception cref="KernelTimeoutException">Sessions are still alive when the time is up.</exception>
    public void Run(TimeSpan timeout)
    {
        CheckThread();
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        if (_running)
            throw new InvalidOperationException("Run() is already running on this kernel; a handler must not call Run() or RunOneTimeslice().");
        long deadline = Now() + SpanToTicks(timeout);
        _runDeadline = deadline;
        try
        {
            Run();
        }
        finally
        {
            _runDeadline = long.MaxValue;
        }
        if (_sessions.Count == 0 || _now < deadline) return;   // finished, or Stop() was called
        var alive = new List<LivenessReport>(_sessions.Count);
        foreach (var s in Sessions) alive.Add(GetLiveness(s)!);
        throw new KernelTimeoutException(timeout, alive);
    }

    /// <summary>Runs one timeslice. Returns false (after finishing) when no session remains.</summary>
    public bool RunOneTimeslice()
    {
        CheckThread();
        if (_running)
            throw new InvalidOperationException("Run() is already running on this kernel; a handler must not call Run() or RunOneTimeslice().");
        _stopRequested = false;
        _running = true;
        try
        {
            if (_sessions.Count > 0) Timeslice();
        }
        finally
        {
            _running = false;
        }
        ThrowPending();
        return _sessions.Count > 0;
    }

    /// <summary>
    /// POE's <c>stop()</c>: stops every session now, deepest first, dispatching <c>_stop</c> and
    /// <c>_child(lose)</c> (POE's code and tests, not its POD); clears the queue; <see cref="Run()"/>
    /// then returns. New sessions may be created and run afterwards.
    /// </summary>
    public void Stop()
    {
        CheckThread();
        StopAll();
    }

    /// <summary>Releases the loop and process host the kernel created itself.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_ownsLoop) _loop.Dispose();
        if (_ownsHost) _host?.Dispose();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckThread()
    {
        if (Environment.CurrentManagedThreadId != _ownerThread) ThrowWrongThread();
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowWrongThread() =>
        throw new InvalidOperationException(
            $"Kernel members must be called on the kernel's thread (managed thread {_ownerThread}); this is thread " +
            $"{Environment.CurrentManagedThreadId}. From other threads use Kernel.PostFromAnyThread.");

    private string MakeId() =>
        $"{Environment.MachineName}-{DateTimeOffset.UtcNow.ToUnixTimeSeconds():x}-{_pid:x}-{Interlocked.Increment(ref s_kernelSeq):x}";

    private long Now() => _now = Math.Max(_now, _time.GetTimestamp());

    private void Timeslice()
    {
        IdleTest();
        long now = Now();
        bool inbox = Volatile.Read(ref _inboxCount) > 0;
        TimeSpan timeout;
        if (inbox) timeout = TimeSpan.Zero;
        else
        {
            // Wait for the next due item, but not past Run(TimeSpan)'s deadline (long.MaxValue: none).
            long until = _queue.NextDue() is long due ? Math.Min(due, _runDeadline) : _runDeadline;
            timeout = until == long.MaxValue ? Timeout.InfiniteTimeSpan
                : until <= now ? TimeSpan.Zero
                : TicksToSpan(Math.Min(until - now, (long)(3600 * _ticksPerSecond)));
        }

        // Nothing watched and something due: nothing to poll for (saves a system call and a
        // clock read per timeslice).
        if (timeout != TimeSpan.Zero || _loop.WatchCount > 0)
        {
            // A long wait ahead and the heap has grown since its last compaction: wait for the
            // quiet period first, and compact if nothing happened (the next timeslice waits the rest).
            bool compactIfQuiet = timeout != TimeSpan.Zero && _options.CompactWhenIdle is { } quiet
                                  && (timeout == Timeout.InfiniteTimeSpan || timeout > quiet) && IdleCompactionDue();
            int ready = _loop.Poll(compactIfQuiet ? _options.CompactWhenIdle!.Value : timeout);
            Sweep();
            now = Now();
            inbox = Volatile.Read(ref _inboxCount) > 0;
            if (compactIfQuiet && ready == 0 && !inbox) CompactIdleHeap();
        }
        if (inbox) DrainInbox();
        DispatchDue(now);
        Sweep();
    }

    /// <summary>Allocated bytes (the process's count) at the last idle compaction, or at the kernel's creation or the fork.</summary>
    private long _allocatedAtCompaction = GC.GetTotalAllocatedBytes(precise: false);

    /// <summary>Idle compactions this kernel has run (<see cref="KernelOptions.CompactWhenIdle"/>; for tests).</summary>
    internal int IdleCompactions { get; private set; }

    private bool IdleCompactionDue() =>
        GC.GetTotalAllocatedBytes(precise: false) - _allocatedAtCompaction >= _options.IdleCompactionMinimumAllocation;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CompactIdleHeap()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        _allocatedAtCompaction = GC.GetTotalAllocatedBytes(precise: false);
        IdleCompactions++;
    }

    private void DispatchDue(long now)
    {
        long cutoff = _queue.NextSeq;
        try
        {
            while (!_stopRequested && _queue.TryDequeueDue(now, cutoff, out var item))
                DispatchItem(ref item);
        }
        finally
        {
            // Queued dispatches leave the active session in place (see DispatchQueued).
            _active = _kernelSession;
            _activeEvent = null;
        }
    }

    private void DispatchItem(ref QueueItem item)
    {
        var dest = item.Dest;
        var src = item.Source;
        // Release the item's references first: GC is swept only after the batch, and a handler
        // that throws with CatchExceptions off must not leave a count behind.
        if (!dest.IsKernel && --dest.EventsTo == 0) Candidate(dest);
        if (!ReferenceEquals(src, dest) && !src.IsKernel && --src.EventsFrom == 0) Candidate(src);
        switch (item.Kind)
        {
            case ItemKind.Post:
                if (dest.State != SessionState.Stopped)
                    DispatchQueued(dest, src, item.Event, item.Args, item.CallerState, item.CallerFile, item.CallerLine, EventKind.Post);
                return;
            case ItemKind.Timer:
                dest.TimerCount--;
                if (dest.State != SessionState.Stopped)
                    DispatchQueued(dest, src, item.Event, item.Args, item.CallerState, item.CallerFile, item.CallerLine, EventKind.Timer);
                return;
        }
        _active = _kernelSession;
        _activeEvent = null;
        switch (item.Kind)
        {
            case ItemKind.Signal:
                if (dest.State != SessionState.Stopped) DispatchSignal(dest, item.Event, item.Args);
                break;
            case ItemKind.IdleSignal:
                _internalQueued--;
                _idlePending = false;
                DispatchSignal(_kernelSession, item.Event, item.Args);
                break;
            case ItemKind.GcCheck:
                // POE collects at once when its _garbage_collect event is dispatched, so a session
                // with nothing left stops before an IDLE queued in the same batch reaches it.
                _internalQueued--;
                if (dest.State == SessionState.Alive && RefCount(dest) == 0) StopSession(dest);
                break;
        }
    }

    /// <summary>
    /// Dispatches a queued event. Unlike <see cref="DispatchCore"/> it does not restore the active
    /// session afterwards (DispatchDue does, once per batch): consecutive events for one session
    /// then store nothing, which saves the GC write barriers that dominate a trivial dispatch.
    /// </summary>
    private void DispatchQueued(Session dest, Session sender, string ev, object?[] args, string? callerState,
                                string? callerFile, int callerLine, EventKind kind)
    {
        if (!ReferenceEquals(_active, dest)) _active = dest;
        if (!ReferenceEquals(_activeEvent, ev)) _activeEvent = ev;
        if (_traceAll || dest.Trace) TraceEvent(dest, sender, ev, kind);
        _observer?.OnDispatched(dest, sender, ev, args, kind);
        try
        {
            dest.Invoke(sender, ev, args, callerState, callerFile, callerLine, out bool handled);
            if (!handled && (_options.DefaultWarnings || dest.DefaultWarnings))
                Warn($"{dest} has no handler for event '{ev}' (from {sender}) and no _default.");
        }
        catch (Exception ex) when (_options.CatchExceptions)
        {
            _active = _kernelSession;
            _activeEvent = null;
            OnHandlerException(ex, dest, sender, ev, callerState);
        }
    }

    /// <summary>Dispatches one event synchronously. Exceptions become DIE unless <paramref name="catchAsDie"/> is false or it is a call to the active session.</summary>
    internal object? DispatchCore(Session dest, Session sender, string ev, object?[] args, string? callerState,
                                  EventKind kind, bool catchAsDie, out bool handled, string? callerFile = null, int callerLine = 0)
    {
        var prevSession = _active;
        var prevEvent = _activeEvent;
        // POE quirk §8.9, replicated: call() to the active session invokes the handler directly,
        // without exception wrapping, and keeps the outer event as the active event.
        bool selfCall = kind == EventKind.Call && ReferenceEquals(dest, prevSession);
        _active = dest;
        if (!selfCall) _activeEvent = ev;
        if (_traceAll || dest.Trace) TraceEvent(dest, sender, ev, kind);
        _observer?.OnDispatched(dest, sender, ev, args, kind);
        try
        {
            var result = dest.Invoke(sender, ev, args, callerState, callerFile, callerLine, out handled);
            if (!handled && (_options.DefaultWarnings || dest.DefaultWarnings))
                Warn($"{dest} has no handler for event '{ev}' (from {sender}) and no _default.");
            return result;
        }
        catch (Exception ex) when (catchAsDie && !selfCall && _options.CatchExceptions)
        {
            handled = true;
            _active = prevSession;
            _activeEvent = prevEvent;
            OnHandlerException(ex, dest, sender, ev, callerState);
            return null;
        }
        finally
        {
            _active = prevSession;
            _activeEvent = prevEvent;
        }
    }

    private void TraceEvent(Session dest, Session sender, string ev, EventKind kind)
    {
        _traceLog ??= _options.Logger ?? new TextLogger(LogCategory, _options.TraceWriter, LogLevel.Trace, _time);
        if (_traceLog.IsEnabled(LogLevel.Trace))
            _traceLog.LogTrace("<ev> {Session} -> {Event} (from {Sender}, {Kind})", dest.Id, ev, sender, kind.ToString().ToLowerInvariant());
    }

    private void Warn(string text) => WarningLog.LogWarning("{Warning}", text);

    /// <summary>Where warnings and contained handler failures go (<see cref="KernelOptions.Logger"/> or a <see cref="TextLogger"/>).</summary>
    private ILogger WarningLog => _warningLog ??= _options.Logger ?? new TextLogger(LogCategory, _options.WarningWriter, LogLevel.Warning, _time);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Candidate(Session s)
    {
        if (s.InGcList || s.IsKernel) return;
        s.InGcList = true;
        _gcCandidates.Add(s);
    }

    /// <summary>Stops every candidate whose refcount is 0 (POE's batched GC: after each batch, never after each event).</summary>
    private void Sweep()
    {
        if (_gcCandidates.Count == 0) return;
        for (int i = 0; i < _gcCandidates.Count; i++)
        {
            var s = _gcCandidates[i];
            s.InGcList = false;
            if (s.State == SessionState.Alive && RefCount(s) == 0) StopSession(s);
        }
        _gcCandidates.Clear();
    }

    private void IdleTest()
    {
        if (_sessions.Count == 0 || _idlePending) return;
        bool busy = Volatile.Read(ref _inboxCount) > 0;
        for (int i = 0; i < _resources.Length && !busy; i++) busy = _resources[i].KeepsKernelBusy;
        if (busy)
        {
            _zombieArmed = false;
            return;
        }
        string name = _zombieArmed ? SignalNames.Zombie : SignalNames.Idle;
        _zombieArmed = false;
        _idlePending = true;
        var item = new QueueItem
        {
            Due = _now, Dest = _kernelSession, Source = _kernelSession, Event = name, Args = [],
            Kind = ItemKind.IdleSignal,
        };
        _queue.EnqueueFifo(ref item);
        _internalQueued++;
        _observer?.OnEnqueued(_kernelSession, _kernelSession, name, item.Args, EventKind.Internal);
    }

    private void ThrowPending()
    {
        if (_pending is not { } pending) return;
        if (_sessions.Count > 0) StopAll();
        _pending = null;
        pending.Throw();
    }

    private void SetPending(ExceptionDispatchInfo info, bool replace)
    {
        if (_pending is null || replace) _pending = info;
    }

    // Integer conversions, rounded to the nearest tick: a TimeSpan converted to timestamp ticks and
    // back comes out unchanged whenever the timestamp clock is at least as fine as TimeSpan ticks
    // (1 GHz on Linux), which keeps wall-clock alarm times exact (see WallToMono).
    private TimeSpan TicksToSpan(long ticks)
    {
        long k = _ticksPerSpanTick;
        if (k != 0)
        {
            long q = ticks / k, r = ticks % k;
            return TimeSpan.FromTicks(Math.Abs(r) * 2 >= k ? q + Math.Sign(ticks) : q);
        }
        return TimeSpan.FromTicks(Clamp(RoundDiv((Int128)ticks * TimeSpan.TicksPerSecond, _frequency), long.MinValue, long.MaxValue));
    }

    private long SpanToTicks(TimeSpan span)
    {
        const long Limit = long.MaxValue / 4;
        long k = _ticksPerSpanTick;
        if (k != 0 && span.Ticks <= Limit / k && span.Ticks >= -Limit / k) return span.Ticks * k;
        return Clamp(RoundDiv((Int128)span.Ticks * _frequency, TimeSpan.TicksPerSecond), -Limit, Limit);
    }

    private static Int128 RoundDiv(Int128 n, long d)
    {
        Int128 q = Int128.DivRem(n, d).Quotient, r = n - q * d;
        if (Int128.Abs(r) * 2 >= d) q += Int128.Sign(n);
        return q;
    }

    private static long Clamp(Int128 v, long min, long max) => v < min ? min : v > max ? max : (long)v;
}
