namespace PoeSharp.Filters.Http;

/// <summary>
/// The protocol's persistence rules (RFC 9112 §9.3): HTTP/1.1 stays open unless
/// <c>Connection: close</c>; HTTP/1.0 only with <c>Connection: keep-alive</c>; never after an error.
/// </summary>
public static class HttpKeepAlive
{
    /// <summary>True when <paramref name="request"/> allows the connection to persist after its response.</summary>
    public static bool RequestAllowsKeepAlive(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Headers.ContainsToken("Connection", "close")) return false;
        if (HttpVersions.IsHttp10(request.Version)) return request.Headers.ContainsToken("Connection", "keep-alive");
        return request.Version.Major == 1;
    }

    /// <summary>
    /// Decides whether the connection stays open after <paramref name="response"/> answers
    /// <paramref name="request"/>, sets <see cref="HttpResponse.CloseConnection"/> accordingly (and
    /// <see cref="HttpResponse.Request"/> when unset), and returns true to keep the connection.
    /// An interim (1xx) response always keeps it: the final response is still to come.
    /// </summary>
    public static bool Decide(HttpRequest? request, HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (request is not null) response.Request ??= request;
        if (response.IsInterim)
        {
            response.CloseConnection = false;
            return true;
        }
        bool close = response is HttpErrorResponse
                     || request is null
                     || !RequestAllowsKeepAlive(request)
                     || response.CloseConnection
                     || response.Headers.ContainsToken("Connection", "close")
                     || (response.Streamed && HttpVersions.IsHttp10(response.Version));
        response.CloseConnection = close;
        return !close;
    }
}
