using PoeSharp.Filters.Http;

namespace PoeSharp.Filters.Tests.Http;

/// <summary>What feeding a byte stream to an <see cref="HttpdFilter"/> produced.</summary>
internal sealed record FeedResult(List<HttpMessage> Records, List<FilterError> Errors, int Leftover, int MaxBuffered);

/// <summary>
/// Plays the wheel: appends each piece to a buffer, drains records with TryGetOne, drops what was
/// consumed, and keeps the rest for the next piece.
/// </summary>
internal static class HttpFeeder
{
    public static FeedResult Feed(HttpdFilter filter, IEnumerable<ReadOnlyMemory<byte>> pieces)
    {
        var records = new List<HttpMessage>();
        var errors = new List<FilterError>();
        byte[] buffer = new byte[256];
        int length = 0, maxBuffered = 0;
        foreach (ReadOnlyMemory<byte> piece in pieces)
        {
            if (length + piece.Length > buffer.Length) Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + piece.Length));
            piece.Span.CopyTo(buffer.AsSpan(length));
            length += piece.Length;
            while (true)
            {
                DecodeStatus status = filter.TryGetOne(buffer.AsSpan(0, length), out HttpMessage? record, out int consumed);
                // Plain checks: this loop runs millions of times under the fuzz test.
                if ((uint)consumed > (uint)length) Assert.Fail($"consumed {consumed} is outside the input of {length} bytes");
                if (status == DecodeStatus.NeedMoreData)
                {
                    if (consumed != 0) Assert.Fail("NeedMoreData must consume nothing");
                    maxBuffered = Math.Max(maxBuffered, length);
                    break;
                }
                if (status == DecodeStatus.Record) records.Add(record!);
                else errors.Add(filter.LastError!);
                buffer.AsSpan(consumed, length - consumed).CopyTo(buffer);
                length -= consumed;
                if (length == 0) break;
            }
        }
        return new FeedResult(records, errors, length, maxBuffered);
    }

    public static FeedResult Feed(HttpdFilter filter, byte[] data, Delivery delivery) => Feed(filter, Split(data, delivery));

    public static IEnumerable<ReadOnlyMemory<byte>> Split(byte[] data, Delivery delivery) => delivery.Mode switch
    {
        "bytes" => Enumerable.Range(0, data.Length).Select(i => (ReadOnlyMemory<byte>)data.AsMemory(i, 1)),
        "split" => SplitAt(data, delivery.Offsets),
        _ => [data],
    };

    /// <summary>The data cut at one point: two pieces.</summary>
    public static IEnumerable<ReadOnlyMemory<byte>> SplitOnce(byte[] data, int at) => [data.AsMemory(0, at), data.AsMemory(at)];

    private static IEnumerable<ReadOnlyMemory<byte>> SplitAt(byte[] data, IReadOnlyList<int> offsets)
    {
        int start = 0;
        foreach (int at in offsets.Where(o => o > 0 && o < data.Length).Order())
        {
            yield return data.AsMemory(start, at - start);
            start = at;
        }
        yield return data.AsMemory(start);
    }
}

/// <summary>How the bytes arrive: all at once, one by one, or cut at offsets.</summary>
internal sealed record Delivery(string Mode, IReadOnlyList<int> Offsets)
{
    public static readonly Delivery All = new("all", []);
    public static readonly Delivery Bytes = new("bytes", []);
}
