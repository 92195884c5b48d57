namespace PoeSharp.Testing;

/// <summary>
/// A clock that moves only when told: <see cref="Advance"/> moves wall time and the monotonic
/// timestamp together and refuses to go backwards. Timestamps are in <see cref="TimeSpan"/> ticks.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    /// <summary>The default start: 2026-01-01T00:00:00Z.</summary>
    public static readonly DateTimeOffset DefaultStart = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly DateTimeOffset _start;
    private long _elapsedTicks;

    /// <summary>A clock at <paramref name="start"/> (default <see cref="DefaultStart"/>).</summary>
    public ManualTimeProvider(DateTimeOffset? start = null) => _start = start ?? DefaultStart;

    /// <summary>Time elapsed since the start.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(Volatile.Read(ref _elapsedTicks));

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => _start + Elapsed;

    /// <inheritdoc />
    public override long GetTimestamp() => Volatile.Read(ref _elapsedTicks);

    /// <inheritdoc />
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>Moves the clock forward by <paramref name="by"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="by"/> is negative: time cannot go backwards.</exception>
    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(by), by, "A manual clock cannot go backwards; pass a non-negative span.");
        Interlocked.Add(ref _elapsedTicks, by.Ticks);
    }

    /// <summary>Moves the clock forward to <paramref name="when"/>.</summary>
    public void SetUtcNow(DateTimeOffset when) => Advance(when - GetUtcNow());

    /// <summary>Not supported: the kernel schedules through its queue, never with runtime timers (they need threads).</summary>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        throw new NotSupportedException("ManualTimeProvider has no runtime timers; use kernel timers (Delay, Alarm).");
}
