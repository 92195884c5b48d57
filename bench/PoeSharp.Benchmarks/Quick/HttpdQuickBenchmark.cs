using System.Diagnostics;
using PoeSharp.Benchmarks.Http;
using PoeSharp.Filters;
using PoeSharp.Filters.Http;

namespace PoeSharp.Benchmarks.Quick;

/// <summary>
/// HTTPD filter parse rate and allocation per request, one core: the TechEmpower plaintext GET
/// (target 3 M/s) and a 12-header browser GET.
/// </summary>
public sealed class HttpdQuickBenchmark : IQuickBenchmark
{
    /// <inheritdoc />
    public int Order => 210;

    /// <inheritdoc />
    public void Run(QuickReport report)
    {
        Measure(report, "httpd_parse_requests_per_s", "httpd_alloc_bytes_per_request", HttpdRequests.Plaintext);
        Measure(report, "httpd_parse_browser_requests_per_s", "httpd_browser_alloc_bytes_per_request", HttpdRequests.Browser);
    }

    private static void Measure(QuickReport report, string rateName, string allocName, byte[] request)
    {
        var filter = new HttpdFilter();
        Parse(filter, request, 200_000); // warm up and let tiered compilation settle

        const int batch = 100_000;
        long count = 0;
        using var process = Process.GetCurrentProcess();
        long allocBefore = GC.GetAllocatedBytesForCurrentThread();
        TimeSpan cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(1.5))
        {
            Parse(filter, request, batch);
            count += batch;
        }
        clock.Stop();
        process.Refresh();
        double cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocBefore;
        // On a shared machine wall time counts other tenants' work; CPU time is the one-core rate.
        report.Figure(rateName, count / cpu, "req/s");
        report.Note($"{rateName} by wall clock: {count / clock.Elapsed.TotalSeconds:F0} req/s");
        report.Figure(allocName, (double)allocated / count, "B");
    }

    private static void Parse(HttpdFilter filter, byte[] request, int n)
    {
        for (int i = 0; i < n; i++)
        {
            if (filter.TryGetOne(request, out _, out _) != DecodeStatus.Record)
                throw new InvalidOperationException("benchmark request did not parse");
        }
    }
}
