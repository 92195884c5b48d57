using PoeSharp.Processes;

namespace PoeSharp;

/// <summary>
/// Kernel settings. All default to POE's defaults. A record, so that a copy with one setting
/// changed (<c>options with { ProcessHost = host }</c>) carries every other setting, new ones too.
/// </summary>
public sealed record KernelOptions
{
    /// <summary>
    /// Where warnings (level Warning) and traces (level Trace) go when set, instead of
    /// <see cref="WarningWriter"/> and <see cref="TraceWriter"/>. The logger is called on the
    /// kernel's thread; in a program that forks it must not depend on a background thread (the
    /// console provider of Microsoft.Extensions.Logging does): <see cref="Logging.TextLogger"/> does not.
    /// </summary>
    public Microsoft.Extensions.Logging.ILogger? Logger { get; init; }

    /// <summary>Log every dispatched event (POE's trace option, for all sessions) to <see cref="TraceWriter"/>.</summary>
    public bool Trace { get; init; }

    /// <summary>Where traces go, as timestamped lines (<see cref="Logging.TextLogger"/>); standard error when null. Ignored when <see cref="Logger"/> is set.</summary>
    public TextWriter? TraceWriter { get; init; }

    /// <summary>Where warnings go (a session without <c>_start</c>, unhandled events with the <c>default</c> option), as timestamped lines (<see cref="Logging.TextLogger"/>); standard error when null. Ignored when <see cref="Logger"/> is set.</summary>
    public TextWriter? WarningWriter { get; init; }

    /// <summary>POE's CATCH_EXCEPTIONS: a handler's exception becomes the DIE signal. When false it propagates out of <c>Run</c> at once.</summary>
    public bool CatchExceptions { get; init; } = true;

    /// <summary>
    /// What happens when a handler throws and no <c>DIE</c> watcher handles it: POE's rule
    /// (<see cref="HandlerFailurePolicy.Die"/>, the default) or <see cref="HandlerFailurePolicy.StopSession"/>,
    /// one line that keeps a server serving when one connection's handler fails.
    /// </summary>
    public HandlerFailurePolicy HandlerFailure { get; init; } = HandlerFailurePolicy.Die;

    /// <summary>Warn about events without a handler or <c>_default</c> in every session (POE's ASSERT_STATES).</summary>
    public bool DefaultWarnings { get; init; }

    /// <summary>The process host; created lazily from the OS defaults when null and first needed.</summary>
    public IProcessHost? ProcessHost { get; init; }

    /// <summary>An observer told about every enqueue and dispatch (recording in tests); nothing is spent when null.</summary>
    public IKernelObserver? Observer { get; init; }

    /// <summary>
    /// When set, a kernel about to wait longer than this first waits this long only; if nothing at
    /// all happened meanwhile and the process has allocated at least
    /// <see cref="IdleCompactionMinimumAllocation"/> bytes since the last such compaction (in a
    /// forked child: since the fork), it compacts the managed heap and gives what the heap no longer
    /// uses back to the OS (a blocking, aggressive full collection), then waits on as before.
    /// Events, timers and their order do not change. Off (null) by default.
    /// </summary>
    /// <remarks>
    /// Why: the garbage collector keeps the memory it committed for a burst of work (allocation
    /// room, emptied regions) and returns it only during later collections, which an idle process
    /// does not run. A server holding many idle connections then costs two to three times its live
    /// objects (bench/README.md, "What an idle connection holds"). The collection runs on the
    /// kernel's thread and starts no thread (docs/FORK-SAFETY.md). It takes tens of milliseconds
    /// (25-40 ms for 3-10 MiB of live objects, measured on a loaded two-core machine), which is what
    /// a client arriving just then waits; it runs again only after the next quiet period that
    /// follows <see cref="IdleCompactionMinimumAllocation"/> bytes of work.
    /// </remarks>
    public TimeSpan? CompactWhenIdle
    {
        get => _compactWhenIdle;
        init
        {
            if (value is { } v && (v <= TimeSpan.Zero || v == Timeout.InfiniteTimeSpan))
                throw new ArgumentOutOfRangeException(nameof(CompactWhenIdle), v, "The quiet period must be positive and finite.");
            _compactWhenIdle = value;
        }
    }

    private readonly TimeSpan? _compactWhenIdle;

    /// <summary>
    /// How much the process must have allocated since the last compaction (<see cref="CompactWhenIdle"/>)
    /// for the next one: a process that did little since then has little to give back. 2 MiB by default.
    /// </summary>
    public long IdleCompactionMinimumAllocation
    {
        get => _idleCompactionMinimumAllocation;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _idleCompactionMinimumAllocation = value;
        }
    }

    private readonly long _idleCompactionMinimumAllocation = 2 * 1024 * 1024;
}
