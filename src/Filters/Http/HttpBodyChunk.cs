namespace PoeSharp.Filters.Http;

/// <summary>
/// A piece of a streamed response body, written by <see cref="HttpdFilter.Put(object, System.Buffers.IBufferWriter{byte})"/>
/// after a response whose <see cref="HttpResponse.Streamed"/> is true. The chunk with
/// <see cref="IsFinal"/> ends the body (the last-chunk <c>0\r\n\r\n</c> in chunked coding).
/// </summary>
public sealed class HttpBodyChunk
{
    /// <summary>The end of a streamed body.</summary>
    public static readonly HttpBodyChunk Final = new(ReadOnlyMemory<byte>.Empty, isFinal: true);

    /// <summary>Creates a body piece; an empty one that is not final writes nothing.</summary>
    public HttpBodyChunk(ReadOnlyMemory<byte> data, bool isFinal = false)
    {
        Data = data;
        IsFinal = isFinal;
    }

    /// <summary>Creates a body piece from UTF-8 text.</summary>
    public HttpBodyChunk(string text) : this(System.Text.Encoding.UTF8.GetBytes(text)) { }

    /// <summary>The bytes of this piece.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>True when this piece ends the body (its data, if any, is written first).</summary>
    public bool IsFinal { get; }
}
