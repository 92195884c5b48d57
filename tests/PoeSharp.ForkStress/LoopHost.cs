using PoeSharp.Loop;
using PoeSharp.Os;
using PoeSharp.Processes;

namespace PoeSharp.ForkStress;

/// <summary>
/// A minimal event loop over <see cref="EpollLoop"/> and <see cref="PosixProcessHost"/>: what the
/// kernel does for descriptors, child exits and signals, without sessions.
/// </summary>
internal sealed class LoopHost : ILoopSink, IProcessSink, IDisposable
{
    private readonly Dictionary<(int, IoMode), IReadyHandler> _handlers = new();
    private readonly HashSet<int> _internal = new();

    public LoopHost()
    {
        Loop = new EpollLoop();
        Host = new PosixProcessHost();
        Loop.Attach(this);
        Host.Attach(this);
    }

    public EpollLoop Loop { get; }

    public PosixProcessHost Host { get; }

    public Action<int, int>? ChildExited { get; set; }

    public Action<string>? SignalArrived { get; set; }

    public void Watch(int fd, IoMode mode, IReadyHandler handler)
    {
        _handlers[(fd, mode)] = handler;
        Loop.Watch(fd, mode);
    }

    public void Unwatch(int fd, IoMode mode)
    {
        _handlers.Remove((fd, mode));
        Loop.Ignore(fd, mode);
    }

    /// <summary>In a child: new epoll/eventfd, new signalfd, and forget (close) every application watch inherited from the parent.</summary>
    /// <remarks>The host goes first on purpose: the loop must rebuild itself before the host's first watch change.</remarks>
    public void AfterForkInChild(Func<int, bool> keep)
    {
        Host.AfterFork();
        Loop.AfterFork();
        foreach (var ((fd, mode), _) in _handlers.ToArray())
        {
            if (_internal.Contains(fd) || keep(fd)) continue;
            Unwatch(fd, mode);
            Native.Close(fd);
        }
        ChildExited = null;
        SignalArrived = null;
    }

    public int RunOnce(TimeSpan timeout) => Loop.Poll(timeout);

    void ILoopSink.OnReady(int fd, IoMode mode)
    {
        if (_handlers.TryGetValue((fd, mode), out var h)) h.OnReady(fd, mode);
    }

    void IProcessSink.OnSignal(string name) => SignalArrived?.Invoke(name);

    void IProcessSink.OnChildExit(int pid, int waitStatus) => ChildExited?.Invoke(pid, waitStatus);

    void IProcessSink.WatchInternal(int fd, IoMode mode, IReadyHandler handler)
    {
        _internal.Add(fd);
        Watch(fd, mode, handler);
    }

    void IProcessSink.UnwatchInternal(int fd, IoMode mode)
    {
        _internal.Remove(fd);
        Unwatch(fd, mode);
    }

    public void Dispose()
    {
        Host.Dispose();
        Loop.Dispose();
    }
}
