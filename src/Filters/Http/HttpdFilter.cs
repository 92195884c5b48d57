using System.Buffers;
using System.Text;

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
public sealed partial class HttpdFilter : IFilter<HttpMessage, HttpResponse>
{
    private readonly HttpdLimits _limits;
    private readonly TimeProvider _time;

    /// <summary>Creates a filter with <paramref name="limits"/> (defaults when null).</summary>
    /// <param name="limits">Size limits and strictness settings.</param>
    /// <param name="time">Clock for the Date header (system clock when null).</param>
    public HttpdFilter(HttpdLimits? limits = null, TimeProvider? time = null)
    {
        _limits = limits ?? HttpdLimits.Default;
        _limits.Validate();
        _time = time ?? TimeProvider.System;
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
        _state = State.RequestLine;
        _putMode = PutMode.None;
        LastError = null;
    }

    /// <inheritdoc />
    public IFilter Clone() => new HttpdFilter(_limits, _time);

    private static string Latin1(ReadOnlySpan<byte> bytes) => bytes.IsEmpty ? "" : Encoding.Latin1.GetString(bytes);
}
