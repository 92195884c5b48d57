namespace PoeSharp.Filters.Http;

/// <summary>Why <see cref="HttpdFilter"/> rejected a request (modelled on Kestrel's RequestRejectionReason).</summary>
public enum RejectionReason
{
    /// <summary>The request line is not <c>method SP target SP HTTP/x.y</c> (400).</summary>
    InvalidRequestLine,
    /// <summary>
    /// The request target is not origin-, absolute- or (for OPTIONS) asterisk-form, or an absolute-form
    /// target's authority is not a non-empty <c>uri-host [ ":" port ]</c> without userinfo (400).
    /// </summary>
    InvalidTarget,
    /// <summary>The protocol is not <c>HTTP/DIGIT.DIGIT</c> (400).</summary>
    InvalidVersion,
    /// <summary>A well-formed version other than HTTP/1.x (505).</summary>
    UnsupportedVersion,
    /// <summary>The request line exceeds <see cref="HttpdLimits.MaxRequestLineLength"/> (414).</summary>
    RequestLineTooLong,
    /// <summary>The header section exceeds <see cref="HttpdLimits.MaxHeaderBytes"/> (431).</summary>
    HeadersTooLarge,
    /// <summary>More fields than <see cref="HttpdLimits.MaxHeaderCount"/> (431).</summary>
    TooManyHeaders,
    /// <summary>A field line is malformed: bad name, whitespace before the colon, control characters (400).</summary>
    InvalidHeaderLine,
    /// <summary>A field line starts with whitespace (obsolete line folding, RFC 9112 §5.2) (400).</summary>
    ObsoleteLineFolding,
    /// <summary>A CR not followed by LF (400).</summary>
    BareCarriageReturn,
    /// <summary>An HTTP/1.1 request without a Host field (400).</summary>
    MissingHost,
    /// <summary>More than one Host field (400).</summary>
    MultipleHost,
    /// <summary>
    /// A Host value that is not <c>uri-host [ ":" port ]</c> (RFC 9112 §3.2, RFC 3986 §3.2): bracketed
    /// IPv6 or IPvFuture, IPv4 or reg-name, a port of at most 5 digits up to 65535, no userinfo.
    /// An empty value is valid (the target URI has no authority); an empty host with a port is not (400).
    /// </summary>
    InvalidHost,
    /// <summary>Content-Length is not a decimal number (400).</summary>
    InvalidContentLength,
    /// <summary>Several Content-Length fields with different values (400).</summary>
    ConflictingContentLength,
    /// <summary>Both Content-Length and Transfer-Encoding: a request smuggling vector (400).</summary>
    ContentLengthWithTransferEncoding,
    /// <summary>Transfer-Encoding whose final coding is not chunked, or chunked applied twice (400).</summary>
    ChunkedNotFinal,
    /// <summary>Transfer-Encoding in an HTTP/1.0 request (400, RFC 9112 §6.1).</summary>
    TransferEncodingInHttp10,
    /// <summary>A transfer coding other than chunked (gzip, deflate...) that is not implemented (501).</summary>
    UnsupportedTransferCoding,
    /// <summary>An HTTP/1.0 POST or PUT without Content-Length (411).</summary>
    LengthRequired,
    /// <summary>The body exceeds <see cref="HttpdLimits.MaxContentLength"/>, or <see cref="HttpdLimits.MaxStreamedContentLength"/> when streaming (413).</summary>
    ContentTooLarge,
    /// <summary>Malformed chunked framing: size, extension, line end or data length (400).</summary>
    InvalidChunk,
    /// <summary>A method this server does not implement at the framing level (CONNECT) (501).</summary>
    MethodNotImplemented,
    /// <summary>An HTTP/1.1 Expect field with an expectation other than 100-continue (417, RFC 9110 §10.1.1).</summary>
    ExpectationFailed,
}
