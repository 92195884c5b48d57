using System.Net;

namespace PoeSharp.Filters.Http;

/// <summary>
/// The record <see cref="HttpdFilter"/> yields instead of a request it rejects (POE's error
/// HTTP::Response): the right status, a short HTML-escaped body, and <see cref="CloseConnection"/>
/// always true. Put it back to the client, then close.
/// </summary>
public sealed class HttpErrorResponse : HttpResponse
{
    /// <summary>Creates the response for <paramref name="reason"/> with a short explanation.</summary>
    public HttpErrorResponse(RejectionReason reason, string detail) : base(StatusFor(reason))
    {
        Reason = reason;
        Detail = detail;
        string title = $"{StatusCode} {ReasonPhrase}";
        SetBody($"<html><head><title>{title}</title></head><body><h1>{title}</h1><p>{WebUtility.HtmlEncode(detail)}</p></body></html>\n",
                "text/html; charset=utf-8");
    }

    /// <summary>Why the request was rejected.</summary>
    public RejectionReason Reason { get; }

    /// <summary>A one-line explanation (plain text; the body carries it HTML-escaped).</summary>
    public string Detail { get; }

    /// <summary>Always true (setting it has no effect): after a framing error the rest of the stream cannot be trusted.</summary>
    public override bool CloseConnection
    {
        get => true;
        set { }
    }

    /// <summary>The status code of each reason.</summary>
    public static int StatusFor(RejectionReason reason) => reason switch
    {
        RejectionReason.UnsupportedVersion => 505,
        RejectionReason.RequestLineTooLong => 414,
        RejectionReason.HeadersTooLarge or RejectionReason.TooManyHeaders => 431,
        RejectionReason.UnsupportedTransferCoding or RejectionReason.MethodNotImplemented => 501,
        RejectionReason.LengthRequired => 411,
        RejectionReason.ContentTooLarge => 413,
        RejectionReason.ExpectationFailed => 417,
        _ => 400,
    };

    /// <inheritdoc />
    public override string ToString() => $"{base.ToString()} ({Reason}: {Detail})";
}
