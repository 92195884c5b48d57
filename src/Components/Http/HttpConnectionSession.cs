using System.Net;
using PoeSharp.Filters.Http;
using PoeSharp.Os;
using PoeSharp.Wheels;

namespace PoeSharp.Components.Http;

/// <summary>
/// One client connection: reads requests through HttpdFilter, calls the handler for each, and
/// writes the answers in request order as they become available.
/// </summary>
internal static class HttpConnectionSession
{
    public const string EvPump = "http_pump";
    public const string EvDrain = "http_conn_drain";
    public const string EvDrop = "http_conn_drop";
    public const string EvBodyFlow = "http_body_flow";
    private const string EvInput = "http_input";
    private const string EvError = "http_error";
    private const string EvFlushed = "http_flushed";
    private const string EvTimeout = "http_timeout";

    public static Session? Create(Kernel kernel, HttpServer server, FileDescriptor socket, IPAddress? peer, int peerPort) =>
        kernel.Create(new HttpConnectionHeap(server, socket, peer, peerPort), s => s
            .On("_start", Start)
            .On("_stop", c => Close(c))
            .On("_parent", _ => { })
            .On(EvInput, Input)
            .On(EvPump, Pump)
            .On(EvFlushed, Flushed)
            .On(EvError, Error)
            .On(EvTimeout, c => Close(c))
            .On(EvDrain, Drain)
            .On(EvDrop, c => Close(c))
            .On(EvBodyFlow, BodyFlow));

