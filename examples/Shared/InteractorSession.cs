using System.Net;
using PoeSharp.Filters.Http;
using PoeSharp.Os;
using PoeSharp.Wheels;

namespace PoeSharp.Examples;

/// <summary>
/// The original's interactor session, one per connection: <c>_start</c>, <c>_stop</c>,
/// <c>got_request</c>, <c>got_flush</c>, <c>got_error</c>, <c>_parent</c>. Additions, each
/// needed for answers a client can rely on: <c>got_die</c> (a handler that throws gets its client
/// a 500 instead of ending the server), <c>got_timeout</c> (a client that does not finish its
/// request, or does not read its answer, within --read-timeout is dropped; an idle persistent
/// connection is closed after --keep-alive-timeout), <c>shutdown</c> (sent by the listener when
/// the server stops) and <c>drop</c> (sent by the listener when it must stop at once). In a new
/// child the connection is the parent's: the library's ReadWrite wheel lets go of it before any
/// handler runs and reports <c>got_error("fork", ...)</c>, and the interactor ends.
/// </summary>
internal static class InteractorSession
{
    /// <summary>POE::Session-&gt;create(inline_states =&gt; {...}, heap =&gt; {...}) for one accepted connection.</summary>
    public static Session? Create(Kernel kernel, FileDescriptor socket, IPAddress? peerAddr, int peerPort, ServerOptions options, DebugLog log) =>
        kernel.Create(new InteractorHeap(socket, peerAddr, peerPort, options, log), s => s
            .On("_start", InteractorStart)
            .On("_stop", InteractorStop)
            .On("got_request", InteractorGotRequest)
            .On("got_flush", InteractorFlushedRequest)
            .On("got_error", InteractorGotError)
            .OnCall("_parent", _ => 0)
            .On("got_timeout", InteractorGotTimeout)
            .On("shutdown", InteractorShutdown)
            .On("got_die", InteractorGotDie)
            .On("drop", InteractorDrop));

    // The interactor has started for a client socket. Begin reading and writing on the socket.
    private static void InteractorStart(EventContext<InteractorHeap> ctx)
    {
        InteractorHeap heap = ctx.Heap;

        heap.Client = new ReadWriteWheel(ctx.Kernel, new ReadWriteOptions
        {
            Handle = heap.Socket!,
            Filter = new HttpdFilter(time: ctx.Kernel.Time),
            InputEvent = "got_request",
            ErrorEvent = "got_error",
            FlushedEvent = "got_flush",
            // Write at once when the buffer is empty: the answer usually leaves in the same event.
            AutoFlush = true,
        });

        if (heap.Log.Enabled) heap.Log.Debug($"Client handler {ctx.Kernel.ProcessId}/{ctx.Session.Id} started.");

        ctx.Kernel.Delay("got_timeout", heap.Options.ReadTimeout);

        // A handler of ours that throws raises DIE here first: got_die answers 500 if it can.
        ctx.Kernel.Sig("DIE", "got_die");
    }

    // Log the fact that the interactor has stopped.
    private static void InteractorStop(EventContext<InteractorHeap> ctx)
    {
        if (ctx.Heap.Log.Enabled) ctx.Heap.Log.Debug($"Client handler {ctx.Kernel.ProcessId}/{ctx.Session.Id} stopped.");
        Delete(ctx);
    }

    // The interactor has received a request. If it's an error response, then some error has
    // occurred: send it back to the client and return immediately. Otherwise, generate the page
    // and send it back.
    private static void InteractorGotRequest(EventContext<InteractorHeap> ctx)
    {
        InteractorHeap heap = ctx.Heap;
        var request = ctx.Arg<HttpMessage>(0);
        heap.Answering = request is HttpRequest;   // until the answer is Put: a DIE meanwhile owes a 500

        if (heap.Log.Enabled) heap.Log.Debug($"Client handler {ctx.Kernel.ProcessId}/{ctx.Session.Id} is handling a request.");

        // Requests pipelined behind the one that closes the connection get no answer (the
        // original would append undelimited responses the client cannot split).
        if (heap.Client is null || heap.CloseAfterFlush)
        {
            heap.Answering = false;
            return;
        }

        if (request is HttpResponse error)
        {
            // An interim answer ("100 Continue") keeps the connection: the request's body follows.
            heap.AwaitingBody = error.IsInterim;
            heap.CloseAfterFlush = !error.IsInterim;
            heap.Client.Put(error);
            return;
        }
        heap.AwaitingBody = false;

        var httpRequest = (HttpRequest)request;
        var response = new HttpResponse(200) { Request = httpRequest };
        response.SetBody(ExamplePage.RenderUtf8(httpRequest.Headers, ctx.Kernel.ProcessId, ctx.Kernel.Time.GetUtcNow()), "text/html");

        heap.Requests++;
        bool keepOpen = heap.Options.KeepAlive && !heap.Stopping && heap.Requests < heap.Options.MaxRequests
                        && HttpKeepAlive.Decide(httpRequest, response);
        response.CloseConnection = !keepOpen;
        heap.CloseAfterFlush = !keepOpen;

        heap.Client.Put(response);
        heap.Answering = false;

        // The answer, too, must leave within the read timeout: a client that never reads cannot
        // pin us. Only when some of it is still waiting: an answer written at once was flushed
        // inside Put, and got_flush has closed the connection or armed the keep-alive timeout.
        if (heap.Client is { DriverOutOctets: > 0 }) ctx.Kernel.Delay("got_timeout", heap.Options.ReadTimeout);
    }

