namespace PoeSharp.Examples;

/// <summary>
/// The original's <c>DEBUG and warn ...</c>: one line per message on stderr when enabled. Callers
/// test <see cref="Enabled"/> first so that a quiet server formats nothing.
/// </summary>
internal sealed class DebugLog(TextWriter writer, bool enabled)
{
    /// <summary>True when debug messages are printed (DEBUG, <c>--debug</c>).</summary>
    public bool Enabled { get; } = enabled;

    /// <summary>Writes <paramref name="line"/> when enabled.</summary>
    public void Debug(string line)
    {
        if (Enabled) writer.WriteLine(line);
    }

    /// <summary>Writes <paramref name="line"/> whatever the setting (the original's unconditional <c>warn</c>).</summary>
    public void Always(string line) => writer.WriteLine(line);
}
