using System.Globalization;

namespace PoeSharp.Benchmarks.Quick;

/// <summary>Prints quick-mode figures as <c>NAME: VALUE UNIT</c>, one per line.</summary>
public sealed class QuickReport
{
    private readonly TextWriter _out;

    /// <summary>Creates a report that writes to <paramref name="output"/>.</summary>
    public QuickReport(TextWriter output) => _out = output;

    /// <summary>Prints one figure.</summary>
    public void Figure(string name, double value, string unit)
    {
        string text = Math.Abs(value) >= 100 ? value.ToString("F0", CultureInfo.InvariantCulture)
                                             : value.ToString("G4", CultureInfo.InvariantCulture);
        _out.WriteLine($"{name}: {text} {unit}");
        _out.Flush();
    }

    /// <summary>Prints a note that is not a figure (a skipped peer, a setting).</summary>
    public void Note(string text)
    {
        _out.WriteLine($"# {text}");
        _out.Flush();
    }
}
