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
            .On(EvDrop, c => Close(c)));

    private static void Start(EventContext<HttpConnectionHeap> c)
    {
        HttpConnectionHeap heap = c.Heap;
        HttpServerOptions o = heap.Server.Options;
        heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
        {
            Handle = heap.Socket!,
            Filter = new HttpdFilter(o.Limits, c.Kernel.Time),
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
        while (heap.Wheel is { } wheel && !heap.CloseAfterFlush && heap.Pending.TryPeek(out var exchange) && exchange.Response is { } response)
        {
            heap.Pending.Dequeue();
            if (response.IsInterim)
            {
                heap.AwaitingBody = true;
                wheel.Put(response);
                c.Kernel.Delay(EvTimeout, o.ReadTimeout);
                continue;
            }
            response.Request ??= exchange.Request;
            bool keep = o.KeepAlive && !heap.Draining && !heap.InputClosed && !response.CloseConnection
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

    private static void Flushed(EventContext<HttpConnectionHeap> c)
    {
        HttpConnectionHeap heap = c.Heap;
        if (heap.CloseAfterFlush || (heap.Pending.Count == 0 && (heap.Draining || heap.InputClosed)))
        {
            Close(c);
            return;
        }
        if (heap.AwaitingBody) c.Kernel.Delay(EvTimeout, heap.Server.Options.ReadTimeout);
        else if (heap.Pending.Count == 0) c.Kernel.Delay(EvTimeout, heap.Server.Options.IdleTimeout);
        else c.Kernel.Delay(EvTimeout);
    }

    private static void Error(EventContext<HttpConnectionHeap> c)
    {
        HttpConnectionHeap heap = c.Heap;
        string operation = c.Arg<string>(0);
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

    // The server is stopping: an idle connection closes now; one with work in flight finishes it.
    private static void Drain(EventContext<HttpConnectionHeap> c)
    {
        HttpConnectionHeap heap = c.Heap;
        heap.Draining = true;
        if (heap.Wheel is not { } wheel) return;
        if (heap.Pending.Count > 0 || wheel.DriverOutOctets > 0) return;
        if (heap.Served == 0)
        {
            // Accepted, nothing answered yet: its request may be on the way; give it a moment.
            var grace = TimeSpan.FromSeconds(1);
            c.Kernel.Delay(EvTimeout, grace < heap.Server.Options.ReadTimeout ? grace : heap.Server.Options.ReadTimeout);
            return;
        }
        Close(c);
    }

    // Closes this process's copy of the socket without writing: also how a worker drops connections it inherited.
    private static void Close(EventContext<HttpConnectionHeap> c)
    {
        HttpConnectionHeap heap = c.Heap;
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