    // A handler of this session threw (POE's DIE comes to the failing session first). If a client
    // still waits for the answer to its request, it gets a 500 and the connection closes after it;
    // otherwise the DIE stays unhandled and the kernel's policy stops this session alone.
    private static void InteractorGotDie(EventContext<InteractorHeap> ctx)
    {
        InteractorHeap heap = ctx.Heap;
        var die = ctx.Arg<DieInfo>(1);
        // The event is the one dispatched (got_request, or the wheel's read callback that called it).
        if (die.Destination != ctx.Session || !heap.Answering || heap.Client is null || heap.CloseAfterFlush) return;
        heap.Answering = false;
        if (heap.Log.Enabled) heap.Log.Debug($"Client handler {ctx.Kernel.ProcessId}/{ctx.Session.Id} answers 500: {die.Exception.GetType().Name}: {die.ErrorText}");
        heap.CloseAfterFlush = true;
        heap.Client.Put(new HttpResponse(500, "Internal Server Error\n") { CloseConnection = true });
        ctx.Kernel.SigHandled();
    }

    // Stop interacting if a socket error has occurred.
    private static void InteractorGotError(EventContext<InteractorHeap> ctx)
    {
        InteractorHeap heap = ctx.Heap;
        string operation = ctx.Arg<string>(0);
        int errnum = ctx.Arg<int>(1);
        string errstr = ctx.Arg<string>(2);

        // In a new child: the wheel has already closed our copy of the parent's connection,
        // without writing or shutting it down, so the parent's answer is the only one.
        if (operation == ReadWriteWheel.ForkOperation)
        {
            if (heap.Log.Enabled) heap.Log.Debug($"Client handler {ctx.Kernel.ProcessId}/{ctx.Session.Id} dropped a connection inherited from its parent.");
            Delete(ctx);
            return;
        }

        if (heap.Log.Enabled)
        {
            heap.Log.Debug($"Client handler {ctx.Kernel.ProcessId}/{ctx.Session.Id} got {operation} error {errnum}: {errstr}");
            heap.Log.Debug($"Client handler {ctx.Kernel.ProcessId}/{ctx.Session.Id} is shutting down.");
        }

        // End of input (or input after the last request) while an answer is still being written:
        // finish writing it; got_flush closes.
        if (operation != "write" && heap.Client is { DriverOutOctets: > 0 })
        {
            heap.CloseAfterFlush = true;
            return;
        }
        Delete(ctx);
    }

    // Shut down the connection after a response has been fully flushed to the socket, unless
    // it is a persistent one: then wait for the next request.
    private static void InteractorFlushedRequest(EventContext<InteractorHeap> ctx)
    {
        InteractorHeap heap = ctx.Heap;

        if (heap.Log.Enabled) heap.Log.Debug($"Client handler {ctx.Kernel.ProcessId}/{ctx.Session.Id} flushed its response.");

        if (heap.CloseAfterFlush || heap.Stopping)
        {
            if (heap.Log.Enabled) heap.Log.Debug($"Client handler {ctx.Kernel.ProcessId}/{ctx.Session.Id} is shutting down.");
            Delete(ctx);
            return;
        }
        ctx.Kernel.Delay("got_timeout", heap.AwaitingBody ? heap.Options.ReadTimeout : heap.Options.KeepAliveTimeout);
    }

    // The client took too long to send a request or to read the answer, or sat idle.
    private static void InteractorGotTimeout(EventContext<InteractorHeap> ctx)
    {
        if (ctx.Heap.Log.Enabled) ctx.Heap.Log.Debug($"Client handler {ctx.Kernel.ProcessId}/{ctx.Session.Id} timed out and is shutting down.");
        Delete(ctx);
    }

    // The server is stopping: a connection between requests closes now; one with a request in
    // flight finishes it (bounded by the read timeout and the listener's shutdown timeout).
    private static void InteractorShutdown(EventContext<InteractorHeap> ctx)
    {
        InteractorHeap heap = ctx.Heap;
        heap.Stopping = true;
        if (heap.Client is not { } client) return;
        bool idle = client.DriverOutOctets == 0 && client.PendingInputOctets == 0;
        if (idle && heap.Requests > 0)
        {
            Delete(ctx);
        }
        else if (idle)
        {
            // Accepted but nothing read yet: the request may be on its way; give it a moment.
            ctx.Kernel.Delay("got_timeout", TimeSpan.FromSeconds(Math.Min(1, heap.Options.ReadTimeout.TotalSeconds)));
        }
    }

    // The server stops at once: close the connection without writing what is left.
    private static void InteractorDrop(EventContext<InteractorHeap> ctx)
    {
        if (ctx.Heap.Log.Enabled) ctx.Heap.Log.Debug($"Client handler {ctx.Kernel.ProcessId}/{ctx.Session.Id} dropped its connection.");
        Delete(ctx);
    }

    /// <summary><c>delete $heap-&gt;{client}</c>, and the socket and timer with it, so the session ends.</summary>
    private static void Delete(EventContext<InteractorHeap> ctx)
    {
        InteractorHeap heap = ctx.Heap;
        heap.Client?.Dispose();
        heap.Client = null;
        heap.Socket?.Dispose();
        heap.Socket = null;
        ctx.Kernel.Delay("got_timeout");
    }
}
