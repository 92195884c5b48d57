using PoeSharp.Loop;

namespace PoeSharp.Examples;

/// <summary>A loop that rebuilds itself at most once per process after a fork (see <see cref="ForkOrderedHost"/>).</summary>
internal sealed class ForkOnceLoop(ILoop inner) : ILoop
{
    private int _rebuiltFor = Environment.ProcessId;

    /// <summary>Rebuilds the inner loop unless it was already rebuilt in process <paramref name="pid"/>.</summary>
    public void AfterForkOnce(int pid)
    {
        if (pid == _rebuiltFor) return;
        _rebuiltFor = pid;
        inner.AfterFork();
    }

    /// <summary>The current pid as the OS sees it (the process host's); the cached one is the parent's in a child.</summary>
    public Func<int>? ProcessIdSource { get; set; }

    /// <inheritdoc />
    public int WatchCount => inner.WatchCount;

    /// <inheritdoc />
    public void Attach(ILoopSink sink) => inner.Attach(sink);

    /// <inheritdoc />
    public void Watch(int fd, IoMode mode) => inner.Watch(fd, mode);

    /// <inheritdoc />
    public void Ignore(int fd, IoMode mode) => inner.Ignore(fd, mode);

    /// <inheritdoc />
    public void Pause(int fd, IoMode mode) => inner.Pause(fd, mode);

    /// <inheritdoc />
    public void Resume(int fd, IoMode mode) => inner.Resume(fd, mode);

    /// <inheritdoc />
    public int Poll(TimeSpan timeout) => inner.Poll(timeout);

    /// <inheritdoc />
    public void Wake() => inner.Wake();

    /// <inheritdoc />
    public void AfterFork() => AfterForkOnce(ProcessIdSource?.Invoke() ?? -1);

    /// <inheritdoc />
    public void Dispose() => inner.Dispose();
}
