using PoeSharp.Loop;
using PoeSharp.Processes;

namespace PoeSharp.Examples;

/// <summary>
/// Works around an ordering problem in <see cref="Kernel.HasForked"/>: it lets the process host
/// rebuild its descriptors (unwatching the inherited pidfds and signalfd) before the loop has its
/// own epoll instance, so in a new child those unwatches edit the parent's epoll set and the parent
/// stops hearing signals and child exits. PosixProcessHost documents the order loop first, then
/// host; this wrapper makes it so by rebuilding the loop first, and <see cref="ForkOnceLoop"/>
/// ignores the kernel's second rebuild request for the same process.
/// </summary>
internal sealed class ForkOrderedHost : IProcessHost
{
    private readonly IProcessHost inner;
    private readonly ForkOnceLoop loop;

    /// <summary>Wraps <paramref name="inner"/>; <paramref name="loop"/> must be the kernel's loop.</summary>
    public ForkOrderedHost(IProcessHost inner, ForkOnceLoop loop)
    {
        this.inner = inner;
        this.loop = loop;
        loop.ProcessIdSource = () => inner.ProcessId;
    }

    /// <inheritdoc />
    public int ProcessId => inner.ProcessId;

    /// <inheritdoc />
    public void Attach(IProcessSink sink) => inner.Attach(sink);

    /// <inheritdoc />
    public ForkResult Fork() => inner.Fork();

    /// <inheritdoc />
    public void WatchSignal(string name) => inner.WatchSignal(name);

    /// <inheritdoc />
    public void IgnoreSignal(string name) => inner.IgnoreSignal(name);

    /// <inheritdoc />
    public bool WatchChild(int pid) => inner.WatchChild(pid);

    /// <inheritdoc />
    public void IgnoreChild(int pid) => inner.IgnoreChild(pid);

    /// <inheritdoc />
    public void AfterFork()
    {
        loop.AfterForkOnce(inner.ProcessId);
        inner.AfterFork();
    }

    /// <inheritdoc />
    public void Dispose() => inner.Dispose();
}
