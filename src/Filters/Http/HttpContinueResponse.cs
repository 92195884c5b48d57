namespace PoeSharp.Filters.Http;

/// <summary>
/// The interim record <see cref="HttpdFilter"/> yields when an HTTP/1.1 request head with
/// <c>Expect: 100-continue</c> and a body is complete: "100 Continue" (RFC 9110 §10.1.1, §15.2.1).
/// It is an <see cref="HttpResponse"/>, so the usual handler rule "a response record is put back"
/// sends <c>HTTP/1.1 100 Continue</c> and the client starts its body; the full
/// <see cref="HttpRequest"/> record follows once the body has arrived (with
/// <see cref="HttpdLimits.StreamBodies"/>, at once, and the body pieces after it).
/// </summary>
/// <remarks>
/// <see cref="HttpResponse.IsInterim"/> is true and <see cref="CloseConnection"/> is always false:
/// after flushing this record the connection must stay open for the request and its final response.
/// To refuse the body instead, put a final response (for example 417 or 401) with
/// <see cref="HttpResponse.CloseConnection"/> set, in place of this record, and close after flushing it.
/// </remarks>
public sealed class HttpContinueResponse : HttpResponse
{
    internal HttpContinueResponse(HttpRequest request) : base(100) => Request = request;

    /// <summary>Always false (setting it has no effect): an interim response never ends the connection.</summary>
    public override bool CloseConnection
    {
        get => false;
        set { }
    }

    /// <inheritdoc />
    public override string ToString() => $"{base.ToString()} (for {Request})";
}
