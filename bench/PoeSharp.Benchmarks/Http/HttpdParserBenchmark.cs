using BenchmarkDotNet.Attributes;
using PoeSharp.Filters;
using PoeSharp.Filters.Http;

namespace PoeSharp.Benchmarks.Http;

/// <summary>HttpdFilter.TryGetOne on whole requests, 1000 per invocation.</summary>
[MemoryDiagnoser]
public class HttpdParserBenchmark
{
    private const int Requests = 1000;
    private readonly HttpdFilter _filter = new();

    /// <summary>TechEmpower plaintext GET.</summary>
    [Benchmark(OperationsPerInvoke = Requests)]
    public int Plaintext() => Parse(HttpdRequests.Plaintext);

    /// <summary>12-header browser GET.</summary>
    [Benchmark(OperationsPerInvoke = Requests)]
    public int Browser() => Parse(HttpdRequests.Browser);

    private int Parse(byte[] request)
    {
        int total = 0;
        for (int i = 0; i < Requests; i++)
        {
            if (_filter.TryGetOne(request, out _, out int consumed) != DecodeStatus.Record) throw new InvalidOperationException("benchmark request did not parse");
            total += consumed;
        }
        return total;
    }
}
