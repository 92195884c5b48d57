namespace PoeSharp.Components.Workers;

/// <summary>What this process is in a <see cref="PreforkPool"/>.</summary>
public enum PoolRole
{
    /// <summary>Workers = 0: the one process listens and serves.</summary>
    Single,

    /// <summary>The parent of a pool: it holds the listening socket, forks, reaps and replaces workers, and serves nobody.</summary>
    Parent,

    /// <summary>A forked worker: it accepts on the inherited socket and serves.</summary>
    Worker,
}
