using PoeSharp.Filters.Http;

namespace PoeSharp.Components.Http;

/// <summary>One request on a connection and, once given, its response, in arrival order.</summary>
internal sealed class HttpExchange
{
    /// <summary>The request; null for a rejection of a request that could not be parsed.</summary>
    public HttpRequest? Request { get; init; }

    /// <summary>The response, once given.</summary>
    public HttpResponse? Response { get; set; }

    /// <summary>When the request (or its rejection) was read (<see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long Started { get; init; }

    /// <summary>An interim answer (100 Continue of a streamed body) to write before <see cref="Response"/>, once it is this request's turn.</summary>
    public HttpResponse? Interim { get; set; }

    /// <summary>Streaming: the request's body, while it is being received.</summary>
    public HttpRequestBody? Body { get; set; }

    /// <summary>The connection closed before the answer could be sent.</summary>
    public bool Abandoned { get; set; }
}
