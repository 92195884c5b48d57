using System.Net.Http.Headers;

namespace PoeSharp.Filters.Http;

/// <summary>Conversions to and from System.Net.Http's message types.</summary>
public static class HttpMessageInterop
{
    /// <summary>A <see cref="HttpRequestMessage"/> with the same method, absolute URI, version, headers and content.</summary>
    public static HttpRequestMessage ToHttpRequestMessage(this HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Uri) { Version = request.Version };
        HttpContent? content = request.Body.Length > 0 ? new ByteArrayContent(request.Body) : null;
        CopyHeaders(request.Headers, message.Headers, ref content);
        message.Content = content;
        return message;
    }

    /// <summary>
    /// An <see cref="HttpRequest"/> from <paramref name="message"/>; the target is the URI's path and
    /// query, Host comes from the URI when not set. Content is read synchronously.
    /// </summary>
    public static HttpRequest ToHttpRequest(this HttpRequestMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Uri uri = message.RequestUri ?? throw new ArgumentException("The message has no RequestUri; set one such as http://localhost/.", nameof(message));
        string target = uri.IsAbsoluteUri ? uri.PathAndQuery : uri.OriginalString;
        var request = new HttpRequest(message.Method.Method, target, message.Version);
        if (message.Headers.Host is null && uri.IsAbsoluteUri) request.Headers.Add("Host", uri.Authority);
        foreach (var (name, values) in message.Headers) request.Headers.Add(name, string.Join(", ", values));
        ReadContent(message.Content, request);
        return request;
    }

    /// <summary>A <see cref="HttpResponseMessage"/> with the same status, reason, version, headers and content.</summary>
    public static HttpResponseMessage ToHttpResponseMessage(this HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var message = new HttpResponseMessage((System.Net.HttpStatusCode)response.StatusCode)
        {
            ReasonPhrase = response.ReasonPhrase,
            Version = response.Version,
        };
        HttpContent? content = new ByteArrayContent(response.Body);
        CopyHeaders(response.Headers, message.Headers, ref content);
        message.Content = content;
        return message;
    }

    /// <summary>An <see cref="HttpResponse"/> from <paramref name="message"/>; content is read synchronously.</summary>
    public static HttpResponse ToHttpResponse(this HttpResponseMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var response = new HttpResponse((int)message.StatusCode) { Version = message.Version };
        if (message.ReasonPhrase is { } reason) response.ReasonPhrase = reason;
        foreach (var (name, values) in message.Headers) response.Headers.Add(name, string.Join(", ", values));
        ReadContent(message.Content, response);
        return response;
    }

    private static void CopyHeaders(HttpHeaderCollection from, HttpHeaders to, ref HttpContent? content)
    {
        foreach (HttpField field in from)
        {
            if (to.TryAddWithoutValidation(field.Name, field.Value)) continue;
            // Content-* fields belong to the content in System.Net.Http.
            content ??= new ByteArrayContent([]);
            content.Headers.TryAddWithoutValidation(field.Name, field.Value);
        }
    }

    private static void ReadContent(HttpContent? content, HttpMessage into)
    {
        if (content is null) return;
        foreach (var (name, values) in content.Headers)
        {
            // Content-Length is recomputed by Put from the body.
            if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || into is HttpRequest)
                into.Headers.Add(name, string.Join(", ", values));
        }
        using var stream = content.ReadAsStream();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        into.Body = buffer.ToArray();
    }
}
