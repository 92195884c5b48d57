using Microsoft.Extensions.Logging;

namespace PoeSharp.Components.Workers;

/// <summary>
/// How a <see cref="PreforkPool"/> runs: how many worker processes, when a worker is retired
/// (gunicorn's <c>max_requests</c> and <c>max_requests_jitter</c>), when a silent worker is
/// killed (unicorn's and gunicorn's <c>timeout</c>), and how long a graceful stop may take.
/// Checked by <see cref="Validate"/>, which the pool calls at construction.
/// </summary>
public sealed record PreforkPoolOptions
{
    /// <summary>The longest a worker count may be: more is a mistake, not a configuration.</summary>
    public const int MaxWorkers = 1024;

    /// <summary>Worker processes; 0 (the default) runs the server in this one process, without forking.</summary>
    public int Workers { get; init; }

    /// <summary>Requests a worker serves before it stops accepting, finishes and is replaced; 0 (the default) = no limit.</summary>
    public int MaxRequests { get; init; }

    /// <summary>
    /// Up to this many requests are added at random to <see cref="MaxRequests"/> for each worker, so
    /// that workers started together are not all replaced together. 0 (the default) = none.
    /// </summary>
    public int MaxRequestsJitter { get; init; }

    /// <summary>
    /// A worker whose event loop has not run for this long (a handler that has not returned) is
    /// killed with SIGKILL and replaced. Null (the default) = never. At least 50 ms.
    /// </summary>
    public TimeSpan? WorkerTimeout { get; init; }

    /// <summary>How long a graceful stop waits for in-flight work before it kills what is left; default 30 s.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The delay before the first retry of a failed fork; it doubles with each failure in a row. Default 1 s.</summary>
    public TimeSpan ForkRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between fork retries; default 30 s.</summary>
    public TimeSpan MaxForkRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Where the pool says what it does (forks, exits, timeouts, stops); null = silent.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>Called in each new worker right after the fork (the kernel's has_forked is done), before it accepts.</summary>
    public Action<PreforkPool>? WorkerStarted { get; init; }

    /// <summary>
    /// A file the parent keeps up to date with the pool's state (<see cref="PoolStatusFile"/> has the
    /// format): rewritten, by rename, on every change of the worker set and every
    /// <see cref="StatusInterval"/>, removed when the parent ends. Null (the default) = none.
    /// </summary>
    public string? StatusFile { get; init; }

    /// <summary>How often the status file is rewritten when nothing changes; default 5 s.</summary>
    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The command a binary upgrade (SIGUSR2) starts, program first; null (the default) = this
    /// process's own command line (/proc/self/cmdline), which starts the program now installed
    /// under the same name.
    /// </summary>
    public IReadOnlyList<string>? UpgradeCommand { get; init; }

    /// <summary>How long the new master of an upgrade may take to accept before it is killed and the upgrade given up; default 60 s.</summary>
    public TimeSpan UpgradeTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// SO_REUSEPORT (nginx's <c>reuseport</c>): each worker slot accepts on its own listening socket,
    /// bound to the same address and port, and the kernel spreads new connections over them. The
    /// parent opens a slot's socket before it first forks into the slot and keeps it, so a
    /// respawned worker takes over its predecessor's socket and its queued connections; the parent
    /// never accepts on any. Needs a server that opens such sockets (<see cref="IPoolServer.OpenReusePortSocket"/>;
    /// HttpServer and TcpServer do). Default false: every worker accepts on one shared socket.
    /// </summary>
    public bool ReusePort { get; init; }

    /// <summary>
    /// With <see cref="ReusePort"/>: listening sockets already open (passed by a binary upgrade) for
    /// slots 1, 2, ... (slot 0 is the server's own socket); the pool owns them. Slots beyond them get
    /// sockets the pool opens. Null (the default) = none.
    /// </summary>
    public IReadOnlyList<PoeSharp.Os.FileDescriptor>? ReusePortSockets { get; init; }

    /// <summary>The shortest <see cref="WorkerTimeout"/>: the parent checks four times per timeout.</summary>
    public static readonly TimeSpan MinWorkerTimeout = TimeSpan.FromMilliseconds(50);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option that is out of range.</summary>
    public void Validate()
    {
        if (Workers is < 0 or > MaxWorkers)
            throw new ArgumentOutOfRangeException(nameof(Workers), Workers, $"Workers must be 0 (one process, no fork) to {MaxWorkers}.");
        if (MaxRequests < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxRequests), MaxRequests, "MaxRequests must be 0 (no limit) or more.");
        if (MaxRequestsJitter < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxRequestsJitter), MaxRequestsJitter, "MaxRequestsJitter must be 0 or more.");
        if (MaxRequestsJitter > 0 && MaxRequests == 0)
            throw new ArgumentException("MaxRequestsJitter needs MaxRequests: there is no limit to add jitter to.", nameof(MaxRequestsJitter));
        if (WorkerTimeout is { } t && t < MinWorkerTimeout)
            throw new ArgumentOutOfRangeException(nameof(WorkerTimeout), t, $"WorkerTimeout must be at least {MinWorkerTimeout.TotalMilliseconds} ms (null = never).");
        if (ShutdownTimeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(ShutdownTimeout), ShutdownTimeout, "ShutdownTimeout must be positive.");
        if (StatusInterval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(StatusInterval), StatusInterval, "StatusInterval must be positive.");
        if (StatusFile is { Length: 0 })
            throw new ArgumentException("StatusFile must be a path (null = no status file).", nameof(StatusFile));
        if (UpgradeTimeout <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(UpgradeTimeout), UpgradeTimeout, "UpgradeTimeout must be positive.");
        if (UpgradeCommand is { Count: 0 } || UpgradeCommand?.Any(string.IsNullOrEmpty) == true)
            throw new ArgumentException("UpgradeCommand must name a program and its arguments, none empty (null = this process's command line).", nameof(UpgradeCommand));
        if (ReusePortSockets is { Count: > 0 } && !ReusePort)
            throw new ArgumentException("ReusePortSockets needs ReusePort: only SO_REUSEPORT slots take passed sockets.", nameof(ReusePortSockets));
        if (ReusePortSockets?.Count >= MaxWorkers)
            throw new ArgumentOutOfRangeException(nameof(ReusePortSockets), ReusePortSockets.Count, $"ReusePortSockets holds sockets for slots 1 to {MaxWorkers - 1}.");
        if (ForkRetryDelay <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(ForkRetryDelay), ForkRetryDelay, "ForkRetryDelay must be positive.");
        if (MaxForkRetryDelay < ForkRetryDelay)
            throw new ArgumentOutOfRangeException(nameof(MaxForkRetryDelay), MaxForkRetryDelay, "MaxForkRetryDelay must be at least ForkRetryDelay.");
    }
}
