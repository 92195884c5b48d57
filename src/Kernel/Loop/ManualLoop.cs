namespace PoeSharp.Loop;

/// <summary>
/// A loop for tests: nothing is real, the test says which descriptors are ready. Readiness set
/// with <see cref="SetReady"/> is level-triggered (reported on every poll while watched and not
/// paused, until cleared); <see cref="FireOnce"/> reports once. When a poll finds nothing ready
/// and would wait, <see cref="IdleWait"/> is called with the timeout (a fake kernel advances its
/// clock there); without it, a wait without limit throws instead of hanging the test.
/// </summary>
public sealed class ManualLoop : ILoop
{
    private readonly Dictionary<long, Entry> _watches = new();
    private readonly Dictionary<long, bool> _ready = new();   // key -> once
    private readonly List<(int Fd, IoMode Mode)> _batch = new();
    private ILoopSink? _sink;
    private int _woken;

    private sealed class Entry
    {
        public bool Paused;
        public bool Exclusive;
    }

    /// <summary>Called when a poll finds nothing ready and the kernel would wait <c>timeout</c> (never with zero).</summary>
    public Action<TimeSpan>? IdleWait { get; set; }

    /// <summary>Number of <see cref="Poll"/> calls.</summary>
    public int PollCount { get; private set; }

    /// <summary>The timeout of the last <see cref="Poll"/>.</summary>
    public TimeSpan? LastTimeout { get; private set; }

    /// <summary>Number of <see cref="AfterFork"/> calls.</summary>
    public int AfterForkCount { get; private set; }

    /// <summary>Number of <see cref="Wake"/> calls.</summary>
    public int WakeCount => Volatile.Read(ref _wakeCount);

    private int _wakeCount;

    /// <inheritdoc />
    public int WatchCount => _watches.Count;

    /// <summary>True once <see cref="Dispose"/> ran.</summary>
    public bool IsDisposed { get; private set; }

    /// <inheritdoc />
    public void Attach(ILoopSink sink) => _sink = sink ?? throw new ArgumentNullException(nameof(sink));

    /// <inheritdoc />
    public void Watch(int fd, IoMode mode) => Watch(fd, mode, exclusive: false);

    /// <inheritdoc />
    /// <remarks>Records the flag for <see cref="IsExclusive"/>; readiness is reported as without it.</remarks>
    public void Watch(int fd, IoMode mode, bool exclusive) => _watches.TryAdd(Key(fd, mode), new Entry { Exclusive = exclusive });

    /// <inheritdoc />
    public void Ignore(int fd, IoMode mode) => _watches.Remove(Key(fd, mode));

    /// <inheritdoc />
    public void Pause(int fd, IoMode mode)
    {
        if (_watches.TryGetValue(Key(fd, mode), out var e)) e.Paused = true;
    }

    /// <inheritdoc />
    public void Resume(int fd, IoMode mode)
    {
        if (_watches.TryGetValue(Key(fd, mode), out var e)) e.Paused = false;
    }

    /// <summary>True if <paramref name="fd"/>/<paramref name="mode"/> is watched (paused or not).</summary>
    public bool IsWatched(int fd, IoMode mode) => _watches.ContainsKey(Key(fd, mode));

    /// <summary>True if <paramref name="fd"/>/<paramref name="mode"/> is watched and paused.</summary>
    public bool IsPaused(int fd, IoMode mode) => _watches.TryGetValue(Key(fd, mode), out var e) && e.Paused;

    /// <summary>True if <paramref name="fd"/>/<paramref name="mode"/> is watched and was watched with the exclusive flag.</summary>
    public bool IsExclusive(int fd, IoMode mode) => _watches.TryGetValue(Key(fd, mode), out var e) && e.Exclusive;

    /// <summary>Marks the descriptor ready (level-triggered) or not ready.</summary>
    public void SetReady(int fd, IoMode mode, bool ready = true)
    {
        if (ready) _ready[Key(fd, mode)] = false;
        else _ready.Remove(Key(fd, mode));
    }

    /// <summary>Marks the descriptor ready for the next poll only.</summary>
    public void FireOnce(int fd, IoMode mode) => _ready[Key(fd, mode)] = true;

    /// <summary>True when some watched, unpaused descriptor is ready.</summary>
    public bool HasReady
    {
        get
        {
            foreach (var key in _ready.Keys)
                if (_watches.TryGetValue(key, out var e) && !e.Paused) return true;
            return false;
        }
    }

    /// <inheritdoc />
    public int Poll(TimeSpan timeout)
    {
        PollCount++;
        LastTimeout = timeout;
        _batch.Clear();
        foreach (var (key, _) in _ready)
            if (_watches.TryGetValue(key, out var e) && !e.Paused) _batch.Add(((int)(key >> 2), (IoMode)(key & 3)));
        if (_batch.Count == 0)
        {
            if (Interlocked.Exchange(ref _woken, 0) != 0 || timeout == TimeSpan.Zero) return 0;
            if (IdleWait is { } wait) wait(timeout);
            else if (timeout == Timeout.InfiniteTimeSpan)
                throw new InvalidOperationException(
                    "The manual loop has nothing ready and the kernel would wait forever (watchers, extra refs or child " +
                    "watches keep it busy but nothing is due). Mark a descriptor ready, release the reference, or set IdleWait.");
            return 0;
        }
        _batch.Sort((a, b) => a.Fd != b.Fd ? a.Fd.CompareTo(b.Fd) : a.Mode.CompareTo(b.Mode));
        int calls = 0;
        foreach (var (fd, mode) in _batch.ToArray())
        {
            long key = Key(fd, mode);
            if (!_watches.TryGetValue(key, out var e) || e.Paused || !_ready.TryGetValue(key, out bool once)) continue;
            if (once) _ready.Remove(key);
            calls++;
            _sink?.OnReady(fd, mode);
        }
        return calls;
    }

    /// <inheritdoc />
    public void Wake()
    {
        Interlocked.Increment(ref _wakeCount);
        Volatile.Write(ref _woken, 1);
    }

    /// <inheritdoc />
    public void AfterFork() => AfterForkCount++;

    /// <inheritdoc />
    public void Dispose() => IsDisposed = true;

    private static long Key(int fd, IoMode mode) => ((long)fd << 2) | (long)mode;
}
