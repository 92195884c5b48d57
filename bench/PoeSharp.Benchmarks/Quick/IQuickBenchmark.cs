namespace PoeSharp.Benchmarks.Quick;

/// <summary>
/// One area's quick-mode figures. Each area adds its own implementation (one file each);
/// <see cref="QuickRunner"/> finds them by reflection and prints <c>NAME: VALUE UNIT</c> lines.
/// </summary>
public interface IQuickBenchmark
{
    /// <summary>Order of execution (lower first); kernel 100, filters 200, I/O 300, processes 400.</summary>
    int Order { get; }

    /// <summary>Runs the measurements and reports each figure through <paramref name="report"/>.</summary>
    void Run(QuickReport report);
}
