using System.Buffers;
using System.Runtime.CompilerServices;

namespace PoeSharp.Filters.Http;

/// <summary>
/// POE::Filter::HTTPD for PoeSharp: bytes become <see cref="HttpRequest"/> records, or an
/// <see cref="HttpErrorResponse"/> record when a request is rejected (and, with
/// <see cref="HttpdLimits.StreamBodies"/>, <see cref="HttpRequestBodyPiece"/> records); <see cref="HttpResponse"/>
/// records (and <see cref="HttpBodyChunk"/> pieces of streamed bodies) become bytes.
/// </summary>
/// <remarks>
/// <para>Parsing follows RFC 9110/9112 strictly where leniency enables request smuggling:
/// tokens are checked, bare CR, obs-fold and whitespace before the colon are rejected,
/// Content-Length with Transfer-Encoding, differing Content-Lengths and a final coding other than
/// chunked are rejected. Bare LF ends start and field lines (RFC 9112 §2.2 allows it) but not chunk lines.</para>
/// <para>Host (RFC 9112 §3.2): an HTTP/1.1 request without it, or any request with two, is rejected;
/// its value, and the authority of an absolute-form target, must be <c>uri-host [ ":" port ]</c>
/// (RFC 3986 §3.2: a bracketed IPv6address or IPvFuture, an IPv4address or a reg-name; a port of
/// digits, at most 65535; no userinfo). An empty Host is valid (the target URI has no authority), an
/// empty host with a port is not, and an absolute-form target must name a host. With an
/// absolute-form target the Host field is kept as sent and <see cref="HttpRequest.Uri"/> is the
/// target, which RFC 9112 §3.2.2 makes authoritative.</para>
/// <para>The caller owns the bytes. The filter remembers how far it scanned and never rescans;
/// limits (<see cref="HttpdLimits"/>) are checked against what is presented, so the caller's buffer
/// never holds more than <see cref="HttpdLimits.MaxBufferedBytes"/> for one request.</para>
/// <para><c>Expect: 100-continue</c> (RFC 9110 §10.1.1), unless <see cref="HttpdLimits.AutoContinue"/> is
/// false: when the head of an HTTP/1.1 request with that expectation and a body (Content-Length
/// above 0, or chunked) is complete, <see cref="TryGetOne"/> first returns an
/// <see cref="HttpContinueResponse"/> (status 100, <see cref="HttpResponse.IsInterim"/> true,
/// <see cref="HttpResponse.Request"/> the head so far; it consumes the head's bytes), then the
/// <see cref="HttpRequest"/> once the body is in. The rule depends only on the head, never on how
/// the bytes were split: the interim record comes even when the body arrived with the head (a
/// client that did not wait ignores the extra 1xx, as it must). Limits and framing checks come
/// first, so a Content-Length over the limit gives 413 and no 100; a chunked body can still be
/// refused with 413 after the 100. Any other expectation is a 417 error record; an empty body or
/// HTTP/1.0 gets no interim record, and HTTP/1.0 ignores Expect altogether.</para>
/// <para>Streaming (<see cref="HttpdLimits.StreamBodies"/>, POE's <c>Streaming =&gt; 1</c>): the
/// <see cref="HttpRequest"/> record comes as soon as the header section is complete (consuming it), with
/// an empty <see cref="HttpMessage.Body"/>; when <see cref="HttpRequest.HasBody"/> it is followed by
/// <see cref="HttpRequestBodyPiece"/> records, each a copy of the body bytes available (at most
/// <see cref="HttpdLimits.MaxBodyPieceBytes"/>), a chunked body de-chunked, the last piece with
/// <see cref="HttpRequestBodyPiece.IsFinal"/>; then the next request is parsed. A framing error inside
/// the body yields the good bytes before it as a piece, then the error record. With 100-continue the
/// interim record comes first and consumes the head but its last byte, the request record that byte
/// (every record consumes input); the pieces follow.</para>
/// <para>The caller's contract: a response record is Put back as POE's handler does. After flushing an
/// interim response (<see cref="HttpResponse.IsInterim"/>) the connection stays open and reading
/// goes on; only a final response may be followed by closing. To refuse the body, Put a final
/// response with <see cref="HttpResponse.CloseConnection"/> instead of the interim record and close.</para>
/// <para>After an error record, or after a request that closes the connection (HTTP/1.0 without
/// keep-alive, <c>Connection: close</c>), further input is discarded with <see cref="DecodeStatus.Error"/>
/// until <see cref="Reset"/>: RFC 9112 §9.6 forbids processing more requests on that connection.</para>
/// <para>Deliberate differences from POE::Filter::HTTPD 1.370: methods must be tokens (and CONNECT
/// gets 501); Transfer-Encoding is honoured; a malformed field line is an error, not a silent end
/// of the headers; error bodies are HTML-escaped and never reflect the input; requests pipelined
/// after <c>Content-Length: 0</c> are kept; limits produce 413/414/431 records instead of dying;
/// Put writes the standard reason phrase (no "(OK)"), Date, Content-Length and Connection.</para>
/// </remarks>
public sealed class HttpdFilter : IFilter<HttpMessage, HttpResponse>
{
    // The filter only sequences its parts: the head parser, the body reader of the request's framing,
    // and the response writer. Each part keeps the state it needs and no other.
    private enum State
    {
        Head,          // parsing a request head
        Body,          // reading a buffered body; the request record comes when it is complete
        StreamRequest, // streaming: the interim record was returned, the request record is due
        StreamBody,    // streaming: body pieces
        StreamFailed,  // streaming: good body bytes were returned before an error, which comes next
        Closed,        // after an error record or a closing request: nothing more is read
    }

