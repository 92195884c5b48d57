using PoeSharp.Resources;

namespace PoeSharp;

public sealed partial class Kernel
{
    // Timers are owned by, and delivered to, the active session (SENDER = itself). Due times are
    // kept in the TimeProvider's monotonic timestamps; wall-clock times are converted on entry
    // through a fixed offset (WallToMono), so they round-trip exactly.

    /// <summary>Removes all of the active session's timers named <paramref name="name"/> (POE's <c>alarm(NAME)</c>).</summary>
    public KernelError Alarm(string name)
    {
        CheckThread();
        ArgumentNullException.ThrowIfNull(name);
        if (!TryTimerOwner(out var s)) return KernelError.NoSuchSession;
        ClearTimersNamed(s, name);
        return KernelError.None;
    }

    /// <summary>Replaces all of the active session's timers named <paramref name="name"/> with one due at <paramref name="when"/>.</summary>
    public KernelError Alarm(string name, DateTimeOffset when, params object?[] args)
    {
        CheckThread();
        ArgumentNullException.ThrowIfNull(name);
        if (!TryTimerOwner(out var s)) return KernelError.NoSuchSession;
        ClearTimersNamed(s, name);
        AddTimer(s, name, WallToMono(when), args);
        return KernelError.None;
    }

    /// <summary>Adds a timer due at <paramref name="when"/> without clearing others of that name.</summary>
    public KernelError AlarmAdd(string name, DateTimeOffset when, params object?[] args)
    {
        CheckThread();
        ArgumentNullException.ThrowIfNull(name);
        if (!TryTimerOwner(out var s)) return KernelError.NoSuchSession;
        AddTimer(s, name, WallToMono(when), args);
        return KernelError.None;
    }

    /// <summary>Adds a timer due at <paramref name="when"/>; returns its alarm ID (&gt; 0), or 0 outside a session.</summary>
    public int AlarmSet(string name, DateTimeOffset when, params object?[] args)
    {
        CheckThread();
        ArgumentNullException.ThrowIfNull(name);
        return TryTimerOwner(out var s) ? AddTimer(s, name, WallToMono(when), args) : 0;
    }

    /// <summary>Moves one of the active session's timers by <paramref name="delta"/>; returns the new due time, or null if it is not a timer of this session.</summary>
    public DateTimeOffset? AlarmAdjust(int alarmId, TimeSpan delta)
    {
        CheckThread();
        if (!TryOwnTimer(alarmId, out _)) return null;
        long due = _queue.TimerRef(alarmId).Due + SpanToTicks(delta);
        _queue.AdjustTimer(alarmId, due);
        return MonoToWall(due);
    }

    /// <summary>Removes one of the active session's timers; returns it, or null if unknown or another session's.</summary>
    public RemovedAlarm? AlarmRemove(int alarmId)
    {
        CheckThread();
        if (!TryOwnTimer(alarmId, out var s)) return null;
        _queue.TryRemoveTimer(alarmId, out var item);
        ForgetTimer(s, alarmId);
        return new RemovedAlarm(item.Event, MonoToWall(item.Due), item.Args);
    }

    /// <summary>
    /// Removes every timer of the active session (not posted events) and returns them in due order.
    /// </summary>
    /// <remarks>Deviation from POE 1.370 (§8.8): each entry keeps its arguments as an array (POE
    /// flattens them) and has the real due time (POE reports only the delta for delay() timers).</remarks>
    public IReadOnlyList<RemovedAlarm> AlarmRemoveAll()
    {
        CheckThread();
        if (!TryTimerOwner(out var s) || s.TimerCount == 0) return [];
        var ids = new List<int>(s.TimerCount);
        _queue.CollectSessionTimers(s, null, ids);
        var removed = new List<(long Due, long Seq, RemovedAlarm Alarm)>(ids.Count);
        foreach (int id in ids)
        {
            _queue.TryRemoveTimer(id, out var item);
            ForgetTimer(s, id);
            removed.Add((item.Due, item.Seq, new RemovedAlarm(item.Event, MonoToWall(item.Due), item.Args)));
        }
        removed.Sort((a, b) => a.Due != b.Due ? a.Due.CompareTo(b.Due) : a.Seq.CompareTo(b.Seq));
        return removed.ConvertAll(r => r.Alarm);
    }

    /// <summary>Removes all of the active session's timers named <paramref name="name"/> (POE's <c>delay(NAME)</c>).</summary>
    public KernelError Delay(string name) => Alarm(name);

    /// <summary>Replaces the active session's timers named <paramref name="name"/> with one due after <paramref name="delay"/>.</summary>
    public KernelError Delay(string name, TimeSpan delay, params object?[] args)
    {
        CheckThread();
        ArgumentNullException.ThrowIfNull(name);
        if (!TryTimerOwner(out var s)) return KernelError.NoSuchSession;
        ClearTimersNamed(s, name);
        AddTimer(s, name, Now() + SpanToTicks(delay), args);
        return KernelError.None;
    }

