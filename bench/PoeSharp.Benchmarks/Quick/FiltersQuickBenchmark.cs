using System.Buffers;
using System.Diagnostics;
using System.Text;
using PoeSharp.Filters;

namespace PoeSharp.Benchmarks.Quick;

/// <summary>
/// Filter throughput and allocation, decoding records from one large buffer the way a wheel does
/// (TryGetOne, advance by the consumed count). Figures: records per second and bytes allocated per record.
/// </summary>
public sealed class FiltersQuickBenchmark : IQuickBenchmark
{
    private const int Lines = 200_000;

    /// <inheritdoc />
    public int Order => 200;

    /// <inheritdoc />
    public void Run(QuickReport report)
    {
        // 40-byte lines, CRLF-terminated: a typical text protocol.
        byte[] lineInput = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("PRIVMSG #poe :hello from the benchmark\r\n", Lines)));
        var line = new LineFilter();
        Measure(report, "line_filter", Lines, () => DecodeLines(line, lineInput));

        var block = new BlockFilter();
        var writer = new ArrayBufferWriter<byte>();
        byte[] payload = new byte[64];
        for (int i = 0; i < Lines; i++) block.Put(new ReadOnlyMemory<byte>(payload), writer);
        byte[] blockInput = writer.WrittenSpan.ToArray();
        Measure(report, "block_filter", Lines, () => DecodeBlocks(block, blockInput));

        var put = new ArrayBufferWriter<byte>(Lines * 48);
        const string text = "PRIVMSG #poe :hello from the benchmark";
        Measure(report, "line_filter_put", Lines, () =>
        {
            put.ResetWrittenCount();
            for (int i = 0; i < Lines; i++) line.Put(text, put);
            return Lines;
        });
    }

    private static void Measure(QuickReport report, string name, int records, Func<int> run)
    {
        run(); // warm up: JIT and tiering
        run();
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        const int rounds = 3;
        int total = 0;
        for (int i = 0; i < rounds; i++) total += run();
        watch.Stop();
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        if (total != records * rounds) throw new InvalidOperationException($"{name}: decoded {total} records, expected {records * rounds}.");
        report.Figure($"{name}_records_per_s", total / watch.Elapsed.TotalSeconds, "records/s");
        report.Figure($"{name}_alloc_bytes_per_record", (double)allocated / total, "B/record");
    }

    private static int DecodeLines(LineFilter filter, byte[] input)
    {
        int offset = 0, count = 0;
        while (filter.TryGetOne(input.AsSpan(offset), out string? _, out int consumed) == DecodeStatus.Record)
        {
            offset += consumed;
            count++;
        }
        return count;
    }

    private static int DecodeBlocks(BlockFilter filter, byte[] input)
    {
        int offset = 0, count = 0;
        while (filter.TryGetOne(input.AsSpan(offset), out byte[]? _, out int consumed) == DecodeStatus.Record)
        {
            offset += consumed;
            count++;
        }
        return count;
    }
}
