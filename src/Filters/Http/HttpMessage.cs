using System.Text;

namespace PoeSharp.Filters.Http;

/// <summary>
/// What <see cref="HttpdFilter"/> produces: an <see cref="HttpRequest"/>, an
/// <see cref="HttpErrorResponse"/> for a request it rejected, or an <see cref="HttpContinueResponse"/>
/// for a request head that expects "100 Continue", and, when <see cref="HttpdLimits.StreamBodies"/> is
/// set, an <see cref="HttpRequestBodyPiece"/> for each piece of a request body. A handler answers "is it a response?"
/// as POE's <c>$request-&gt;isa("HTTP::Response")</c> does:
/// <code>if (record is HttpResponse error) { client.Put(error); return; }</code>
/// </summary>
public abstract class HttpMessage
{
    private protected HttpMessage(HttpHeaderCollection headers) => Headers = headers;

    /// <summary>The protocol version (HTTP/1.0 or HTTP/1.1; <see cref="System.Net.HttpVersion"/> instances).</summary>
    public abstract Version Version { get; set; }

    /// <summary>The header fields in arrival (or insertion) order.</summary>
    public HttpHeaderCollection Headers { get; }

    /// <summary>The content, never null (empty when there is none).</summary>
    public byte[] Body { get; set; } = [];

    /// <summary>The content decoded as UTF-8.</summary>
    public string BodyText => Body.Length == 0 ? "" : Encoding.UTF8.GetString(Body);

    /// <summary>The Content-Type field, or null. Setting null removes it.</summary>
    public string? ContentType
    {
        get => Headers["Content-Type"];
        set => Headers["Content-Type"] = value;
    }

    /// <summary>"HTTP/1.1" for version 1.1.</summary>
    public string VersionText => HttpVersions.Text(Version);
}