    /// <summary>Adds a timer due after <paramref name="delay"/> without clearing others.</summary>
    public KernelError DelayAdd(string name, TimeSpan delay, params object?[] args)
    {
        CheckThread();
        ArgumentNullException.ThrowIfNull(name);
        if (!TryTimerOwner(out var s)) return KernelError.NoSuchSession;
        AddTimer(s, name, Now() + SpanToTicks(delay), args);
        return KernelError.None;
    }

    /// <summary>Adds a timer due after <paramref name="delay"/>; returns its alarm ID, or 0 outside a session.</summary>
    public int DelaySet(string name, TimeSpan delay, params object?[] args)
    {
        CheckThread();
        ArgumentNullException.ThrowIfNull(name);
        return TryTimerOwner(out var s) ? AddTimer(s, name, Now() + SpanToTicks(delay), args) : 0;
    }

    /// <summary>Re-arms one of the active session's timers to now + <paramref name="fromNow"/> (not relative to its old time); returns the new due time or null.</summary>
    public DateTimeOffset? DelayAdjust(int alarmId, TimeSpan fromNow)
    {
        CheckThread();
        if (!TryOwnTimer(alarmId, out _)) return null;
        long due = Now() + SpanToTicks(fromNow);
        _queue.AdjustTimer(alarmId, due);
        return MonoToWall(due);
    }

    /// <summary>The number of queued items (events, timers, signals, internal items).</summary>
    public int GetEventCount()
    {
        CheckThread();
        return _queue.Count;
    }

    /// <summary>When the next queued item is due (wall clock), or null if the queue is empty.</summary>
    public DateTimeOffset? GetNextEventTime()
    {
        CheckThread();
        return _queue.NextDue() is long due ? MonoToWall(due) : null;
    }

    /// <summary>The time remaining until the next queued item is due (zero if due), or null if the queue is empty.</summary>
    public TimeSpan? TimeUntilNextEvent()
    {
        CheckThread();
        if (_queue.NextDue() is not long due) return null;
        long now = Now();
        return due <= now ? TimeSpan.Zero : TicksToSpan(due - now);
    }

    private bool TryTimerOwner(out Session s)
    {
        s = _active;
        return !s.IsKernel && s.State == SessionState.Alive;
    }

    private bool TryOwnTimer(int alarmId, out Session s)
    {
        s = _active;
        return !s.IsKernel && _queue.TryGetTimerOwner(alarmId, out var owner) && ReferenceEquals(owner, s);
    }

    private int AddTimer(Session s, string name, long due, object?[] args)
    {
        var item = new QueueItem
        {
            Due = due, Dest = s, Source = s, Event = name, Args = args ?? [], CallerState = _activeEvent,
            Kind = ItemKind.Timer,
        };
        int id = _queue.AddTimer(ref item);
        s.TimerCount++;
        s.EventsTo++;
        _observer?.OnEnqueued(s, s, name, item.Args, EventKind.Timer);
        return id;
    }

    private void ForgetTimer(Session s, int id)
    {
        s.TimerCount--;
        if (--s.EventsTo == 0) Candidate(s);
    }

    private readonly List<int> _timerScratch = [];

    private void ClearTimersNamed(Session s, string name)
    {
        if (s.TimerCount == 0) return;
        // Re-arming a timeout on every request is the common use of Delay: no garbage per call.
        // Nothing here runs user code, so the one scratch list cannot be re-entered.
        var doomed = _timerScratch;
        doomed.Clear();
        _queue.CollectSessionTimers(s, name, doomed);
        foreach (int id in doomed)
        {
            _queue.TryRemoveTimer(id, out _);
            ForgetTimer(s, id);
        }
        doomed.Clear();
    }

    // Wall-clock times map to monotonic ones through one offset, taken when the kernel is created
    // (POE's static epoch): reading both clocks again for every conversion adds jitter, so alarms
    // for the same DateTimeOffset would leave insertion order and returned times would not equal
    // the ones set. The offset is taken again only when the wall clock has been stepped (by an
    // administrator, NTP or a suspend) more than WallClockStepTolerance away from it, so an alarm
    // set after such a step still fires at the wall-clock time asked for.
    private static readonly TimeSpan WallClockStepTolerance = TimeSpan.FromSeconds(1);

    private DateTimeOffset _wallEpoch;
    private long _monoEpoch;

    private long WallToMono(DateTimeOffset when)
    {
        FollowWallClockStep();
        return _monoEpoch + SpanToTicks(when - _wallEpoch);
    }

    private DateTimeOffset MonoToWall(long due)
    {
        FollowWallClockStep();
        var ticks = (Int128)_wallEpoch.UtcTicks + TicksToSpan(due - _monoEpoch).Ticks;
        return new DateTimeOffset(Clamp(ticks, DateTimeOffset.MinValue.UtcTicks, DateTimeOffset.MaxValue.UtcTicks), TimeSpan.Zero);
    }

    private void FollowWallClockStep()
    {
        long mono = _time.GetTimestamp();
        var wall = _time.GetUtcNow();
        if ((wall - _wallEpoch - TicksToSpan(mono - _monoEpoch)).Duration() <= WallClockStepTolerance) return;
        _wallEpoch = wall;
        _monoEpoch = mono;
    }
}
