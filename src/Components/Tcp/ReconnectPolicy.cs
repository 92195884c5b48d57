namespace PoeSharp.Components;

/// <summary>
/// How a <see cref="TcpClient"/> reconnects after a failed connect or a lost connection:
/// exponential back-off with jitter, on the kernel's timers. The defaults are Twisted's
/// <c>ReconnectingClientFactory</c>'s (initial delay 1 s, factor e, at most 3600 s, jitter
/// 0.11962656472); POE::Component::Client::TCP leaves reconnecting to the program.
/// </summary>
public sealed record ReconnectPolicy
{
    /// <summary>The wait before the first retry (attempt 0). Default 1 s.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Each further consecutive failure multiplies the wait by this. Default e (Twisted's).</summary>
    public double Factor { get; init; } = Math.E;

    /// <summary>The longest wait before jitter. Default 3600 s (Twisted's).</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(3600);

    /// <summary>
    /// The wait is spread uniformly over ±Jitter of itself, so clients that lost the same server
    /// do not all come back at the same instant. 0 = exact waits. Default 0.11962656472 (Twisted's).
    /// </summary>
    public double Jitter { get; init; } = 0.11962656472;

    /// <summary>Give up after this many consecutive failed attempts; null (the default) = never.</summary>
    public int? MaxAttempts { get; init; }

    /// <summary>The random source of the jitter; null = <see cref="System.Random.Shared"/>.</summary>
    public Random? Random { get; init; }

    /// <summary>
    /// The wait before retry number <paramref name="attempt"/> (0 = the first retry after a
    /// success): <c>min(MaxDelay, InitialDelay * Factor^attempt)</c>, then jittered.
    /// </summary>
    public TimeSpan DelayFor(int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        double max = MaxDelay.TotalSeconds;
        double seconds = Math.Min(max, InitialDelay.TotalSeconds * Math.Pow(Factor, attempt));
        if (double.IsNaN(seconds) || double.IsInfinity(seconds)) seconds = max;
        if (Jitter > 0)
            seconds *= 1 + Jitter * (2 * (Random ?? Random.Shared).NextDouble() - 1);
        return TimeSpan.FromSeconds(Math.Max(0, seconds));
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid property.</summary>
    internal void Validate(string optionName)
    {
        string where = $"{optionName}.";
        if (InitialDelay <= TimeSpan.Zero)
            throw Options.Invalid(where + nameof(InitialDelay), InitialDelay, "must be positive (e.g. TimeSpan.FromSeconds(1))");
        if (!(Factor >= 1) || double.IsInfinity(Factor))
            throw Options.Invalid(where + nameof(Factor), Factor, "must be a finite number of at least 1 (1 = a constant wait)");
        if (MaxDelay < InitialDelay)
            throw Options.Invalid(where + nameof(MaxDelay), MaxDelay, $"must be at least InitialDelay ({InitialDelay})");
        if (!(Jitter >= 0 && Jitter < 1))
            throw Options.Invalid(where + nameof(Jitter), Jitter, "must be in [0, 1) (0 = no jitter)");
        if (MaxAttempts is < 1)
            throw Options.Invalid(where + nameof(MaxAttempts), MaxAttempts, "must be at least 1, or null to retry for ever");
    }
}
