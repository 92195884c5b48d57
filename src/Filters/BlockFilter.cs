using System.Buffers;

namespace PoeSharp.Filters;

/// <summary>
/// Blocks of bytes (POE::Filter::Block): fixed-size blocks, or length-prefixed blocks ("5\0hello" with
/// POE's default codec, or any <see cref="IBlockLengthCodec"/>).
/// </summary>
/// <remarks>
/// <para>Records read are <c>byte[]</c> (the only allocation per record). Put accepts <c>byte[]</c>,
/// <c>ReadOnlyMemory&lt;byte&gt;</c>, <c>Memory&lt;byte&gt;</c> and <c>string</c> (written as UTF-8).</para>
/// <para>Fixed mode: Put writes the data as is, like POE, but rejects data whose length is not a multiple of
/// the block size (POE would silently break the framing on the reading side).</para>
/// <para>Length-prefixed mode: an announced length above <see cref="BlockFilterOptions.MaxLength"/> (1 MiB by
/// default; POE dies at 64 MiB) or a malformed prefix is a <see cref="DecodeStatus.Error"/> that consumes all the
/// input; the framing is then lost and every later call with input returns the same error until <see cref="Reset"/>.</para>
/// </remarks>
public sealed class BlockFilter : IFilter<byte[], ReadOnlyMemory<byte>>
{
    private readonly BlockFilterOptions _options;
    private readonly int _blockSize;               // 0 = length-prefixed
    private readonly IBlockLengthCodec _codec;
    private readonly int _maxLength;
    private FilterError? _error;

    /// <summary>Length-prefixed blocks with POE's "&lt;len&gt;\0" codec and a 1 MiB limit.</summary>
    public BlockFilter() : this(new BlockFilterOptions()) { }

    /// <summary>A block filter with the given options.</summary>
    /// <exception cref="ArgumentException">The options contradict each other or are out of range.</exception>
    public BlockFilter(BlockFilterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.BlockSize is int size)
        {
            if (size < 1) ThrowHelper.Argument($"BlockFilter: BlockSize must be at least 1 (got {size}); leave it null for length-prefixed blocks.", nameof(options));
            if (options.LengthCodec is not null) ThrowHelper.Argument("BlockFilter: a LengthCodec is for length-prefixed blocks; do not combine it with BlockSize.", nameof(options));
            _blockSize = size;
        }
        if (options.MaxLength < 0) ThrowHelper.Argument($"BlockFilter: MaxLength must not be negative (got {options.MaxLength}); the default is {BlockFilterOptions.DefaultMaxLength}.", nameof(options));
        _options = options;
        _codec = options.LengthCodec ?? BlockLengthCodec.Poe;
        _maxLength = options.MaxLength;
    }

    /// <inheritdoc />
    public string Name => "Block";

    /// <summary>The options this filter was made with.</summary>
    public BlockFilterOptions Options => _options;

    /// <inheritdoc />
    public FilterError? LastError { get; private set; }

    /// <inheritdoc />
    public DecodeStatus TryGetOne(ReadOnlySpan<byte> input, out byte[]? record, out int consumed)
    {
        record = null;
        consumed = 0;
        if (input.IsEmpty) return DecodeStatus.NeedMoreData;
        if (_error is not null) return Fail(input.Length, out consumed);

        if (_blockSize > 0)
        {
            if (input.Length < _blockSize) return DecodeStatus.NeedMoreData;
            record = input[.._blockSize].ToArray();
            consumed = _blockSize;
            return DecodeStatus.Record;
        }

        switch (_codec.TryDecode(input, out int length, out int prefixLength))
        {
            case OperationStatus.NeedMoreData:
                return DecodeStatus.NeedMoreData;
            case OperationStatus.Done when length >= 0 && prefixLength > 0:
                if (length > _maxLength)
                    return Broken($"block length {length} exceeds MaxLength ({_maxLength} bytes); the stream's framing is lost.", input.Length, out consumed);
                if (input.Length - prefixLength < length) return DecodeStatus.NeedMoreData;
                record = input.Slice(prefixLength, length).ToArray();
                consumed = prefixLength + length;
                return DecodeStatus.Record;
            default:
                return Broken("malformed length prefix; the stream's framing is lost.", input.Length, out consumed);
        }
    }

    private DecodeStatus Broken(string message, int inputLength, out int consumed)
    {
        _error = new FilterError(Name, message);
        return Fail(inputLength, out consumed);
    }

    private DecodeStatus Fail(int inputLength, out int consumed)
    {
        LastError = _error;
        consumed = inputLength;
        return DecodeStatus.Error;
    }

    /// <inheritdoc />
    public DecodeStatus TryGet(ReadOnlySpan<byte> input, out object? record, out int consumed)
    {
        DecodeStatus status = TryGetOne(input, out byte[]? bytes, out consumed);
        record = status == DecodeStatus.Error ? LastError : bytes;
        return status;
    }

    /// <inheritdoc />
    public void Put(ReadOnlyMemory<byte> record, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        Span<byte> span = Reserve(record.Length, output, out int prefix);
        record.Span.CopyTo(span[prefix..]);
        output.Advance(prefix + record.Length);
    }

    /// <inheritdoc />
    public void Put(object record, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        int length = BytePayload.LengthOf(record);
        if (length < 0) ThrowHelper.WrongRecordType(Name, BytePayload.Accepted, record);
        Span<byte> span = Reserve(length, output, out int prefix);
        BytePayload.CopyTo(record, span[prefix..]);
        output.Advance(prefix + length);
    }

    /// <summary>Checks the length, gets room for prefix and payload, and writes the prefix.</summary>
    private Span<byte> Reserve(int length, IBufferWriter<byte> output, out int prefix)
    {
        if (_blockSize > 0)
        {
            if (length % _blockSize != 0)
                ThrowHelper.Argument($"Block filter: Put accepts data in whole blocks of {_blockSize} bytes, not {length} bytes; pad it, or use length-prefixed blocks.", "record");
            prefix = 0;
            return output.GetSpan(Math.Max(length, 1));
        }
        Span<byte> span = output.GetSpan(_codec.MaxPrefixLength + length);
        prefix = _codec.Encode(length, span);
        return span;
    }

    /// <inheritdoc />
    public void Reset()
    {
        _error = null;
        LastError = null;
    }

    /// <inheritdoc />
    public IFilter Clone() => new BlockFilter(_options);
}
