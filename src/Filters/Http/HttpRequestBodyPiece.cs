namespace PoeSharp.Filters.Http;

/// <summary>
/// A piece of a request body, yielded by <see cref="HttpdFilter"/> when
/// <see cref="HttpdLimits.StreamBodies"/> is true (POE::Filter::HTTPD's unblessed content blocks in
/// <c>Streaming</c> mode). The pieces follow their <see cref="HttpRequest"/> record in order; the last
/// one has <see cref="IsFinal"/> set, then the next request is parsed.
/// </summary>
/// <remarks>
/// <para><see cref="HttpMessage.Body"/> holds this piece's bytes: a copy made for this record, never a view
/// of the filter's input, so it stays valid after the caller reuses its buffer. A chunked body arrives
/// de-chunked (payload only); a piece may span several chunks or part of one, and is never longer than
/// <see cref="HttpdLimits.MaxBodyPieceBytes"/>. How the body is cut depends on how the bytes arrived;
/// the concatenation does not.</para>
/// <para>The final piece of a Content-Length body carries its last bytes; the final piece of a chunked
/// body may be empty (it is yielded when the last-chunk and the trailer section have arrived; the
/// trailer fields are in <see cref="Request"/>'s <see cref="HttpRequest.Trailers"/> by then). A request
/// without a body (<see cref="HttpRequest.HasBody"/> false) has no pieces at all.</para>
/// </remarks>
public sealed class HttpRequestBodyPiece : HttpMessage
{
    internal HttpRequestBodyPiece(HttpRequest request, byte[] data, long offset, bool isFinal) : base(request.Headers)
    {
        Request = request;
        Body = data;
        Offset = offset;
        IsFinal = isFinal;
    }

    /// <summary>The request this piece belongs to (the record that came before the pieces).</summary>
    public HttpRequest Request { get; }

    /// <summary>Where this piece starts in the (de-chunked) body: the sum of the earlier pieces' lengths.</summary>
    public long Offset { get; }

    /// <summary>True for the last piece of the body; the next record belongs to the next request.</summary>
    public bool IsFinal { get; }

    /// <summary>The request's version (setting it sets the request's).</summary>
    public override Version Version
    {
        get => Request.Version;
        set => Request.Version = value;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Body.Length} body bytes at {Offset}{(IsFinal ? " (final)" : "")} of {Request}";
}
