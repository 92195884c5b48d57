using PoeSharp.Loop;
using PoeSharp.Resources;

namespace PoeSharp;

public sealed partial class Kernel
{
    /// <summary>Why <paramref name="session"/> is still alive, e.g. "session 3: 1 event queued, 1 timer, alias 'x', fd 7 read".</summary>
    public string Explain(SessionRef session)
    {
        CheckThread();
        return GetLiveness(session)?.ToString() ?? $"{session}: no such session";
    }

    /// <summary>The structured form of <see cref="Explain"/>; null for an unknown session.</summary>
    public LivenessReport? GetLiveness(SessionRef session)
    {
        CheckThread();
        if (!TryResolve(session, out var s) || s.IsKernel || s.State == SessionState.Stopped) return null;
        var fds = new List<(int, IoMode)>();
        if (s.FdModes is { } map)
            foreach (var (fd, mask) in map.OrderBy(p => p.Key))
                for (int m = 0; m < 3; m++)
                    if ((mask & (1 << m)) != 0) fds.Add((fd, (IoMode)m));
        return new LivenessReport(s.Id)
        {
            EventsQueued = s.EventsTo - s.TimerCount,
            EventsSent = s.EventsFrom,
            Timers = s.TimerCount,
            Children = s.ChildCount,
            Aliases = s.Aliases?.ToArray() ?? [],
            Descriptors = fds,
            ExtraRefs = s.Extrefs is null ? new Dictionary<string, int>() : new Dictionary<string, int>(s.Extrefs),
            SigChildPids = s.SigChildren?.Keys.Order().ToArray() ?? [],
        };
    }

    /// <summary>
    /// Every pending timer, in the order they will fire (due time, then the order they were set),
    /// internal ones included. A snapshot built when read: later changes to the queue do not show.
    /// </summary>
    public IReadOnlyList<PendingTimer> Timers
    {
        get
        {
            CheckThread();
            var raw = new List<QueueItem>();
            _queue.ForEachTimer(raw, static (l, it) => l.Add(it));
            raw.Sort(static (a, b) => a.Due != b.Due ? a.Due.CompareTo(b.Due) : a.Seq.CompareTo(b.Seq));
            return raw.ConvertAll(it => new PendingTimer(it.TimerId, it.Dest, it.Event, MonoToWall(it.Due),
                                                         Array.AsReadOnly(it.Args), it.Due));
        }
    }

    /// <summary>
    /// Everything still held by the kernel: sessions, queued items, aliases, watchers, signal and
    /// child watches. Empty after <see cref="Run()"/> has returned normally; tests assert it in teardown.
    /// </summary>
    public IReadOnlyList<string> FindLeaks()
    {
        CheckThread();
        var leaks = new List<string>();
        foreach (var s in Sessions) leaks.Add("live " + Explain(s));
        if (_queue.Count > 0)
        {
            var items = new List<string>();
            _queue.ForEachFifo(items, static (l, it) => l.Add($"{it.Kind} '{it.Event}' to {it.Dest}"));
            _queue.ForEachTimer(items, static (l, it) => l.Add($"timer '{it.Event}' of {it.Dest}"));
            leaks.Add($"{_queue.Count} queued item(s): {string.Join(", ", items.Take(10))}");
        }
        foreach (var (alias, s) in _aliases) leaks.Add($"alias '{alias}' of {s}");
        foreach (var w in _watchers.Values)
            if (!w.Internal) leaks.Add($"fd {w.Fd} {w.Mode} watched by {w.Owner}");
        foreach (var (name, watchers) in _sigWatchers)
            if (watchers.Count > 0) leaks.Add($"signal {name} watched by {watchers.Count} session(s)");
        foreach (var (pid, watchers) in _pidWatchers) leaks.Add($"child {pid} watched by {watchers.Count} session(s)");
        if (_extrefTotal != 0) leaks.Add($"{_extrefTotal} extra-ref tag(s) not released");
        if (_internalQueued != 0) leaks.Add($"internal queue count {_internalQueued} (bookkeeping error)");
        if (_userWatchCount != 0) leaks.Add($"user watch count {_userWatchCount} (bookkeeping error)");
        if (_sigChildTotal != 0) leaks.Add($"sig_child count {_sigChildTotal} (bookkeeping error)");
        if (_kernelSession.Children is { Count: > 0 } top) leaks.Add($"{top.Count} top-level session(s) still listed");
        return leaks;
    }
}
