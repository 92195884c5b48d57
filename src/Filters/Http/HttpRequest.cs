namespace PoeSharp.Filters.Http;

/// <summary>A parsed HTTP request (HTTP::Request).</summary>
public sealed class HttpRequest : HttpMessage
{
    private Version _version;
    private Uri? _uri;
    private HttpHeaderCollection? _trailers;

    /// <summary>Creates a request, e.g. for tests or for a client.</summary>
    /// <param name="method">A token such as "GET".</param>
    /// <param name="target">The request-target as sent: "/path?query", "http://host/path" or "*".</param>
    /// <param name="version">HTTP/1.1 when null.</param>
    public HttpRequest(string method, string target, Version? version = null) : this(method, target, version ?? System.Net.HttpVersion.Version11, new HttpHeaderCollection())
    {
        if (!HttpChars.IsToken(method)) throw new ArgumentException($"Method '{method}' is not an HTTP token.", nameof(method));
        if (string.IsNullOrEmpty(target) || target.AsSpan().ContainsAny(" \r\n\t"))
            throw new ArgumentException("Target must be non-empty and contain no whitespace, e.g. \"/index.html\".", nameof(target));
    }

    internal HttpRequest(string method, string target, Version version, HttpHeaderCollection headers) : base(headers)
    {
        Method = method;
        Target = target;
        _version = version;
    }

    /// <summary>The method exactly as sent ("GET", "POST", any token).</summary>
    public string Method { get; }

    /// <summary>The request-target exactly as sent.</summary>
    public string Target { get; }

    /// <inheritdoc />
    public override Version Version
    {
        get => _version;
        set => _version = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The path part of the target (before '?'), "*" for asterisk-form.</summary>
    public string Path
    {
        get
        {
            if (Target[0] != '/') return Target == "*" ? "*" : Uri.AbsolutePath;
            int q = Target.IndexOfAny(['?', '#']);
            return q < 0 ? Target : Target[..q];
        }
    }

    /// <summary>The query including its '?', or "".</summary>
    public string Query
    {
        get
        {
            int q = Target.IndexOf('?');
            if (q < 0) return "";
            int f = Target.IndexOf('#', q);
            return f < 0 ? Target[q..] : Target[q..f];
        }
    }

    /// <summary>
    /// The target as an absolute URI: absolute-form as sent, otherwise <c>http://{Host}{Target}</c>
    /// (<c>http://localhost</c> when Host is missing). Parsed on first use.
    /// </summary>
    public Uri Uri => _uri ??= BuildUri();

    /// <summary>Trailer fields of a chunked body (empty when none).</summary>
    public HttpHeaderCollection Trailers
    {
        get => _trailers ??= new HttpHeaderCollection();
        internal set => _trailers = value;
    }

    /// <summary>
    /// The Content-Length field as a number, or null when there is none (a chunked body, or no body)
    /// or it is not a decimal number. The filter has checked it: several fields agree, and it is
    /// within the body limit.
    /// </summary>
    public long? ContentLength =>
        Headers.TryGetValue("Content-Length", out string value)
        && long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long length)
            ? length : null;

    /// <summary>
    /// True when the framing announces a body: Content-Length above 0, or a Transfer-Encoding (chunked;
    /// its length is known only at its end, and it may turn out empty). With
    /// <see cref="HttpdLimits.StreamBodies"/>, <see cref="HttpRequestBodyPiece"/> records follow this
    /// request exactly when this is true.
    /// </summary>
    public bool HasBody => Headers.Contains("Transfer-Encoding") || ContentLength > 0;

    /// <summary>True when the protocol lets the connection stay open after this request (see <see cref="HttpKeepAlive"/>).</summary>
    public bool KeepAlive => HttpKeepAlive.RequestAllowsKeepAlive(this);

    /// <summary>
    /// A response to this request: its version follows the request, HEAD gets no body on the
    /// wire, and <see cref="HttpResponse.CloseConnection"/> is set by the protocol's keep-alive rules.
    /// </summary>
    public HttpResponse CreateResponse(int statusCode = 200)
    {
        var response = new HttpResponse(statusCode) { Request = this };
        HttpKeepAlive.Decide(this, response);
        return response;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Method} {Target} {VersionText}";

    private Uri BuildUri()
    {
        if (Target[0] != '/' && Target != "*" && Uri.TryCreate(Target, UriKind.Absolute, out var absolute)) return absolute;
        string host = Headers["Host"] is { Length: > 0 } h ? h : "localhost";
        string path = Target == "*" ? "/" : Target;
        return Uri.TryCreate("http://" + host + path, UriKind.Absolute, out var uri) ? uri : new Uri("http://localhost" + (path[0] == '/' ? path : "/"));
    }
}
