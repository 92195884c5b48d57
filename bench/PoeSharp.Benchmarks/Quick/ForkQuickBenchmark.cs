using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace PoeSharp.Benchmarks.Quick;

/// <summary>
/// Fork figures (order 400). The benchmark host never forks: it runs the fork stress program's
/// measure mode (tests/PoeSharp.ForkStress, fork-safe settings) as a separate process and
/// reports what it prints. Skipped with a note when that program has not been built.
/// </summary>
public sealed partial class ForkQuickBenchmark : IQuickBenchmark
{
    /// <inheritdoc />
    public int Order => 400;

    /// <inheritdoc />
    public void Run(QuickReport report)
    {
        string? dll = FindStressProgram();
        if (dll is null)
        {
            report.Note("fork: skipped; build tests/PoeSharp.ForkStress (-c Release) first");
            return;
        }
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("measure");
        psi.ArgumentList.Add("--samples");
        psi.ArgumentList.Add("10");
        psi.ArgumentList.Add("--burst");
        psi.ArgumentList.Add("50");
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            p.Kill();
            report.Note("fork: the measure run did not finish within 120 s");
            return;
        }
        var figures = Figure().Matches(output).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        if (p.ExitCode != 0 || figures.Count == 0)
        {
            report.Note($"fork: measure run failed (exit {p.ExitCode}): {output.Trim()} {err.Result.Trim()}");
            return;
        }
        void Report(string key, string name, string unit, double scale = 1)
        {
            if (figures.TryGetValue(key, out string? v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
                report.Figure(name, d * scale, unit);
        }
        Report("fork_ms_median", "fork_ms_median", "ms");
        Report("fork_ms_p95", "fork_ms_p95", "ms");
        // A prefork loop's cost per child in the parent (forks in a row), next to the bare clone().
        Report("burst_fork_ms_median", "fork_parent_cost_ms", "ms");
        Report("burst_fork_ms_p99", "fork_parent_cost_ms_p99", "ms");
        Report("clone_ms_median", "fork_clone_only_ms", "ms");
        Report("fork_to_accept_ms_median", "fork_to_accept_ms_median", "ms");
        Report("fork_to_accept_ms_p95", "fork_to_accept_ms_p95", "ms");
        Report("child_return_to_accept_ms_median", "child_return_to_accept_ms_median", "ms");
        Report("child_idle_pss_kb_avg", "child_idle_pss", "MB", 1 / 1024.0);
        Report("child_after_full_gc_pss_kb_avg", "child_after_full_gc_pss", "MB", 1 / 1024.0);
        Report("parent_rss_kb", "fork_parent_rss", "MB", 1 / 1024.0);
    }

    private static string? FindStressProgram()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (string config in new[] { "Release", "Debug" })
            {
                string candidate = Path.Combine(dir.FullName, "tests", "PoeSharp.ForkStress", "bin", config, "net10.0", "PoeSharp.ForkStress.dll");
                if (File.Exists(candidate)) return candidate;
            }
        }
        return null;
    }

    [GeneratedRegex(@"(\w+)=([-0-9.]+)")]
    private static partial Regex Figure();
}
