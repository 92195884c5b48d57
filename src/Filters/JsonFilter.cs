using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace PoeSharp.Filters;

/// <summary>
/// .NET objects as JSON (the counterpart of POE::Filter::Reference, which freezes Perl data with Storable).
/// Each record is a 4-byte big-endian length (<see cref="BlockLengthCodec.BigEndian32"/>) followed by that
/// many bytes of UTF-8 JSON written by System.Text.Json.
/// </summary>
/// <remarks>
/// <para>A binary length is used rather than POE's "&lt;len&gt;\0" because it is fixed-size and no Perl peer
/// can read JSON-in-Reference anyway.</para>
/// <para>Errors are records, never exceptions (unlike POE's Reference without <c>NoFatals</c>): a frame whose
/// JSON is malformed or does not fit <typeparamref name="T"/> is a <see cref="DecodeStatus.Error"/> that
/// consumes just that frame, so the next frame still decodes. A length above <see cref="MaxLength"/> (1 MiB by
/// default) loses the framing: the error consumes all the input and repeats for any later input until
/// <see cref="Reset"/>.</para>
/// <para>The JSON <c>null</c> decodes to a null record. Put reuses an internal buffer, so a filter must not be
/// used from two threads at once (no filter may).</para>
/// </remarks>
/// <typeparam name="T">The type of the records, both ways.</typeparam>
public sealed class JsonFilter<T> : IFilter<T, T>
{
    /// <summary>The default <see cref="MaxLength"/>: 1 MiB.</summary>
    public const int DefaultMaxLength = 1024 * 1024;

    private const int ScratchKeepLimit = 64 * 1024;
    private static readonly IBlockLengthCodec Codec = BlockLengthCodec.BigEndian32;

    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly int _maxLength;
    private ArrayBufferWriter<byte>? _scratch;
    private Utf8JsonWriter? _writer;
    private FilterError? _framingError;

    /// <summary>A JSON filter with System.Text.Json's default options and a 1 MiB limit.</summary>
    public JsonFilter() : this(JsonSerializerOptions.Default, DefaultMaxLength) { }

    /// <summary>A JSON filter with the given serializer options (copied; null means the defaults).</summary>
    /// <exception cref="ArgumentException"><paramref name="maxLength"/> is negative.</exception>
    public JsonFilter(JsonSerializerOptions? serializerOptions, int maxLength = DefaultMaxLength)
        : this(TypeInfoFrom(serializerOptions), maxLength) { }

    /// <summary>A JSON filter using <paramref name="typeInfo"/> (from a source-generated context: no reflection).</summary>
    /// <exception cref="ArgumentException"><paramref name="typeInfo"/> is null or <paramref name="maxLength"/> is negative.</exception>
    public JsonFilter(JsonTypeInfo<T> typeInfo, int maxLength = DefaultMaxLength)
    {
        if (typeInfo is null) ThrowHelper.Argument("JsonFilter needs a JsonTypeInfo<T>, e.g. MyJsonContext.Default.MyType.", nameof(typeInfo));
        if (maxLength < 0) ThrowHelper.Argument($"JsonFilter: maxLength must not be negative (got {maxLength}); the default is {DefaultMaxLength}.", nameof(maxLength));
        _typeInfo = typeInfo;
        _maxLength = maxLength;
    }

    private static JsonTypeInfo<T> TypeInfoFrom(JsonSerializerOptions? options)
    {
        var copy = new JsonSerializerOptions(options ?? JsonSerializerOptions.Default);
        copy.TypeInfoResolver ??= new DefaultJsonTypeInfoResolver();
        copy.MakeReadOnly();
        return (JsonTypeInfo<T>)copy.GetTypeInfo(typeof(T));
    }

    /// <inheritdoc />
    public string Name => "Json";

    /// <summary>The largest JSON payload accepted, in bytes.</summary>
    public int MaxLength => _maxLength;

    /// <inheritdoc />
    public FilterError? LastError { get; private set; }

    /// <inheritdoc />
    public DecodeStatus TryGetOne(ReadOnlySpan<byte> input, out T? record, out int consumed)
    {
        record = default;
        consumed = 0;
        if (input.IsEmpty) return DecodeStatus.NeedMoreData;
        if (_framingError is not null) return Fail(_framingError, input.Length, out consumed);

        switch (Codec.TryDecode(input, out int length, out int prefixLength))
        {
            case OperationStatus.NeedMoreData:
                return DecodeStatus.NeedMoreData;
            case OperationStatus.Done when length <= _maxLength:
                break;
            default:
                _framingError = new FilterError(Name, $"record length exceeds MaxLength ({_maxLength} bytes); the stream's framing is lost.");
                return Fail(_framingError, input.Length, out consumed);
        }
        if (input.Length - prefixLength < length) return DecodeStatus.NeedMoreData;

        int frame = prefixLength + length;
        try
        {
            record = JsonSerializer.Deserialize(input.Slice(prefixLength, length), _typeInfo);
        }
        catch (JsonException ex)
        {
            // The frame was intact, so only this record is lost.
            return Fail(new FilterError(Name, $"malformed JSON for {typeof(T).Name}: {ex.Message}"), frame, out consumed);
        }
        consumed = frame;
        return DecodeStatus.Record;
    }

    private DecodeStatus Fail(FilterError error, int length, out int consumed)
    {
        LastError = error;
        consumed = length;
        return DecodeStatus.Error;
    }

    /// <inheritdoc />
    public DecodeStatus TryGet(ReadOnlySpan<byte> input, out object? record, out int consumed)
    {
        DecodeStatus status = TryGetOne(input, out T? value, out consumed);
        record = status == DecodeStatus.Error ? LastError : value;
        return status;
    }

    /// <inheritdoc />
    public void Put(T record, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArrayBufferWriter<byte> scratch = _scratch ??= new ArrayBufferWriter<byte>(256);
        scratch.ResetWrittenCount();
        Utf8JsonWriter writer = _writer ??= new Utf8JsonWriter(scratch, new JsonWriterOptions { Encoder = _typeInfo.Options.Encoder });
        writer.Reset(scratch);
        JsonSerializer.Serialize(writer, record, _typeInfo);
        writer.Flush();

        ReadOnlySpan<byte> json = scratch.WrittenSpan;
        Span<byte> span = output.GetSpan(Codec.MaxPrefixLength + json.Length);
        int prefix = Codec.Encode(json.Length, span);
        json.CopyTo(span[prefix..]);
        output.Advance(prefix + json.Length);

        if (scratch.Capacity > ScratchKeepLimit)
        {
            // Do not keep a huge buffer alive for the filter's lifetime because of one big record.
            _scratch = null;
            _writer = null;
        }
    }

    /// <inheritdoc />
    public void Put(object record, IBufferWriter<byte> output)
    {
        if (record is not T value) { ThrowHelper.WrongRecordType(Name, typeof(T).FullName ?? typeof(T).Name, record); return; }
        Put(value, output);
    }

    /// <inheritdoc />
    public void Reset()
    {
        _framingError = null;
        LastError = null;
    }

    /// <inheritdoc />
    public IFilter Clone() => new JsonFilter<T>(_typeInfo, _maxLength);
}
