using PoeSharp.Loop;

namespace PoeSharp.Testing;

/// <summary>
/// The real <see cref="PoeSharp.Kernel"/> on a <see cref="ManualLoop"/>, a <see cref="ManualTimeProvider"/>
/// and a <see cref="FakeProcessHost"/>, with recording: unit-test sessions without sockets, real time
/// or real processes. Advance time and timers fire in order with "now" set to each due time.
/// </summary>
/// <remarks>
/// Descriptors are real (a socketpair, a pipe) but readiness is not: the manual loop reports a
/// descriptor only when the test says so. So a wheel that queues output it could not write at
/// once (a <c>ReadWriteWheel</c> without <c>AutoFlush</c>, or output <c>Put</c> in <c>_start</c>)
/// waits for write readiness that never comes: call <c>Loop.SetReady(fd, IoMode.Write)</c> (level:
/// until cleared) or <c>Loop.FireOnce(fd, IoMode.Write)</c>, then <see cref="RunUntilIdle"/>. Input
/// works the same way: write into the other end, then <c>Loop.FireOnce(fd, IoMode.Read)</c>.
/// </remarks>
public sealed class FakeKernel : IDisposable
{
    private readonly Recorder _recorder;

    /// <summary>A fake kernel whose clock starts at <paramref name="start"/>. <paramref name="options"/>' observer and host are replaced.</summary>
    public FakeKernel(KernelOptions? options = null, DateTimeOffset? start = null)
    {
        Loop = new ManualLoop();
        Time = new ManualTimeProvider(start);
        Processes = new FakeProcessHost();
        _recorder = new Recorder(this);
        var o = options ?? new KernelOptions();
        Kernel = new Kernel(Loop, Time, Processes,
                            o with { WarningWriter = o.WarningWriter ?? TextWriter.Null, Observer = _recorder });
    }

    /// <summary>The real kernel under test.</summary>
    public Kernel Kernel { get; }

    /// <summary>The manual loop: mark descriptors ready here.</summary>
    public ManualLoop Loop { get; }

    /// <summary>The manual clock.</summary>
    public ManualTimeProvider Time { get; }

    /// <summary>The fake process host: script forks, raise child exits and OS signals.</summary>
    public FakeProcessHost Processes { get; }

    /// <summary>Every event queued (posts, timers, signals, internal items), in order.</summary>
    public IReadOnlyList<RecordedEvent> Posted => _recorder.Posted;

    /// <summary>Every event dispatched (including calls and lifecycle events), in order.</summary>
    public IReadOnlyList<RecordedEvent> Dispatched => _recorder.Dispatched;

    /// <summary>Every handler exception, in order (whether or not a DIE watcher handled it).</summary>
    public IReadOnlyList<(Session Session, string Event, Exception Exception)> Failures => _recorder.Failures;

    /// <summary>The names of events dispatched to <paramref name="session"/>, in order.</summary>
    public IReadOnlyList<string> EventsOf(Session session) =>
        _recorder.Dispatched.Where(e => ReferenceEquals(e.Destination, session)).Select(e => e.Event).ToList();

    /// <summary>Every alias and its session.</summary>
    public IReadOnlyDictionary<string, Session> Aliases => Kernel.Aliases;

    /// <summary>Every descriptor watcher.</summary>
    public IReadOnlyList<WatchInfo> Watches => Kernel.Watches;

    /// <summary>Every descriptor watcher (POE calls them selects); same as <see cref="Watches"/>.</summary>
    public IReadOnlyList<WatchInfo> Selects => Kernel.Watches;

    /// <summary>Every pending timer (events set aside for later), in due order; same as <see cref="PoeSharp.Kernel.Timers"/>.</summary>
    public IReadOnlyList<PendingTimer> Timers => Kernel.Timers;

    /// <summary>Creates a session; throws if it has no <c>_start</c> handler (the real kernel returns null).</summary>
    public Session Create<THeap>(THeap heap, Action<SessionBuilder<THeap>> states, params object?[] args) =>
        Kernel.Create(heap, states, args)
        ?? throw new InvalidOperationException("The session has no _start handler, so the kernel discarded it.");

    /// <summary>Posts <paramref name="ev"/> (SENDER = kernel) and runs everything due now, without moving the clock.</summary>
    public KernelError Deliver(SessionRef dest, string ev, params object?[] args)
    {
        var e = Kernel.Post(dest, ev, args);
        if (e == KernelError.None) RunUntilIdle();
        return e;
    }

    /// <summary>Delivers the typed event <paramref name="ev"/> as <see cref="Deliver(SessionRef, string, object?[])"/> does.</summary>
    public KernelError Deliver(SessionRef dest, Event ev) => AfterDeliver(Kernel.Post(dest, ev));

    /// <summary>Delivers the typed event <paramref name="ev"/> with ARG0 as <see cref="Deliver(SessionRef, string, object?[])"/> does.</summary>
    public KernelError Deliver<T>(SessionRef dest, Event<T> ev, T arg0) => AfterDeliver(Kernel.Post(dest, ev, arg0));

