namespace PoeSharp.Benchmarks.Quick;

/// <summary>Runs every <see cref="IQuickBenchmark"/> in the assembly, optionally filtered by name.</summary>
public static class QuickRunner
{
    /// <summary>Runs the quick benchmarks whose type name contains <paramref name="filter"/> (all when null).</summary>
    public static int Run(string? filter)
    {
        var report = new QuickReport(Console.Out);
        var benches = typeof(QuickRunner).Assembly.GetTypes()
            .Where(t => typeof(IQuickBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Where(t => filter is null || t.Name.Contains(filter, StringComparison.OrdinalIgnoreCase))
            .Select(t => (IQuickBenchmark)Activator.CreateInstance(t)!)
            .OrderBy(b => b.Order).ThenBy(b => b.GetType().Name)
            .ToList();
        foreach (var bench in benches)
        {
            report.Note(bench.GetType().Name);
            bench.Run(report);
        }
        report.Note($"done: {benches.Count} benchmark groups");
        return 0;
    }
}
