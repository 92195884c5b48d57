namespace PoeSharp;

/// <summary>
/// One kind of thing a session can hold in the kernel (POE's resource modules: events, sessions,
/// aliases, signals, handles, extra references, child watches). Each keeps its own tables, its
/// per-session count, its clean-up and its leak report; the kernel asks each in turn to decide
/// whether a session may be collected, whether the kernel is idle, what to free when a session
/// stops, why a session is alive and what leaked. A new resource is one implementation added to
/// the kernel's list, not an edit in every one of those places.
/// </summary>
internal interface IKernelResource
{
    /// <summary>The references <paramref name="session"/> holds through this resource: its part of POE's refcount (0 = none keeps it alive).</summary>
    int CountFor(Session session);

    /// <summary>True while the resource holds something that keeps the program running (the idle test then queues no IDLE).</summary>
    bool KeepsKernelBusy { get; }

    /// <summary>Frees everything <paramref name="session"/> holds, quietly: the session is being stopped.</summary>
    void Release(Session session);

    /// <summary>Fills this resource's part of <paramref name="session"/>'s liveness report.</summary>
    void Describe(Session session, LivenessReport report);

    /// <summary>Adds one line to <paramref name="leaks"/> per thing still held, and per bookkeeping total that is not back to zero.</summary>
    void ReportLeaks(List<string> leaks);
}
