namespace PoeSharp.Os;

/// <summary>
/// The result of <see cref="ForkSafety.Check"/>: what stops this process from forking safely,
/// each item saying exactly what to change, plus advice that does not block a fork.
/// </summary>
public sealed class ForkReadiness
{
    internal ForkReadiness(IReadOnlyList<string> problems, IReadOnlyList<string> warnings)
    {
        Problems = problems;
        Warnings = warnings;
    }

    /// <summary>True when nothing blocks a fork.</summary>
    public bool IsReady => Problems.Count == 0;

    /// <summary>Settings that make a forked child crash or hang, with the fix for each.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>Things that work but lose something (e.g. OS signals not blocked process-wide).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <inheritdoc />
    public override string ToString() =>
        IsReady ? "fork-ready" + (Warnings.Count > 0 ? "; " + string.Join("; ", Warnings) : "")
                : "not fork-ready:\n  - " + string.Join("\n  - ", Problems);
}
