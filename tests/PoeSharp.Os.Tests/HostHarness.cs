using PoeSharp.Loop;
using PoeSharp.Processes;

namespace PoeSharp.Os.Tests;

/// <summary>A process host wired to a real epoll loop, recording what it reports.</summary>
internal sealed class HostHarness : IProcessSink, ILoopSink, IDisposable
{
    private readonly Dictionary<(int, IoMode), IReadyHandler> _handlers = new();

    public HostHarness()
    {
        Loop.Attach(this);
        Host.Attach(this);
    }

    public EpollLoop Loop { get; } = new();

    public PosixProcessHost Host { get; } = new();

    public List<(int Pid, int Status)> Exits { get; } = new();

    public List<string> Signals { get; } = new();

    public int InternalWatches => _handlers.Count;

    /// <summary>Starts a program with posix_spawn (the test host never forks); returns its pid.</summary>
    public static int Spawn(params string[] argv)
    {
        var r = PosixSpawn.Spawn(argv[0], argv);
        Assert.That(r.Ok, Is.True, () => $"posix_spawn {argv[0]}: {r.Error}");
        return r.Value;
    }

    public void OnSignal(string name) => Signals.Add(name);

    public void OnChildExit(int pid, int waitStatus) => Exits.Add((pid, waitStatus));

    public void WatchInternal(int fd, IoMode mode, IReadyHandler handler)
    {
        _handlers[(fd, mode)] = handler;
        Loop.Watch(fd, mode);
    }

    public void UnwatchInternal(int fd, IoMode mode)
    {
        _handlers.Remove((fd, mode));
        Loop.Ignore(fd, mode);
    }

    public void OnReady(int fd, IoMode mode)
    {
        if (_handlers.TryGetValue((fd, mode), out var h)) h.OnReady(fd, mode);
    }

    /// <summary>Polls until <paramref name="done"/> or 30 s (a bound for a broken build, not a timer under test; generous for a busy machine).</summary>
    public bool PollUntil(Func<bool> done)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (!done() && sw.Elapsed < TimeSpan.FromSeconds(30)) Loop.Poll(TimeSpan.FromMilliseconds(100));
        return done();
    }

    public void Dispose()
    {
        Host.Dispose();
        Loop.Dispose();
    }
}
