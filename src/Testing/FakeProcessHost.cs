using PoeSharp.Processes;

namespace PoeSharp.Testing;

/// <summary>
/// A process host with no processes: forks return made-up pids (or a scripted failure, or the
/// child side), and the test raises child exits and OS signals. Records what the kernel asked.
/// </summary>
public sealed class FakeProcessHost : IProcessHost
{
    private readonly Queue<Func<ForkResult>> _script = new();
    private readonly HashSet<int> _children = new();
    private readonly HashSet<int> _watchedChildren = new();
    private readonly HashSet<string> _watchedSignals = new(StringComparer.Ordinal);
    private readonly List<string> _undelivered = new();
    private IProcessSink? _sink;

    /// <summary>This (fake) process's id.</summary>
    public int ProcessId { get; set; } = 4242;

    /// <summary>The pid the next successful fork returns in the parent.</summary>
    public int NextPid { get; set; } = 5001;

    /// <summary>Number of fork attempts.</summary>
    public int ForkCount { get; private set; }

    /// <summary>Number of <see cref="AfterFork"/> calls.</summary>
    public int AfterForkCount { get; private set; }

    /// <summary>True once a kernel attached.</summary>
    public bool IsAttached => _sink is not null;

    /// <summary>Forked children not yet exited.</summary>
    public IReadOnlyCollection<int> Children => _children;

    /// <summary>Children the kernel watches.</summary>
    public IReadOnlyCollection<int> WatchedChildren => _watchedChildren;

    /// <summary>OS signals the kernel watches.</summary>
    public IReadOnlyCollection<string> WatchedSignals => _watchedSignals;

    /// <summary>Signals raised while nobody watched them (a real process would have taken the default action).</summary>
    public IReadOnlyList<string> UndeliveredSignals => _undelivered;

    /// <summary>True after <see cref="Dispose"/>.</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>The next fork fails with <paramref name="errno"/> (default EAGAIN).</summary>
    public void FailNextFork(int errno = 11, string error = "fork: Resource temporarily unavailable (EAGAIN)") =>
        _script.Enqueue(() => ForkResult.Failure(errno, error));

    /// <summary>The next fork returns as the child: <see cref="ProcessId"/> becomes <paramref name="childPid"/>.</summary>
    public void NextForkIsChild(int childPid) =>
        _script.Enqueue(() =>
        {
            ProcessId = childPid;
            return new ForkResult(0);
        });

    /// <summary>Adds a child the test started some other way, so <see cref="WatchChild"/> accepts it.</summary>
    public void AddChild(int pid) => _children.Add(pid);

    /// <summary>Raises OS signal <paramref name="name"/>; false (and recorded) when the kernel does not watch it.</summary>
    public bool RaiseSignal(string name)
    {
        if (_sink is null || !_watchedSignals.Contains(name))
        {
            _undelivered.Add(name);
            return false;
        }
        _sink.OnSignal(name);
        return true;
    }

    /// <summary>Child <paramref name="pid"/> exits with <paramref name="waitStatus"/> (raw, e.g. <see cref="ExitStatus"/>); false if not watched.</summary>
    public bool ExitChild(int pid, int waitStatus = 0)
    {
        _children.Remove(pid);
        if (_sink is null || !_watchedChildren.Remove(pid)) return false;
        _sink.OnChildExit(pid, waitStatus);
        return true;
    }

    /// <summary>The raw wait status of a normal exit with <paramref name="code"/>.</summary>
    public static int ExitStatus(int code) => (code & 0xff) << 8;

    /// <summary>The raw wait status of death by signal <paramref name="signal"/>.</summary>
    public static int SignalStatus(int signal) => signal & 0x7f;

    /// <inheritdoc />
    public void Attach(IProcessSink sink) => _sink = sink ?? throw new ArgumentNullException(nameof(sink));

    /// <inheritdoc />
    public ForkResult Fork()
    {
        ForkCount++;
        if (_script.TryDequeue(out var scripted)) return scripted();
        int pid = NextPid++;
        _children.Add(pid);
        return new ForkResult(pid);
    }

    /// <inheritdoc />
    public void WatchSignal(string name) => _watchedSignals.Add(name);

    /// <inheritdoc />
    public void IgnoreSignal(string name) => _watchedSignals.Remove(name);

    /// <inheritdoc />
    public bool WatchChild(int pid)
    {
        if (!_children.Contains(pid)) return false;
        _watchedChildren.Add(pid);
        return true;
    }

    /// <inheritdoc />
    public void IgnoreChild(int pid) => _watchedChildren.Remove(pid);

    /// <inheritdoc />
    public void AfterFork()
    {
        AfterForkCount++;
        _children.Clear();
        _watchedChildren.Clear();
    }

    /// <inheritdoc />
    public void Dispose() => IsDisposed = true;
}