    /// <summary>Delivers the typed event <paramref name="ev"/> with ARG0, ARG1 as <see cref="Deliver(SessionRef, string, object?[])"/> does.</summary>
    public KernelError Deliver<T1, T2>(SessionRef dest, Event<T1, T2> ev, T1 arg0, T2 arg1) => AfterDeliver(Kernel.Post(dest, ev, arg0, arg1));

    /// <summary>Delivers the typed event <paramref name="ev"/> with ARG0, ARG1, ARG2 as <see cref="Deliver(SessionRef, string, object?[])"/> does.</summary>
    public KernelError Deliver<T1, T2, T3>(SessionRef dest, Event<T1, T2, T3> ev, T1 arg0, T2 arg1, T3 arg2) =>
        AfterDeliver(Kernel.Post(dest, ev, arg0, arg1, arg2));

    private KernelError AfterDeliver(KernelError e)
    {
        if (e == KernelError.None) RunUntilIdle();
        return e;
    }

    /// <summary>Runs timeslices while something is due now or a watched descriptor is ready; the clock does not move. Returns the number of timeslices.</summary>
    public int RunUntilIdle(int maxTimeslices = 1_000_000)
    {
        int n = 0;
        while (Kernel.SessionCount > 0 && (Kernel.TimeUntilNextEvent() == TimeSpan.Zero || Loop.HasReady))
        {
            if (++n > maxTimeslices)
                throw new InvalidOperationException(
                    $"Still busy after {maxTimeslices} timeslices at the same instant: a session keeps yielding or a descriptor stays ready.");
            Kernel.RunOneTimeslice();
        }
        return n;
    }

    /// <summary>
    /// Moves the clock forward by <paramref name="by"/>, stopping at each timer's due time to run
    /// what is due then, so timers fire in order with the clock at their due time.
    /// </summary>
    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(by), by, "Time cannot go backwards.");
        var target = Time.Elapsed + by;
        RunUntilIdle();
        while (Kernel.SessionCount > 0 && Kernel.TimeUntilNextEvent() is { } next && Time.Elapsed + next <= target)
        {
            Time.Advance(next);
            RunUntilIdle();
        }
        if (Time.Elapsed < target) Time.Advance(target - Time.Elapsed);
        RunUntilIdle();
    }

    /// <summary>
    /// <see cref="PoeSharp.Kernel.Run()"/> in virtual time: whenever the kernel would wait, the clock jumps
    /// to the next due time. Throws instead of hanging if it would wait forever.
    /// </summary>
    public void Run()
    {
        Loop.IdleWait = t =>
        {
            if (t == Timeout.InfiniteTimeSpan)
                throw new InvalidOperationException(
                    "The kernel would wait forever: something keeps it busy (a watcher, an extra ref, a child watch) " +
                    "but nothing is due. Mark a descriptor ready with Loop.SetReady, or check Kernel.Explain(session).");
            Time.Advance(t);
        };
        try
        {
            Kernel.Run();
        }
        finally
        {
            Loop.IdleWait = null;
        }
    }

    /// <summary>
    /// <see cref="PoeSharp.Kernel.Run(TimeSpan)"/> in virtual time: the clock jumps as in <see cref="Run()"/>,
    /// and when <paramref name="timeout"/> of virtual time has passed with sessions still alive, a
    /// <see cref="KernelTimeoutException"/> names them and what keeps each alive.
    /// </summary>
    public void Run(TimeSpan timeout)
    {
        // The deadline bounds every wait, so the loop never waits forever here.
        Loop.IdleWait = Time.Advance;
        try
        {
            Kernel.Run(timeout);
        }
        finally
        {
            Loop.IdleWait = null;
        }
    }

    /// <summary>Throws if any handler threw (POE would have raised DIE), with the first exception inside.</summary>
    public void ThrowIfHandlerFailed()
    {
        if (_recorder.Failures.Count == 0) return;
        var (session, ev, ex) = _recorder.Failures[0];
        throw new InvalidOperationException(
            $"{_recorder.Failures.Count} handler(s) threw; first: {session} handling '{ev}': {ex.Message}", ex);
    }

    /// <summary>What the kernel still holds (see <see cref="PoeSharp.Kernel.FindLeaks"/>).</summary>
    public IReadOnlyList<string> FindLeaks() => Kernel.FindLeaks();

    /// <summary>Forgets the recorded events and failures.</summary>
    public void ClearRecords()
    {
        _recorder.Posted.Clear();
        _recorder.Dispatched.Clear();
        _recorder.Failures.Clear();
    }

    /// <inheritdoc />
    public void Dispose() => Kernel.Dispose();

    private sealed class Recorder(FakeKernel owner) : IKernelObserver
    {
        public readonly List<RecordedEvent> Posted = new();
        public readonly List<RecordedEvent> Dispatched = new();
        public readonly List<(Session, string, Exception)> Failures = new();

        public void OnEnqueued(Session dest, Session sender, string ev, object?[] args, EventKind kind) =>
            Posted.Add(new RecordedEvent(ev, dest, sender, args, kind, owner.Time.Elapsed));

        public void OnDispatched(Session dest, Session sender, string ev, object?[] args, EventKind kind) =>
            Dispatched.Add(new RecordedEvent(ev, dest, sender, args, kind, owner.Time.Elapsed));

        public void OnHandlerFailed(Session session, string ev, Exception exception) =>
            Failures.Add((session, ev, exception));
    }
}
