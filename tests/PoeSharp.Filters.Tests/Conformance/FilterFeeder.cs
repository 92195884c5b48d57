using System.Buffers;

namespace PoeSharp.Filters.Tests.Conformance;

/// <summary>
/// Feeds bytes to an <see cref="IFilter"/> exactly as a ReadWrite wheel does: it keeps the bytes the filter
/// has not consumed, appends each new chunk at the end, and calls <see cref="IFilter.TryGet"/> until the filter
/// answers <see cref="DecodeStatus.NeedMoreData"/>. It also checks the decoding contract on every call and
/// throws <see cref="InvalidOperationException"/> when the filter breaks it (consumed out of range,
/// <see cref="DecodeStatus.NeedMoreData"/> that consumed bytes, an <see cref="DecodeStatus.Error"/> record that
/// is not a <see cref="FilterError"/>, endless zero-byte records).
/// </summary>
/// <remarks>
/// Every method returns the records in order. An <see cref="DecodeStatus.Error"/> is returned as its
/// <see cref="FilterError"/> record; by default feeding stops there (a wheel closes the stream), so the error
/// is the last element. Pass <c>continueAfterError: true</c> to drop the consumed bytes and keep going.
/// </remarks>
public static class FilterFeeder
{
    private const int MaxZeroByteRecordsInARow = 10_000;

    /// <summary>
    /// Feeds <paramref name="input"/> in consecutive chunks of the given sizes; the bytes left over after the
    /// last size form one final chunk. Sizes of 0 are allowed (an empty read: the filter is called again).
    /// </summary>
    /// <example><c>Feed(filter, bytes, [3])</c> feeds bytes[..3] then bytes[3..].</example>
    public static List<object?> Feed(IFilter filter, ReadOnlySpan<byte> input, IEnumerable<int> chunkSizes,
                                     bool continueAfterError = false)
    {
        ArgumentNullException.ThrowIfNull(chunkSizes);
        var chunks = new List<byte[]>();
        int offset = 0;
        foreach (int size in chunkSizes)
        {
            if (size < 0 || size > input.Length - offset)
                throw new ArgumentOutOfRangeException(nameof(chunkSizes), $"Chunk size {size} at offset {offset} does not fit an input of {input.Length} bytes.");
            chunks.Add(input.Slice(offset, size).ToArray());
            offset += size;
        }
        if (offset < input.Length) chunks.Add(input[offset..].ToArray());
        return FeedChunks(filter, chunks, out _, continueAfterError);
    }

    /// <summary>Feeds the whole input as one chunk.</summary>
    public static List<object?> FeedWhole(IFilter filter, ReadOnlySpan<byte> input, bool continueAfterError = false)
        => FeedChunks(filter, [input.ToArray()], out _, continueAfterError);

    /// <summary>Feeds <c>input[..splitPoint]</c>, then <c>input[splitPoint..]</c>.</summary>
    public static List<object?> FeedSplitAt(IFilter filter, ReadOnlySpan<byte> input, int splitPoint, bool continueAfterError = false)
        => Feed(filter, input, [splitPoint], continueAfterError);

    /// <summary>Feeds the input one byte per chunk.</summary>
    public static List<object?> FeedBytewise(IFilter filter, ReadOnlySpan<byte> input, bool continueAfterError = false)
    {
        var chunks = new List<byte[]>(input.Length);
        foreach (byte b in input) chunks.Add([b]);
        return FeedChunks(filter, chunks, out _, continueAfterError);
    }

    /// <summary>
    /// Feeds the given chunks in order. <paramref name="unconsumed"/> receives the bytes the filter left
    /// in the buffer at the end (a partial record, or what followed an error when feeding stopped there).
    /// </summary>
    public static List<object?> FeedChunks(IFilter filter, IEnumerable<byte[]> chunks, out byte[] unconsumed,
                                           bool continueAfterError = false)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(chunks);
        var records = new List<object?>();
        byte[] buffer = new byte[256];
        int length = 0;
        foreach (byte[] chunk in chunks)
        {
            if (buffer.Length - length < chunk.Length)
                Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + chunk.Length));
            chunk.CopyTo(buffer, length);
            length += chunk.Length;

            int zeroByteRecords = 0;
            while (true)
            {
                DecodeStatus status = filter.TryGet(buffer.AsSpan(0, length), out object? record, out int consumed);
                if (consumed < 0 || consumed > length)
                    throw new InvalidOperationException($"{filter.Name}: consumed {consumed} of {length} bytes.");
                if (status == DecodeStatus.NeedMoreData)
                {
                    if (consumed != 0)
                        throw new InvalidOperationException($"{filter.Name}: NeedMoreData consumed {consumed} bytes; it must consume none.");
                    break;
                }
                if (status == DecodeStatus.Error && record is not FilterError)
                    throw new InvalidOperationException($"{filter.Name}: an Error record must be a FilterError, got {record?.GetType().Name ?? "null"}.");
                if (status is not (DecodeStatus.Record or DecodeStatus.Error))
                    throw new InvalidOperationException($"{filter.Name}: unknown status {status}.");

                records.Add(record);
                Buffer.BlockCopy(buffer, consumed, buffer, 0, length - consumed);
                length -= consumed;
                if (status == DecodeStatus.Error && !continueAfterError)
                {
                    unconsumed = buffer.AsSpan(0, length).ToArray();
                    return records;
                }
                zeroByteRecords = consumed == 0 ? zeroByteRecords + 1 : 0;
                if (zeroByteRecords > MaxZeroByteRecordsInARow)
                    throw new InvalidOperationException($"{filter.Name}: {MaxZeroByteRecordsInARow} records in a row consumed no bytes.");
            }
        }
        unconsumed = buffer.AsSpan(0, length).ToArray();
        return records;
    }

    /// <summary>Serialises <paramref name="records"/> with <see cref="IFilter.Put"/> into one byte array.</summary>
    public static byte[] PutAll(IFilter filter, IEnumerable<object> records)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(records);
        var writer = new ArrayBufferWriter<byte>();
        foreach (object record in records) filter.Put(record, writer);
        return writer.WrittenSpan.ToArray();
    }
}
