using System.Text;

namespace PoeSharp.Filters.Http;

/// <summary>
/// A response for <see cref="HttpdFilter.Put(HttpResponse, System.Buffers.IBufferWriter{byte})"/>
/// (HTTP::Response). The filter adds Date, Content-Length and Connection unless they are set.
/// </summary>
public class HttpResponse : HttpMessage
{
    private int _statusCode;
    private string? _reason;
    private Version? _version;

    /// <summary>Creates a response with an empty body.</summary>
    public HttpResponse(int statusCode = 200) : base(new HttpHeaderCollection()) => StatusCode = statusCode;

    /// <summary>Creates a response with a text body (UTF-8).</summary>
    public HttpResponse(int statusCode, string body, string contentType = "text/plain; charset=utf-8") : this(statusCode) => SetBody(body, contentType);

    /// <summary>The status code, 100 to 999.</summary>
    public int StatusCode
    {
        get => _statusCode;
        set
        {
            if (value is < 100 or > 999) throw new ArgumentOutOfRangeException(nameof(value), value, "A status code has three digits (100 to 999).");
            _statusCode = value;
        }
    }

    /// <summary>The reason phrase; the standard one for <see cref="StatusCode"/> unless set.</summary>
    public string ReasonPhrase
    {
        get => _reason ?? HttpStatusText.For(_statusCode);
        set
        {
            if (value is not null && value.AsSpan().ContainsAny("\r\n")) throw new ArgumentException("A reason phrase cannot contain CR or LF.", nameof(value));
            _reason = value;
        }
    }

    /// <summary>The request this answers: gives the default version and suppresses the body for HEAD.</summary>
    public HttpRequest? Request { get; set; }

    /// <summary>The version; unless set, HTTP/1.0 for an HTTP/1.0 <see cref="Request"/>, else HTTP/1.1.</summary>
    public override Version Version
    {
        get => _version ?? (Request is { } r && HttpVersions.IsHttp10(r.Version) ? System.Net.HttpVersion.Version10 : System.Net.HttpVersion.Version11);
        set => _version = value;
    }

    /// <summary>True when the connection closes after this response: Put writes <c>Connection: close</c>.</summary>
    public virtual bool CloseConnection { get; set; }

    /// <summary>
    /// True for a 1xx status: an interim response (such as <see cref="HttpContinueResponse"/>) that
    /// precedes the final response to the same request. Put writes only its status line, its own
    /// header fields and the blank line (no Date, Content-Length or Connection), and the caller
    /// keeps the connection open after flushing it.
    /// </summary>
    public bool IsInterim => _statusCode < 200;

    /// <summary>
    /// True when the body follows as <see cref="HttpBodyChunk"/> records: Put writes the head with
    /// <c>Transfer-Encoding: chunked</c> (HTTP/1.1) or without a length and with <c>Connection: close</c> (HTTP/1.0).
    /// </summary>
    public bool Streamed { get; set; }

    /// <summary>Sets a UTF-8 text body and its Content-Type.</summary>
    public HttpResponse SetBody(string text, string contentType = "text/plain; charset=utf-8")
    {
        Body = Encoding.UTF8.GetBytes(text);
        ContentType = contentType;
        return this;
    }

    /// <summary>Sets a binary body and, when given, its Content-Type.</summary>
    public HttpResponse SetBody(byte[] body, string? contentType = null)
    {
        Body = body ?? throw new ArgumentNullException(nameof(body));
        if (contentType is not null) ContentType = contentType;
        return this;
    }

    /// <inheritdoc />
    public override string ToString() => $"{VersionText} {StatusCode} {ReasonPhrase}";
}
