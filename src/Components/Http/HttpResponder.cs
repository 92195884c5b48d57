using System.Net;
using PoeSharp.Filters.Http;

namespace PoeSharp.Components.Http;

/// <summary>
/// The answer to one request, to give now or later. Responses leave in the order their requests
/// came (pipelining), whatever the order the handlers answer in. Use it on the kernel's thread.
/// </summary>
public sealed class HttpResponder
{
    private readonly Kernel _kernel;
    private readonly Session _connection;
    private readonly HttpExchange _exchange;

    internal HttpResponder(Kernel kernel, Session connection, HttpExchange exchange, IPAddress? remoteAddress, int remotePort)
    {
        _kernel = kernel;
        _connection = connection;
        _exchange = exchange;
        RemoteAddress = remoteAddress;
        RemotePort = remotePort;
    }

    /// <summary>The request this answers.</summary>
    public HttpRequest Request => _exchange.Request!;

    /// <summary>
    /// The request's body as it arrives, when <see cref="HttpServerOptions.StreamRequestBodies"/> is on
    /// and the request has one (<see cref="HttpRequest.HasBody"/>); null otherwise (the body, if any,
    /// is then in <see cref="HttpMessage.Body"/>).
    /// </summary>
    public HttpRequestBody? Body => _exchange.Body;

    /// <summary>The client's address (null when unknown).</summary>
    public IPAddress? RemoteAddress { get; }

    /// <summary>The client's port (0 when unknown).</summary>
    public int RemotePort { get; }

    /// <summary>True once a response was given (by the handler's return value or <see cref="Respond"/>).</summary>
    public bool IsAnswered => _exchange.Response is not null;

    /// <summary>True while the client's connection is open.</summary>
    public bool IsConnected => _connection.State != SessionState.Stopped && !_exchange.Abandoned;

    /// <summary>
    /// Sends <paramref name="response"/> once the responses to earlier requests on the connection
    /// have gone. False (and nothing sent) if this request was already answered or the client is gone.
    /// </summary>
    public bool Respond(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!Answer(response) || !IsConnected) return false;
        return _kernel.Post(_connection, HttpConnectionSession.EvPump) == KernelError.None;
    }

    /// <summary>Records the answer; false if there already is one.</summary>
    internal bool Answer(HttpResponse response)
    {
        if (_exchange.Response is not null) return false;
        _exchange.Response = response;
        return true;
    }
}