    private readonly HttpdLimits _limits;
    private readonly TimeProvider _time;
    private readonly HttpRequestHeadParser _head;
    // Created by the first request with such a body and kept: most connections never need one.
    private ContentLengthBodyReader? _contentLengthBody;
    private ChunkedBodyReader? _chunkedBody;
    private readonly HttpResponseWriter _writer;

    private State _state;
    private HttpBodyReader? _body;     // the reader of the current request's body, if it has one
    private bool _keepAlive;           // the current request leaves the connection open
    private long _streamOffset;        // streaming: body bytes already returned
    private HttpParseError _pending;   // streaming: the error found after the last piece

    /// <summary>Creates a filter with <paramref name="limits"/> (defaults when null).</summary>
    /// <param name="limits">Size limits and strictness settings.</param>
    /// <param name="time">Clock for the Date header (system clock when null).</param>
    public HttpdFilter(HttpdLimits? limits = null, TimeProvider? time = null)
    {
        _limits = limits ?? HttpdLimits.Default;
        _limits.Validate();
        _time = time ?? TimeProvider.System;
        _head = new HttpRequestHeadParser(_limits);
        _writer = new HttpResponseWriter(_time);
    }

    /// <inheritdoc />
    public string Name => "HTTPD";

    /// <summary>The limits this filter enforces.</summary>
    public HttpdLimits Limits => _limits;

    /// <summary>
    /// The error of the last <see cref="TryGetOne"/> that returned <see cref="DecodeStatus.Error"/>
    /// (input after the connection's last request), or the summary of the last rejection record.
    /// </summary>
    public FilterError? LastError { get; private set; }

    /// <summary>True after an error record or a closing request: input is discarded until <see cref="Reset"/>.</summary>
    public bool IsClosed => _state == State.Closed;

    /// <inheritdoc />
    public DecodeStatus TryGet(ReadOnlySpan<byte> input, out object? record, out int consumed)
    {
        DecodeStatus status = TryGetOne(input, out HttpMessage? message, out consumed);
        record = status == DecodeStatus.Error ? LastError : message;
        return status;
    }

    /// <inheritdoc />
    public DecodeStatus TryGetOne(ReadOnlySpan<byte> input, out HttpMessage? record, out int consumed)
    {
        record = null;
        consumed = 0;
        if (_state == State.Closed)
        {
            if (input.IsEmpty) return DecodeStatus.NeedMoreData;
            consumed = input.Length;
            LastError = new FilterError(Name, $"{input.Length} bytes after the connection's last request were discarded; close the connection.");
            return DecodeStatus.Error;
        }

        // A caller that presents fewer bytes than already examined did not keep our bytes: start over.
        if (input.Length < Scanned()) ResetRequest();
        switch (_state)
        {
            case State.Head:
                return ReadHead(input, out record, out consumed);
            case State.Body:
                return ReadBody(input, out record, out consumed);
            case State.StreamRequest:
                record = _head.Request;
                consumed = 1; // the byte the interim record left (see ReadHead)
                _state = State.StreamBody;
                return DecodeStatus.Record;
            default:
                return ReadPiece(input, out record, out consumed);
        }
    }

