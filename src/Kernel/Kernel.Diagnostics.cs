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
        var report = new LivenessReport(s.Id) { IsCollectable = RefCount(s) == 0 };
        foreach (var resource in _resources) resource.Describe(s, report);
        return report;
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
    /// child watches, asking each of the kernel's resources in turn. Empty after <see cref="Run()"/>
    /// has returned normally (which warns about anything left, as POE's finalize does); tests assert
    /// it in teardown.
    /// </summary>
    public IReadOnlyList<string> FindLeaks()
    {
        CheckThread();
        return CollectLeaks();
    }

    private List<string> CollectLeaks()
    {
        var leaks = new List<string>();
        foreach (var resource in _resources) resource.ReportLeaks(leaks);
        return leaks;
    }
}
