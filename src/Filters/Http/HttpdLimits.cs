namespace PoeSharp.Filters.Http;

/// <summary>
/// Limits and strictness settings of <see cref="HttpdFilter"/>. Each limit turns into an error
/// record (414, 431, 413) instead of a growing buffer. Defaults follow Kestrel, except the body
/// limit which keeps POE's 1 MiB <c>MaxContent</c>.
/// </summary>
public sealed record HttpdLimits
{
    /// <summary>The default limits.</summary>
    public static readonly HttpdLimits Default = new();

    /// <summary>Longest request line in bytes, including blank lines before it and its CRLF (default 8 KiB; 414).</summary>
    public int MaxRequestLineLength { get; init; } = 8 * 1024;

    /// <summary>Largest header section in bytes, field lines and the blank line (default 32 KiB; 431). Also bounds trailers.</summary>
    public int MaxHeaderBytes { get; init; } = 32 * 1024;

    /// <summary>Most header fields in one request (default 100; 431).</summary>
    public int MaxHeaderCount { get; init; } = 100;

    /// <summary>Largest body in bytes, Content-Length or the sum of chunks (default 1 MiB; 413).</summary>
    public long MaxContentLength { get; init; } = 1024 * 1024;

    /// <summary>Longest chunk-size line with its extensions (default 4 KiB; 400).</summary>
    public int MaxChunkLineLength { get; init; } = 4 * 1024;

    /// <summary>Reject HTTP/1.1 requests without a Host field, as RFC 9112 §3.2 requires (default true).</summary>
    public bool RequireHost { get; init; } = true;

    /// <summary>
    /// Answer <c>Expect: 100-continue</c> (default true): an HTTP/1.1 request head with that
    /// expectation and a body yields an <see cref="HttpContinueResponse"/> record before the request,
    /// and any other expectation yields a 417 record. When false, Expect is ignored as
    /// POE::Filter::HTTPD ignores it: the request record comes only after its body.
    /// </summary>
    public bool AutoContinue { get; init; } = true;

    /// <summary>
    /// Stream request bodies (POE::Filter::HTTPD's <c>Streaming =&gt; 1</c>; default false). When true,
    /// the <see cref="HttpRequest"/> record comes as soon as its header section is complete and, when
    /// <see cref="HttpRequest.HasBody"/>, is followed by <see cref="HttpRequestBodyPiece"/> records of
    /// at most <see cref="MaxBodyPieceBytes"/> each, the last one with
    /// <see cref="HttpRequestBodyPiece.IsFinal"/> set; a chunked body arrives de-chunked.
    /// <see cref="MaxContentLength"/> does not apply then; <see cref="MaxStreamedContentLength"/> does.
    /// </summary>
    public bool StreamBodies { get; init; }

    /// <summary>
    /// Largest <see cref="HttpRequestBodyPiece"/> when <see cref="StreamBodies"/> is true (default 64 KiB):
    /// more body bytes than this in the input give several pieces.
    /// </summary>
    public int MaxBodyPieceBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// Largest streamed body in bytes when <see cref="StreamBodies"/> is true, Content-Length or the sum
    /// of chunks (default <see cref="long.MaxValue"/>: no limit, as POE's Streaming ignores MaxContent; 413
    /// beyond it). A handler that keeps the body in memory should set it, or check
    /// <see cref="HttpRequest.ContentLength"/> and refuse.
    /// </summary>
    public long MaxStreamedContentLength { get; init; } = long.MaxValue;

    /// <summary>
    /// The most bytes the filter can ask its caller to keep before it returns a record or an error:
    /// the bound on the caller's buffer. It holds when streaming too (streamed pieces leave only framing behind).
    /// </summary>
    public long MaxBufferedBytes =>
        (long)MaxRequestLineLength + MaxHeaderBytes + MaxContentLength + ChunkFramingAllowance + MaxHeaderBytes + MaxChunkLineLength;

    /// <summary>Bytes of chunk framing (size lines and CRLFs) accepted in one body.</summary>
    internal long ChunkFramingAllowance => Math.Max(MaxHeaderBytes, MaxContentLength);

    /// <summary>The body limit in force: <see cref="MaxStreamedContentLength"/> when streaming, else <see cref="MaxContentLength"/>.</summary>
    internal long BodyLimit => StreamBodies ? MaxStreamedContentLength : MaxContentLength;

    internal void Validate()
    {
        if (MaxRequestLineLength < 16) throw new ArgumentOutOfRangeException(nameof(MaxRequestLineLength), MaxRequestLineLength, "MaxRequestLineLength must be at least 16 bytes.");
        if (MaxHeaderBytes < 2) throw new ArgumentOutOfRangeException(nameof(MaxHeaderBytes), MaxHeaderBytes, "MaxHeaderBytes must be at least 2 bytes.");
        if (MaxHeaderCount < 1) throw new ArgumentOutOfRangeException(nameof(MaxHeaderCount), MaxHeaderCount, "MaxHeaderCount must be at least 1.");
        if (MaxContentLength is < 0 or > int.MaxValue / 2) throw new ArgumentOutOfRangeException(nameof(MaxContentLength), MaxContentLength, "MaxContentLength must be between 0 and 1 GiB.");
        if (MaxChunkLineLength < 8) throw new ArgumentOutOfRangeException(nameof(MaxChunkLineLength), MaxChunkLineLength, "MaxChunkLineLength must be at least 8 bytes.");
        if (MaxBodyPieceBytes is < 1 or > int.MaxValue / 2) throw new ArgumentOutOfRangeException(nameof(MaxBodyPieceBytes), MaxBodyPieceBytes, "MaxBodyPieceBytes must be between 1 byte and 1 GiB.");
        if (MaxStreamedContentLength < 0) throw new ArgumentOutOfRangeException(nameof(MaxStreamedContentLength), MaxStreamedContentLength, "MaxStreamedContentLength must not be negative (long.MaxValue for no limit).");
    }
}
