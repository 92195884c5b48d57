namespace PoeSharp;

/// <summary>
/// Thrown by <see cref="Kernel.Run(TimeSpan)"/> when its time is up and sessions are still alive.
/// The message lists each of them with what keeps it alive, e.g.
/// "session 2: 1 timer, alias 'server'"; <see cref="Alive"/> has the same in structured form.
/// </summary>
public sealed class KernelTimeoutException : TimeoutException
{
    /// <summary>An exception for a run limited to <paramref name="timeout"/> that left <paramref name="alive"/> running.</summary>
    public KernelTimeoutException(TimeSpan timeout, IReadOnlyList<LivenessReport> alive)
        : base(Describe(timeout, alive))
    {
        ArgumentNullException.ThrowIfNull(alive);
        Timeout = timeout;
        Alive = alive;
    }

    /// <summary>The time the run was given.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The sessions still alive when the time was up, in ID order, each with its causes.</summary>
    public IReadOnlyList<LivenessReport> Alive { get; }

    private static string Describe(TimeSpan timeout, IReadOnlyList<LivenessReport>? alive)
    {
        alive ??= [];
        return $"The kernel was still running after {timeout.TotalSeconds:0.###} s with {alive.Count} session(s) alive:"
               + string.Concat(alive.Select(r => Environment.NewLine + "  " + r));
    }
}
