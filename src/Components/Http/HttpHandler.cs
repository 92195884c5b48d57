using PoeSharp.Filters.Http;

namespace PoeSharp.Components.Http;

/// <summary>
/// Answers one request of an <see cref="HttpServer"/>: return the response, or return null and
/// answer later through <paramref name="responder"/> (after a timer, another connection, a child
/// process). Runs on the kernel's thread, in the connection's session; an exception becomes a 500
/// and the server keeps serving.
/// </summary>
/// <param name="request">The complete request (its body read); with <see cref="HttpServerOptions.StreamRequestBodies"/>, its head, the body to come through <see cref="HttpResponder.Body"/>.</param>
/// <param name="responder">Answers this request later; keep it when returning null.</param>
public delegate HttpResponse? HttpHandler(HttpRequest request, HttpResponder responder);
