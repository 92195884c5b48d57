namespace PoeSharp.Filters.Http;

/// <summary>How the body of a parsed request head is delimited (RFC 9112 §6.3).</summary>
internal enum HttpBodyFraming
{
    /// <summary>No body: no Transfer-Encoding and no Content-Length, or Content-Length 0.</summary>
    None,

    /// <summary>Content-Length bytes.</summary>
    ContentLength,

    /// <summary>The chunked transfer coding, with trailers.</summary>
    Chunked,
}
