using System.Text;
using PoeSharp.Loop;

namespace PoeSharp;

/// <summary>
/// Why a session is still alive: one entry per cause of POE's refcount (§1.3).
/// <see cref="ToString"/> gives "session 3: 1 event queued, 1 timer, alias 'x', fd 7 read".
/// </summary>
public sealed class LivenessReport
{
    internal LivenessReport(int sessionId) => SessionId = sessionId;

    /// <summary>The session's ID.</summary>
    public int SessionId { get; }

    /// <summary>Queued events (not timers) addressed to the session.</summary>
    public int EventsQueued { get; internal set; }

    /// <summary>Queued events the session sent to other sessions.</summary>
    public int EventsSent { get; internal set; }

    /// <summary>Pending timers.</summary>
    public int Timers { get; internal set; }

    /// <summary>Child sessions.</summary>
    public int Children { get; internal set; }

    /// <summary>Aliases.</summary>
    public IReadOnlyList<string> Aliases { get; internal set; } = [];

    /// <summary>Watched descriptors and modes (paused ones included).</summary>
    public IReadOnlyList<(int Fd, IoMode Mode)> Descriptors { get; internal set; } = [];

    /// <summary>Extra references by tag.</summary>
    public IReadOnlyDictionary<string, int> ExtraRefs { get; internal set; } = new Dictionary<string, int>();

    /// <summary>Child pids watched with <c>SigChild</c>.</summary>
    public IReadOnlyList<int> SigChildPids { get; internal set; } = [];

    /// <summary>True when nothing keeps the session alive (it will be stopped at the next sweep).</summary>
    public bool IsCollectable { get; internal init; }

    /// <inheritdoc />
    public override string ToString()
    {
        var parts = new List<string>();
        if (EventsQueued > 0) parts.Add(Plural(EventsQueued, "event") + " queued");
        if (EventsSent > 0) parts.Add(Plural(EventsSent, "event") + " sent");
        if (Timers > 0) parts.Add(Plural(Timers, "timer"));
        foreach (var alias in Aliases) parts.Add($"alias '{alias}'");
        foreach (var (fd, mode) in Descriptors) parts.Add($"fd {fd} {mode.ToString().ToLowerInvariant()}");
        if (Children > 0) parts.Add(Plural(Children, "child", "children"));
        foreach (var (tag, count) in ExtraRefs) parts.Add($"extra ref '{tag}' x{count}");
        foreach (var pid in SigChildPids) parts.Add($"sig_child {pid}");
        var sb = new StringBuilder().Append("session ").Append(SessionId).Append(": ");
        sb.Append(parts.Count == 0 ? "nothing (collectable)" : string.Join(", ", parts));
        return sb.ToString();
    }

    private static string Plural(int n, string one, string? many = null) => n == 1 ? $"1 {one}" : $"{n} {many ?? one + "s"}";
}
