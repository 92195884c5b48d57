using PoeSharp.Filters.Http;

namespace PoeSharp.Components.Http;

/// <summary>
/// The body of one request as it arrives, when <see cref="HttpServerOptions.StreamRequestBodies"/>
/// is on (Node's <c>req.on('data')</c>/<c>'end'</c>, Twisted's <c>IBodyReceiver</c>): the handler
/// gets the request head at once and finds this on <see cref="HttpResponder.Body"/>.
/// </summary>
/// <remarks>
/// <para>Nothing is read for it until <see cref="Read"/>: the connection is not read in the
/// meantime, and a client that sent <c>Expect: 100-continue</c> gets its <c>100 Continue</c> only
/// then. Each piece goes to <c>onData</c> as it is read (a chunked body de-chunked), then
/// <c>onEnd</c> once; or <c>onError</c> once, when the client goes away before the end, the framing
/// is broken or the body passes <see cref="HttpdLimits.MaxStreamedContentLength"/> (the client then
/// gets the filter's 4xx, if the request was not answered yet, and the connection closes).</para>
/// <para>Back-pressure: <see cref="Pause"/> stops the pieces (and the reading of the connection, so
/// the client's sends stall in the kernel's buffers) until <see cref="Resume"/>. The server holds at
/// most one read's worth of bytes for the body (<see cref="BufferedBytes"/>), never the whole body.</para>
/// <para>A handler may answer before or without reading: if it never calls <see cref="Read"/> the
/// body is read and dropped after the answer (the connection stays usable), except when the client
/// still waits for <c>100 Continue</c>: it is not sent and the connection closes after the answer.
/// The next request on the connection is read once this body has ended, so answers stay in order.
/// Use it on the kernel's thread; the callbacks run in the connection's session.</para>
/// </remarks>
public sealed class HttpRequestBody
{
    private readonly HttpConnectionHeap _connection;
    private Action<ReadOnlyMemory<byte>>? _onData;
    private Action? _onEnd;
    private Action<string>? _onError;

    internal HttpRequestBody(HttpConnectionHeap connection, HttpExchange exchange, HttpContinueResponse? pendingContinue)
    {
        _connection = connection;
        Exchange = exchange;
        PendingContinue = pendingContinue;
    }

    /// <summary>The request whose body this is.</summary>
    public HttpRequest Request => Exchange.Request!;

    /// <summary>The body's length from Content-Length; null for a chunked body.</summary>
    public long? Length => Request.Headers.Contains("Transfer-Encoding") ? null : Request.ContentLength;

    /// <summary>Body bytes handed to <c>onData</c> so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>
    /// Bytes the server holds for this connection that the handler has not had yet: read from the
    /// socket and not yet decoded, plus a piece held back by <see cref="Pause"/>. Bounded by one read
    /// (64 KiB) and a piece, whatever the body's size.
    /// </summary>
    public long BufferedBytes => (_connection.Wheel?.PendingInputOctets ?? 0) + (Held?.Length ?? 0);

    /// <summary>True once <see cref="Read"/> was called.</summary>
    public bool IsReading { get; private set; }

    /// <summary>True between <see cref="Pause"/> and <see cref="Resume"/>.</summary>
    public bool IsPaused { get; private set; }

    /// <summary>True once the whole body was read (<c>onEnd</c> has run, or runs next).</summary>
    public bool IsCompleted { get; private set; }

    /// <summary>Why the body could not be read to its end; null while all is well.</summary>
    public string? Error { get; private set; }

    /// <summary>
    /// Starts reading (sending <c>100 Continue</c> first if the client waits for it): each piece
    /// goes to <paramref name="onData"/>, then <paramref name="onEnd"/> runs once, or
    /// <paramref name="onError"/> once with the reason. Call it once, from the handler or later.
    /// </summary>
    /// <exception cref="InvalidOperationException">Read was already called, or the request was answered (and its answer written) without it.</exception>
    public void Read(Action<ReadOnlyMemory<byte>> onData, Action onEnd, Action<string>? onError = null)
    {
        ArgumentNullException.ThrowIfNull(onData);
        ArgumentNullException.ThrowIfNull(onEnd);
        if (IsReading) throw new InvalidOperationException("HttpRequestBody.Read was already called for this request.");
        if (Discarding) throw new InvalidOperationException("The request was answered without reading its body, which is being dropped; call Read before answering.");
        IsReading = true;
        _onData = onData;
        _onEnd = onEnd;
        _onError = onError;
        if (Error is { } error)
        {
            onError?.Invoke(error);
            return;
        }
        _connection.RequestFlow(this);
    }

    /// <summary>Stops the pieces, and the reading of the connection, until <see cref="Resume"/> (Node's <c>req.pause()</c>).</summary>
    public void Pause() => IsPaused = true;

    /// <summary>Lets the pieces flow again after <see cref="Pause"/>; the next one comes from the event loop, not from this call.</summary>
    public void Resume()
    {
        if (!IsPaused) return;
        IsPaused = false;
        if (IsReading && !IsCompleted && Error is null) _connection.RequestFlow(this);
    }

    /// <summary>The 100 Continue the client waits for, until reading starts.</summary>
    internal HttpContinueResponse? PendingContinue { get; set; }

    /// <summary>The exchange (request and answer) this body belongs to.</summary>
    internal HttpExchange Exchange { get; }

    /// <summary>A piece that arrived while paused.</summary>
    internal byte[]? Held { get; set; }

    /// <summary>True when the handler answered without reading: pieces are dropped as they come.</summary>
    internal bool Discarding { get; set; }

    /// <summary>True while pieces may be read from the connection for this body.</summary>
    internal bool Wants => !IsCompleted && Error is null && (Discarding || (IsReading && !IsPaused));

    /// <summary>Hands a piece to the handler; false when it must be held (paused). Exceptions from the callbacks propagate.</summary>
    internal bool Deliver(byte[] data, bool isFinal)
    {
        if (Discarding)
        {
            if (isFinal) IsCompleted = true;
            return true;
        }
        if (IsPaused || !IsReading)
        {
            Held = data;
            HeldIsFinal = isFinal;
            return false;
        }
        if (data.Length > 0)
        {
            BytesRead += data.Length;
            _onData!(data);
        }
        if (isFinal)
        {
            IsCompleted = true;
            _onEnd!();
        }
        return true;
    }

    /// <summary>Whether <see cref="Held"/> was the final piece.</summary>
    internal bool HeldIsFinal { get; private set; }

    /// <summary>The body cannot be read to its end: tells the handler (now, or when it calls Read).</summary>
    internal void Fail(string reason)
    {
        if (IsCompleted || Error is not null) return;
        Error = reason;
        Held = null;
        if (IsReading && !Discarding) _onError?.Invoke(reason);
    }
}