    private static void Start(EventContext<HttpConnectionHeap> c)
    {
        HttpConnectionHeap heap = c.Heap;
        HttpServerOptions o = heap.Server.Options;
        heap.Session = c.Session;
        heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
        {
            Handle = heap.Socket!,
            Filter = new HttpdFilter(o.FilterLimits, c.Kernel.Time),
            InputEvent = EvInput,
            ErrorEvent = EvError,
            FlushedEvent = EvFlushed,
            // Write at once when nothing is queued: most answers leave within the event.
            AutoFlush = true,
        });
        heap.Socket = null; // the wheel owns it now
        c.Kernel.Delay(EvTimeout, o.ReadTimeout);
    }

    private static void Input(EventContext<HttpConnectionHeap> c)
    {
        HttpConnectionHeap heap = c.Heap;
        // Requests pipelined behind one that closes the connection get no answer (RFC 9112 §9.6).
        if (heap.Wheel is null || heap.CloseAfterFlush) return;
        long now = c.Kernel.Time.GetTimestamp();

        switch (c.Arg<object>(0))
        {
            case HttpRequestBodyPiece piece:
                BodyPiece(c, piece);
                return;
            case HttpContinueResponse interim when heap.Server.Options.StreamRequestBodies:
                // Held: it goes out when the handler starts reading the body, not before.
                heap.HeldContinue = interim;
                return;
            case HttpResponse rejection when heap.Body is { } body:
                // The body broke off (bad framing, over the limit): the handler learns it, and the
                // client gets the 4xx if its request was not answered yet; the connection then closes.
                heap.Body = null;
                body.Fail($"{rejection.StatusCode} {(rejection as HttpErrorResponse)?.Detail ?? "bad request body"}");
                if (body.Exchange.Response is null)
                {
                    rejection.Request = body.Request;
                    body.Exchange.Response = rejection;
                }
                else
                {
                    heap.InputClosed = true;
                    if (heap.Pending.Count == 0 && heap.Wheel.DriverOutOctets == 0)
                    {
                        Close(c);
                        return;
                    }
                }
                break;
            case HttpResponse rejection:
                // The filter's own answer: a 4xx for a bad request, or 100 Continue for a body to come.
                heap.Pending.Enqueue(new HttpExchange { Request = rejection.Request, Response = rejection, Started = now });
                break;
            case HttpRequest request:
                heap.AwaitingBody = false;
                // The handler has the request now: its time is the worker timeout's business.
                c.Kernel.Delay(EvTimeout);
                var exchange = new HttpExchange { Request = request, Started = now };
                heap.Pending.Enqueue(exchange);
                heap.Server.Pool.RequestStarted(request.Method, request.Target);
                if (heap.Server.Options.StreamRequestBodies && request.HasBody)
                {
                    exchange.Body = heap.Body = new HttpRequestBody(heap, exchange, heap.HeldContinue);
                    heap.HeldContinue = null;
                }
                var responder = new HttpResponder(c.Kernel, c.Session, exchange, heap.Peer, heap.PeerPort);
                HttpResponse? response;
                try
                {
                    response = heap.Server.Options.Handler(request, responder);
                }
                catch (Exception e)
                {
                    heap.Server.LogHandlerError(request, e);
                    response = exchange.Response is null ? new HttpResponse(500, "Internal Server Error\n") { CloseConnection = false } : null;
                }
                if (response is not null && !responder.Answer(response) && !ReferenceEquals(exchange.Response, response))
                    throw new InvalidOperationException("The handler answered through its responder and returned a different response.");
                // Back-pressure from the start: nothing more is read until the handler reads the body.
                if (exchange.Body is { } streamed && ReferenceEquals(heap.Body, streamed)) UpdateReading(c, streamed);
                break;
            default:
                return;
        }
        Pump(c);
    }

    // Writes every answer that is ready and whose turn it is.
    private static void Pump(EventContext<HttpConnectionHeap> c)
    {
        HttpConnectionHeap heap = c.Heap;
        HttpServerOptions o = heap.Server.Options;
        while (heap.Wheel is { } wheel && !heap.CloseAfterFlush && heap.Pending.TryPeek(out var exchange))
        {
            if (exchange.Interim is { } interim)
            {
                // A streamed body's 100 Continue, asked for by the handler: its turn has come.
                exchange.Interim = null;
                wheel.Put(interim);
            }
            if (exchange.Response is not { } response) break;
            heap.Pending.Dequeue();
            if (response.IsInterim)
            {
                heap.AwaitingBody = true;
                wheel.Put(response);
                c.Kernel.Delay(EvTimeout, o.ReadTimeout);
                continue;
            }
            bool unreadBody = false;
            if (exchange.Body is { IsCompleted: false, Error: null } body && ReferenceEquals(heap.Body, body) && !body.IsReading)
            {
                // Answered without reading the body. A client still waiting for 100 Continue has not
                // sent it: close after the answer. Otherwise drop the body as it comes, and go on.
                if (body.PendingContinue is not null) unreadBody = true;
                else
                {
                    body.Discarding = true;
                    body.Held = null;
                    UpdateReading(c, body);
                }
            }
            response.Request ??= exchange.Request;
            bool keep = o.KeepAlive && !heap.Draining && !heap.InputClosed && !response.CloseConnection && !unreadBody
                        && exchange.Request is not null && HttpKeepAlive.Decide(exchange.Request, response);
            response.CloseConnection = !keep;
            heap.CloseAfterFlush = !keep;
            heap.Served++;
            heap.Server.RequestsServed++;
            // The answer, too, must be taken within the read timeout: a client that never reads
            // cannot pin the connection. Armed before Put, whose synchronous flush may close it.
            c.Kernel.Delay(EvTimeout, o.ReadTimeout);
            wheel.Put(response);
            heap.Server.LogAccess(heap.Peer, heap.PeerPort, exchange, response, c.Kernel.Time.GetTimestamp());
            if (exchange.Request is not null) heap.Server.Pool.RequestServed();
        }
        if (heap.CloseAfterFlush) Abandon(heap);
    }

    // A piece of the streamed body: to the handler, held (paused), or dropped (answered without reading).
    private static void BodyPiece(EventContext<HttpConnectionHeap> c, HttpRequestBodyPiece piece)
    {
        HttpConnectionHeap heap = c.Heap;
        if (heap.Body is not { } body || !ReferenceEquals(body.Request, piece.Request)) return;
        Deliver(c, body, piece.Body, piece.IsFinal);
    }

    private static void Deliver(EventContext<HttpConnectionHeap> c, HttpRequestBody body, byte[] data, bool isFinal)
    {
        HttpConnectionHeap heap = c.Heap;
        try
        {
            body.Deliver(data, isFinal);
        }
        catch (Exception e)
        {
            // As a throwing handler: a 500 if unanswered; the rest of the body is dropped.
            heap.Server.LogHandlerError(body.Request, e);
            body.Discarding = true;
            if (body.Exchange.Response is null)
            {
                body.Exchange.Response = new HttpResponse(500, "Internal Server Error\n") { CloseConnection = false };
                Pump(c);
            }
            if (isFinal) body.Deliver([], isFinal: true);
        }
        if (body.IsCompleted && ReferenceEquals(heap.Body, body))
        {
            heap.Body = null;
            // The handler has the whole body now; the next request is read.
            if (heap.Pending.Count > 0) c.Kernel.Delay(EvTimeout); // the handler's time
            else if (heap.Wheel is { DriverOutOctets: > 0 }) c.Kernel.Delay(EvTimeout, heap.Server.Options.ReadTimeout); // the answer is being taken
            else c.Kernel.Delay(EvTimeout, heap.Draining ? Min(DrainGrace, heap.Server.Options.IdleTimeout) : heap.Server.Options.IdleTimeout);
        }
        UpdateReading(c, heap.Body);
    }

    // Reads the connection while the body being received wants pieces (or none is), and not otherwise.
    private static void UpdateReading(EventContext<HttpConnectionHeap> c, HttpRequestBody? body)
    {
        HttpConnectionHeap heap = c.Heap;
        if (heap.Wheel is not { } wheel || heap.CloseAfterFlush) return;
        bool wants = body is null || body.Wants;
        if (!wants)
        {
            if (!heap.ReadingStopped)
            {
                heap.ReadingStopped = true;
                wheel.InputEvent = null; // stops reading, and decoding after the current record
            }
            // The handler holds the body: its time is not the client's.
            c.Kernel.Delay(EvTimeout);
            return;
        }
        if (body is not null && !body.IsCompleted)
            c.Kernel.Delay(EvTimeout, heap.Server.Options.ReadTimeout); // the client owes bytes
        if (heap.ReadingStopped)
        {
            heap.ReadingStopped = false;
            wheel.InputEvent = EvInput; // decodes what is buffered at once, then reads
        }
    }

    // Read or Resume was called: send a 100 Continue still owed, hand over a held piece, read again.
    private static void BodyFlow(EventContext<HttpConnectionHeap> c)
    {
        HttpConnectionHeap heap = c.Heap;
        if (heap.Body is not { } body || heap.Wheel is null) return;
        if (body.IsReading && body.PendingContinue is { } interim)
        {
            body.PendingContinue = null;
            body.Exchange.Interim = interim;
            Pump(c);
            if (heap.Wheel is null) return;
        }
        if (body.Held is { } held && !body.IsPaused)
        {
            body.Held = null;
            Deliver(c, body, held, body.HeldIsFinal);
            return;
        }
        UpdateReading(c, body);
    }

    private static void Flushed(EventContext<HttpConnectionHeap> c)
    {
        HttpConnectionHeap heap = c.Heap;
        if (heap.CloseAfterFlush || (heap.Pending.Count == 0 && (heap.Draining || heap.InputClosed)))
        {
            Close(c);
            return;
        }
        if (heap.Body is { } body) UpdateReading(c, body);
        else if (heap.AwaitingBody) c.Kernel.Delay(EvTimeout, heap.Server.Options.ReadTimeout);
        else if (heap.Pending.Count == 0) c.Kernel.Delay(EvTimeout, heap.Server.Options.IdleTimeout);
        else c.Kernel.Delay(EvTimeout);
    }

    private static void Error(EventContext<HttpConnectionHeap> c)
    {
        HttpConnectionHeap heap = c.Heap;
        string operation = c.Arg<string>(0);
        if (heap.Body is not null)
        {
            // Mid-body the request can never be whole: the handler learns it, the connection closes.
            Close(c);
            return;
        }
        if (operation == "read" && heap.Wheel is { } wheel)
        {
            // End of input: answer what was asked (a client may half-close after its last request).
            heap.InputClosed = true;
            if (heap.Pending.Count > 0) return;
            if (wheel.DriverOutOctets > 0)
            {
                heap.CloseAfterFlush = true;
                return;
            }
        }
        Close(c);
    }

    // The server is stopping: a connection with work in flight finishes it, its answer saying
    // Connection: close. An idle one gets a moment before it closes, since its next request may be
    // on the way: one just accepted has not sent it yet, and a keep-alive client sends the next
    // right after an answer. Closing at once would lose that request (a reset, or an end of
    // connection before any answer) every time a worker drains under keep-alive load.
    private static void Drain(EventContext<HttpConnectionHeap> c)
    {
        HttpConnectionHeap heap = c.Heap;
        heap.Draining = true;
        if (heap.Wheel is not { } wheel) return;
        if (heap.Pending.Count > 0 || wheel.DriverOutOctets > 0) return;
        TimeSpan limit = heap.Served == 0 ? heap.Server.Options.ReadTimeout : heap.Server.Options.IdleTimeout;
        c.Kernel.Delay(EvTimeout, Min(DrainGrace, limit));
    }

    // How long a draining connection waits for a next request that may be on the way.
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(1);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    // Closes this process's copy of the socket without writing: also how a worker drops connections it inherited.
    private static void Close(EventContext<HttpConnectionHeap> c)
    {
        HttpConnectionHeap heap = c.Heap;
        if (heap.Body is { } body)
        {
            heap.Body = null;
            body.Fail("the connection closed before the body was complete");
        }
        heap.Wheel?.Dispose();
        heap.Wheel = null;
        heap.Socket?.Dispose();
        heap.Socket = null;
        Abandon(heap);
        c.Kernel.Delay(EvTimeout);
    }

    private static void Abandon(HttpConnectionHeap heap)
    {
        foreach (HttpExchange exchange in heap.Pending) exchange.Abandoned = true;
        heap.Pending.Clear();
    }
}
