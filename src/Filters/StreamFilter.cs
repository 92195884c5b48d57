using System.Buffers;

namespace PoeSharp.Filters;

/// <summary>
/// Bytes pass through unchanged (POE::Filter::Stream): every non-empty input is one record holding all of it.
/// </summary>
/// <remarks>
/// Records read are <c>byte[]</c>: the caller's buffer is reused after the call, so the record must own its
/// bytes, and an array is the cheapest owner (the one allocation per record). Put accepts <c>byte[]</c>,
/// <c>ReadOnlyMemory&lt;byte&gt;</c>, <c>Memory&lt;byte&gt;</c> and <c>string</c> (written as UTF-8).
/// There is no framing: record boundaries follow the reads.
/// </remarks>
public sealed class StreamFilter : IFilter<byte[], ReadOnlyMemory<byte>>
{
    /// <inheritdoc />
    public string Name => "Stream";

    /// <summary>Always null: a stream cannot be malformed.</summary>
    public FilterError? LastError => null;

    /// <inheritdoc />
    public DecodeStatus TryGetOne(ReadOnlySpan<byte> input, out byte[]? record, out int consumed)
    {
        if (input.IsEmpty)
        {
            record = null;
            consumed = 0;
            return DecodeStatus.NeedMoreData;
        }
        record = input.ToArray();
        consumed = input.Length;
        return DecodeStatus.Record;
    }

    /// <inheritdoc />
    public DecodeStatus TryGet(ReadOnlySpan<byte> input, out object? record, out int consumed)
    {
        DecodeStatus status = TryGetOne(input, out byte[]? bytes, out consumed);
        record = bytes;
        return status;
    }

    /// <inheritdoc />
    public void Put(ReadOnlyMemory<byte> record, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        BytePayload.Write(record.Span, output);
    }

    /// <inheritdoc />
    public void Put(object record, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        int length = BytePayload.LengthOf(record);
        if (length < 0) ThrowHelper.WrongRecordType(Name, BytePayload.Accepted, record);
        if (length == 0) return;
        BytePayload.CopyTo(record, output.GetSpan(length));
        output.Advance(length);
    }

    /// <inheritdoc />
    public void Reset() { }

    /// <inheritdoc />
    public IFilter Clone() => new StreamFilter();
}