    private int Scanned() => _state switch
    {
        State.Head => _head.Scanned,
        State.Body or State.StreamBody => _body!.Scanned,
        State.StreamRequest => 1,
        _ => 0,
    };

    private DecodeStatus ReadHead(ReadOnlySpan<byte> input, out HttpMessage? record, out int consumed)
    {
        record = null;
        consumed = 0;
        HttpParseError error = _head.Parse(input, out int headEnd);
        if (error.IsError) return Rejected(error, input.Length, out record, out consumed);
        if (headEnd < 0) return DecodeStatus.NeedMoreData;

        HttpRequest request = _head.Request!;
        _keepAlive = _head.KeepAlive;
        bool streaming = _limits.StreamBodies;
        _body = _head.Framing switch
        {
            HttpBodyFraming.Chunked => (_chunkedBody ??= new ChunkedBodyReader(_limits)).Begin(request, headEnd, buffered: !streaming),
            HttpBodyFraming.ContentLength => (_contentLengthBody ??= new ContentLengthBodyReader()).Begin(headEnd, _head.ContentLength, wholeOnly: !streaming),
            _ => null,
        };
        if (_body is null) return Complete(request, headEnd, out record, out consumed);

        // Split-independent rule: the interim record comes whenever such a head completes, even when
        // body bytes already follow it (RFC 9110 §10.1.1 lets a server omit it then, but does not
        // require that; clients accept any 1xx before the final response).
        bool interim = _limits.AutoContinue && _head.ExpectsContinue;
        if (streaming)
        {
            _streamOffset = 0;
            _body.Rebase(headEnd);
            if (interim)
            {
                // The head yields two records, and every record must consume input (a wheel stops
                // decoding after one that does not): the interim record takes all of the head but its
                // last byte, the request record that byte.
                record = new HttpContinueResponse(request);
                consumed = headEnd - 1;
                _state = State.StreamRequest;
            }
            else
            {
                record = request;
                consumed = headEnd;
                _state = State.StreamBody;
            }
            return DecodeStatus.Record;
        }

        _state = State.Body;
        if (interim)
        {
            // The interim record consumes the head, so it is never a record from no bytes, and the
            // body that may follow is read next.
            _body.Rebase(headEnd);
            record = new HttpContinueResponse(request);
            consumed = headEnd;
            return DecodeStatus.Record;
        }
        return ReadBody(input, out record, out consumed);
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // off the common path; keeps TryGetOne small
    private DecodeStatus ReadBody(ReadOnlySpan<byte> input, out HttpMessage? record, out int consumed)
    {
        record = null;
        consumed = 0;
        HttpParseError error = _body!.Read(input, int.MaxValue, out bool complete);
        if (error.IsError) return Rejected(error, input.Length, out record, out consumed);
        if (!complete) return DecodeStatus.NeedMoreData;
        HttpRequest request = _head.Request!;
        request.Body = _body.TakeData(input);
        return Complete(request, _body.Position, out record, out consumed);
    }

    /// <summary>
    /// Streaming: a piece of the body with what the input holds, at most
    /// <see cref="HttpdLimits.MaxBodyPieceBytes"/>. A piece consumes its bytes and the framing parsed
    /// before them, so the reader's offsets move with the input.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // off the common path; keeps TryGetOne small
    private DecodeStatus ReadPiece(ReadOnlySpan<byte> input, out HttpMessage? record, out int consumed)
    {
        record = null;
        consumed = 0;
        if (_state == State.StreamFailed) return Rejected(_pending, input.Length, out record, out consumed);

        HttpBodyReader body = _body!;
        HttpParseError error = body.Read(input, _limits.MaxBodyPieceBytes, out bool complete);
        if (error.IsError)
        {
            if (body.Collected == 0) return Rejected(error, input.Length, out record, out consumed);
            // Return the good bytes first, so the pieces do not depend on how the input was split.
            record = Piece(input, isFinal: false);
            consumed = body.Position;
            _pending = error;
            _state = State.StreamFailed;
            return DecodeStatus.Record;
        }

        if (complete)
        {
            record = Piece(input, isFinal: true);
            consumed = body.Position;
            bool keepAlive = _keepAlive;
            ResetRequest();
            _state = keepAlive ? State.Head : State.Closed;
            return DecodeStatus.Record;
        }

        if (body.Collected == 0) return DecodeStatus.NeedMoreData;
        record = Piece(input, isFinal: false);
        consumed = body.Position;
        body.Rebase(consumed);
        return DecodeStatus.Record;
    }

    private HttpRequestBodyPiece Piece(ReadOnlySpan<byte> input, bool isFinal)
    {
        byte[] data = _body!.TakeData(input);
        var piece = new HttpRequestBodyPiece(_head.Request!, data, _streamOffset, isFinal);
        _streamOffset += data.Length;
        return piece;
    }

    private DecodeStatus Complete(HttpRequest request, int end, out HttpMessage? record, out int consumed)
    {
        record = request;
        consumed = end;
        bool keepAlive = _keepAlive;
        ResetRequest();
        _state = keepAlive ? State.Head : State.Closed;
        return DecodeStatus.Record;
    }

    /// <summary>
    /// The error record for a rejected request (also kept as <c>LastError</c>); it consumes all of
    /// <paramref name="inputLength"/>, and the filter is closed: nothing after it is read.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // off the common path; keeps TryGetOne small
    private DecodeStatus Rejected(HttpParseError error, int inputLength, out HttpMessage? record, out int consumed)
    {
        var response = new HttpErrorResponse(error.Reason, error.Detail!) { Request = _head.Request };
        LastError = new FilterError(Name, $"{response.StatusCode} {error.Reason}: {response.Detail}");
        record = response;
        consumed = inputLength;
        ResetRequest();
        _state = State.Closed;
        return DecodeStatus.Record;
    }

    private void ResetRequest()
    {
        _state = State.Head;
        _head.Reset();
        _body = null;
        _keepAlive = false;
        _streamOffset = 0;
        _pending = default;
    }

    /// <summary>
    /// Writes <paramref name="response"/>: status line with the standard reason phrase, the
    /// response's headers, then Date, Content-Length (or <c>Transfer-Encoding: chunked</c> when
    /// <see cref="HttpResponse.Streamed"/>) and Connection unless the response sets them, a blank
    /// line and the body (none for HEAD, 204 and 304). An interim (1xx) response, such as
    /// <see cref="HttpContinueResponse"/>, is only its status line, its own header fields and the
    /// blank line: <c>HTTP/1.1 100 Continue\r\n\r\n</c>; it changes no state of the filter.
    /// </summary>
    /// <exception cref="InvalidOperationException">A streamed response is still open: Put <see cref="HttpBodyChunk.Final"/> first.</exception>
    /// <exception cref="ArgumentException">An interim response for HTTP/1.0, which has none.</exception>
    public void Put(HttpResponse response, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(output);
        _writer.Write(response, output);
    }

    /// <summary>Writes one piece of the streamed body started by the last <see cref="HttpResponse.Streamed"/> response.</summary>
    /// <exception cref="InvalidOperationException">No streamed response is open.</exception>
    public void Put(HttpBodyChunk chunk, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        ArgumentNullException.ThrowIfNull(output);
        _writer.Write(chunk, output);
    }

    /// <inheritdoc />
    public void Put(object record, IBufferWriter<byte> output)
    {
        switch (record)
        {
            case HttpResponse response: Put(response, output); break;
            case HttpBodyChunk chunk: Put(chunk, output); break;
            default:
                throw new ArgumentException(
                    $"HTTPD accepts HttpResponse and HttpBodyChunk records for Put, not {record?.GetType().Name ?? "null"}.", nameof(record));
        }
    }

    /// <inheritdoc />
    public void Reset()
    {
        ResetRequest();
        _writer.Reset();
        LastError = null;
    }

    /// <inheritdoc />
    public IFilter Clone() => new HttpdFilter(_limits, _time);
}
