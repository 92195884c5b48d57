using System.Runtime.CompilerServices;
using System.Text;

namespace PoeSharp.Filters.Http;

/// <summary>
/// Parses a request head: the request line and the header section, up to the empty line. It checks
/// everything that depends on the head alone (syntax, Host, framing fields, expectations) and says
/// how the body is framed; it knows nothing of bodies or responses.
/// </summary>
/// <remarks>
/// <para>Its state is the scan position of the head being parsed, so no byte is examined twice;
/// offsets are relative to the start of the caller's input, which holds the head from its first byte.
/// <see cref="Reset"/> starts the next head.</para>
/// <para>Across requests it keeps only the strings of the previous request (re-used when the bytes
/// match, as Kestrel re-uses the path) and its field count (the size of the next field array).</para>
/// </remarks>
internal sealed class HttpRequestHeadParser
{
    private enum LinePhase { Blank, Method, Target, Version, AfterCr }

    private static readonly string[] ValueCacheEmpty = [];

    private readonly HttpdLimits _limits;

    // Request line: a byte state machine, so an invalid prefix is rejected before its LF arrives.
    private int _pos;
    private LinePhase _phase;
    private int _lineStart, _methodEnd, _targetStart, _targetEnd, _versionStart;

    // Header section.
    private HttpFieldLineReader _fields = new(trailers: false);
    private HttpRequest? _request;
    private HttpHeaderCollection? _headers;
    private int _fieldCount;
    private long _contentLength = -1;
    private string? _transferEncoding;
    private int _hostCount;
    private bool _connectionClose, _connectionKeepAlive;
    private bool _expectContinue, _expectOther;

    // Kept across requests.
    private int _lastFieldCount = 4;
    private string? _lastTarget;
    private string[] _lastValues = ValueCacheEmpty;

    public HttpRequestHeadParser(HttpdLimits limits) => _limits = limits;

    /// <summary>The request once its request line is parsed; null before.</summary>
    public HttpRequest? Request => _request;

    /// <summary>How the body of the complete head is framed.</summary>
    public HttpBodyFraming Framing =>
        _transferEncoding is not null ? HttpBodyFraming.Chunked : _contentLength > 0 ? HttpBodyFraming.ContentLength : HttpBodyFraming.None;

    /// <summary>The Content-Length of the complete head, -1 without one.</summary>
    public long ContentLength => _contentLength;

    /// <summary>The connection stays open after this request: HTTP/1.1 without <c>Connection: close</c>, or HTTP/1.0 with keep-alive.</summary>
    public bool KeepAlive => !_connectionClose && (_connectionKeepAlive || !HttpVersions.IsHttp10(_request!.Version));

    /// <summary>An HTTP/1.1 head that expects 100-continue.</summary>
    public bool ExpectsContinue => _expectContinue && !HttpVersions.IsHttp10(_request!.Version);

    /// <summary>How far the input has been examined.</summary>
    public int Scanned => _request is null ? _pos : _fields.Scanned;

    /// <summary>Forgets the head being parsed; the next byte is the start of a new request.</summary>
    public void Reset()
    {
        _pos = 0;
        _phase = LinePhase.Blank;
        _lineStart = _methodEnd = _targetStart = _targetEnd = _versionStart = 0;
        _fields.Begin(0);
        _request = null;
        _headers = null;
        _fieldCount = 0;
        _contentLength = -1;
        _transferEncoding = null;
        _hostCount = 0;
        _connectionClose = _connectionKeepAlive = false;
        _expectContinue = _expectOther = false;
    }

    /// <summary>
    /// Parses on from where the last call stopped. <paramref name="headEnd"/> is past the empty line
    /// once the head is complete and valid, -1 while more bytes are needed.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // its loop stays in one frame with its helpers
    public HttpParseError Parse(ReadOnlySpan<byte> input, out int headEnd)
    {
        headEnd = -1;
        if (_request is null)
        {
            HttpParseError error = ParseRequestLine(input);
            if (error.IsError || _request is null) return error;
        }

        int limit = _limits.MaxHeaderBytes;
        while (true)
        {
            HttpParseError error = _fields.Next(input, limit, out ReadOnlySpan<byte> line, out int sectionEnd);
            if (error.IsError) return error;
            if (sectionEnd > 0)
            {
                error = CompleteHead();
                if (!error.IsError)
                {
                    headEnd = sectionEnd;
                    _lastFieldCount = Math.Max(_headers!.Count, 1);
                }
                return error;
            }
            if (line.IsEmpty) return HttpParseError.None;
            error = AddField(line);
            if (error.IsError) return error;
        }
    }

    private HttpParseError ParseRequestLine(ReadOnlySpan<byte> input)
    {
        int pos = _pos;
        // Scan no further than the limit, so the outcome does not depend on how the bytes were split.
        int len = Math.Min(input.Length, _limits.MaxRequestLineLength);
        ReadOnlySpan<byte> window = input[..len];
        bool done = false;
        while (pos < len && !done)
        {
            switch (_phase)
            {
                case LinePhase.Blank:
                    // RFC 9112 §2.2: ignore empty lines before the request line (a CRLF after a body).
                    byte b = window[pos];
                    if (b == '\n') { pos++; break; }
                    if (b == '\r')
                    {
                        if (pos + 1 >= len) goto NeedMore;
                        if (window[pos + 1] != '\n') return HttpParseError.Fail(RejectionReason.BareCarriageReturn, "A CR before the request line is not followed by LF.");
                        pos += 2;
                        break;
                    }
                    _lineStart = pos;
                    _phase = LinePhase.Method;
                    break;

                case LinePhase.Method:
                {
                    int i = window[pos..].IndexOfAnyExcept(HttpChars.Token);
                    if (i < 0) { pos = len; break; }
                    pos += i;
                    if (pos == _lineStart || window[pos] != ' ')
                        return HttpParseError.Fail(RejectionReason.InvalidRequestLine, "The request line must start with a method token followed by one space.");
                    _methodEnd = pos;
                    _targetStart = ++pos;
                    _phase = LinePhase.Target;
                    break;
                }

                case LinePhase.Target:
                {
                    int i = window[pos..].IndexOfAnyExceptInRange((byte)0x21, (byte)0x7E);
                    if (i < 0) { pos = len; break; }
                    pos += i;
                    if (pos == _targetStart || window[pos] != ' ')
                    {
                        byte c = window[pos];
                        return c is (byte)'\r' or (byte)'\n' or (byte)' '
                            ? HttpParseError.Fail(RejectionReason.InvalidRequestLine, "The request line must be 'method target HTTP/x.y'.")
                            : HttpParseError.Fail(RejectionReason.InvalidTarget, "The request target contains a character that must be percent-encoded.");
                    }
                    _targetEnd = pos;
                    _versionStart = ++pos;
                    _phase = LinePhase.Version;
                    break;
                }

                case LinePhase.Version:
                {
                    if (pos == _versionStart && window.Length - pos >= 10 && window.Slice(pos, 10).SequenceEqual("HTTP/1.1\r\n"u8))
                    {
                        pos += 10; // the common case in one comparison
                        done = true;
                        break;
                    }
                    int k = pos - _versionStart;
                    byte c = window[pos];
                    if (k < 8)
                    {
                        bool ok = k switch
                        {
                            < 5 => c == "HTTP/"u8[k],
                            5 or 7 => char.IsAsciiDigit((char)c),
                            _ => c == '.',
                        };
                        if (!ok) return HttpParseError.Fail(RejectionReason.InvalidVersion, "The protocol must be HTTP/DIGIT.DIGIT.");
                        pos++;
                    }
                    else if (c == '\r') { pos++; _phase = LinePhase.AfterCr; }
                    else if (c == '\n') { pos++; done = true; }
                    else return HttpParseError.Fail(RejectionReason.InvalidVersion, "The protocol must be HTTP/DIGIT.DIGIT followed by the line end.");
                    break;
                }

                case LinePhase.AfterCr:
                    if (window[pos] != '\n') return HttpParseError.Fail(RejectionReason.BareCarriageReturn, "The request line ends with a CR that is not followed by LF.");
                    pos++;
                    done = true;
                    break;
            }
        }

    NeedMore:
        _pos = pos;
        if (!done)
        {
            return input.Length > _limits.MaxRequestLineLength
                ? HttpParseError.Fail(RejectionReason.RequestLineTooLong, $"The request line is longer than {_limits.MaxRequestLineLength} bytes.")
                : HttpParseError.None;
        }
        return CompleteRequestLine(input);
    }

    private HttpParseError CompleteRequestLine(ReadOnlySpan<byte> input)
    {
        int major = input[_versionStart + 5] - '0', minor = input[_versionStart + 7] - '0';
        if (major != 1)
            return HttpParseError.Fail(RejectionReason.UnsupportedVersion, $"HTTP/{major}.{minor} is not supported; use HTTP/1.1.");

        string method = KnownStrings.Method(input[_lineStart.._methodEnd]);
        ReadOnlySpan<byte> targetBytes = input[_targetStart.._targetEnd];
        if (ReferenceEquals(method, "CONNECT"))
            return HttpParseError.Fail(RejectionReason.MethodNotImplemented, "CONNECT is not implemented by this server.");
        if (targetBytes[0] != '/')
        {
            if (targetBytes.Length == 1 && targetBytes[0] == '*')
            {
                if (!ReferenceEquals(method, "OPTIONS"))
                    return HttpParseError.Fail(RejectionReason.InvalidTarget, "The asterisk-form target is only valid for OPTIONS.");
            }
            else if (!IsAbsoluteForm(targetBytes))
                return HttpParseError.Fail(RejectionReason.InvalidTarget, "The request target must be a path starting with '/' or an absolute URI.");
            else if (!HttpAuthority.IsValidTargetAuthority(HttpAuthority.AuthorityOf(targetBytes)))
                return HttpParseError.Authority(RejectionReason.InvalidTarget, "The request target's authority", HttpAuthority.AuthorityOf(targetBytes));
        }

        string target;
        if (KnownStrings.Matches(_lastTarget, targetBytes)) target = _lastTarget!;
        else _lastTarget = target = targetBytes is [(byte)'/'] ? "/" : Latin1(targetBytes);   // the usual target: one string for every connection

        _headers = new HttpHeaderCollection(_lastFieldCount);
        _request = new HttpRequest(method, target, HttpVersions.Get(major, minor), _headers);
        _fields.Begin(_pos);
        return HttpParseError.None;
    }

    private static bool IsAbsoluteForm(ReadOnlySpan<byte> t)
    {
        // scheme "://" ... : scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
        int colon = t.IndexOf((byte)':');
        if (colon <= 0 || !char.IsAsciiLetter((char)t[0])) return false;
        foreach (byte b in t[..colon])
            if (!char.IsAsciiLetterOrDigit((char)b) && b is not ((byte)'+' or (byte)'-' or (byte)'.')) return false;
        return t[(colon + 1)..].StartsWith("//"u8) && t.Length > colon + 3;
    }

    private HttpParseError AddField(ReadOnlySpan<byte> line)
    {
        HttpParseError error = HttpFieldLineReader.Split(line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value);
        if (error.IsError) return error;
        if (++_fieldCount > _limits.MaxHeaderCount)
            return HttpParseError.Fail(RejectionReason.TooManyHeaders, $"More than {_limits.MaxHeaderCount} fields.");

        string nameText = KnownStrings.HeaderName(name);
        int index = _headers!.Count;
        string valueText;
        if (index < _lastValues.Length && KnownStrings.Matches(_lastValues[index], value)) valueText = _lastValues[index];
        else
        {
            valueText = Latin1(value);
            if (index < 32)
            {
                // Sized to the fields the previous request had (4 before the first), doubled past that:
                // an idle connection keeps this array, so it holds no slots its client does not use.
                if (index >= _lastValues.Length) Array.Resize(ref _lastValues, Math.Min(32, Math.Max(Math.Max(index + 1, _lastFieldCount), index * 2)));
                _lastValues[index] = valueText;
            }
        }
        _headers.AddUnchecked(nameText, valueText);
        return NoteFramingField(name, value, valueText);
    }

    private HttpParseError NoteFramingField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, string valueText)
    {
        if (name.Length == 14 && Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
        {
            if (value.IsEmpty || value.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
                return HttpParseError.Fail(RejectionReason.InvalidContentLength, "Content-Length must be a decimal number.");
            if (value.Length > 18 || !long.TryParse(value, out long length))
                return HttpParseError.Fail(RejectionReason.ContentTooLarge, "Content-Length has more than 18 digits.");
            if (length > _limits.BodyLimit)
                return HttpParseError.Fail(RejectionReason.ContentTooLarge, $"The body is larger than {_limits.BodyLimit} bytes.");
            if (_contentLength >= 0 && _contentLength != length)
                return HttpParseError.Fail(RejectionReason.ConflictingContentLength, "Several Content-Length fields with different values.");
            _contentLength = length;
        }
        else if (name.Length == 17 && Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
        {
            _transferEncoding = _transferEncoding is null ? valueText : _transferEncoding + "," + valueText;
        }
        else if (name.Length == 10 && Ascii.EqualsIgnoreCase(name, "Connection"u8))
        {
            foreach (Range r in value.Split((byte)','))
            {
                ReadOnlySpan<byte> option = value[r].Trim(" \t"u8);
                if (Ascii.EqualsIgnoreCase(option, "close"u8)) _connectionClose = true;
                else if (Ascii.EqualsIgnoreCase(option, "keep-alive"u8)) _connectionKeepAlive = true;
            }
        }
        else if (name.Length == 6 && (name[0] | 0x20) == 'e' && Ascii.EqualsIgnoreCase(name, "Expect"u8))
        {
            NoteExpectations(value);
        }
        else if (name.Length == 4 && Ascii.EqualsIgnoreCase(name, "Host"u8))
        {
            if (++_hostCount > 1)
                return HttpParseError.Fail(RejectionReason.MultipleHost, "More than one Host field.");
            if (!HttpAuthority.IsValidHost(value))
                return HttpParseError.Authority(RejectionReason.InvalidHost, "The Host value", value);
        }
        return HttpParseError.None;
    }

    /// <summary>
    /// Expect = #expectation; only 100-continue (no parameters) is defined, and empty list elements
    /// are allowed (RFC 9110 §5.6.1). Judged in CompleteHead, once the version counts. Kept out of
    /// line: rare, and the field loop stays small.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void NoteExpectations(ReadOnlySpan<byte> value)
    {
        foreach (Range r in value.Split((byte)','))
        {
            ReadOnlySpan<byte> expectation = value[r].Trim(" \t"u8);
            if (expectation.IsEmpty) continue;
            if (Ascii.EqualsIgnoreCase(expectation, "100-continue"u8)) _expectContinue = true;
            else _expectOther = true;
        }
    }

    private HttpParseError CompleteHead()
    {
        HttpRequest request = _request!;
        bool http10 = HttpVersions.IsHttp10(request.Version);
        if (_hostCount == 0 && !http10 && _limits.RequireHost)
            return HttpParseError.Fail(RejectionReason.MissingHost, "An HTTP/1.1 request must have a Host field.");

        if (_transferEncoding is not null)
        {
            if (http10)
                return HttpParseError.Fail(RejectionReason.TransferEncodingInHttp10, "Transfer-Encoding is not defined for HTTP/1.0.");
            if (_contentLength >= 0)
                return HttpParseError.Fail(RejectionReason.ContentLengthWithTransferEncoding, "A request cannot have both Content-Length and Transfer-Encoding.");
            bool chunkedLast = false, other = false;
            foreach (Range r in _transferEncoding.AsSpan().Split(','))
            {
                ReadOnlySpan<char> coding = _transferEncoding.AsSpan()[r];
                int semi = coding.IndexOf(';');
                if (semi >= 0) coding = coding[..semi];
                coding = coding.Trim(" \t");
                if (coding.IsEmpty) continue;
                if (chunkedLast || !HttpChars.IsToken(coding))
                    return HttpParseError.Fail(RejectionReason.ChunkedNotFinal, "chunked must be the last and only once applied transfer coding.");
                if (coding.Equals("chunked", StringComparison.OrdinalIgnoreCase)) chunkedLast = true;
                else other = true;
            }
            if (!chunkedLast)
                return HttpParseError.Fail(RejectionReason.ChunkedNotFinal, "Transfer-Encoding must end with chunked.");
            if (other)
                return HttpParseError.Fail(RejectionReason.UnsupportedTransferCoding, "Only the chunked transfer coding is implemented.");
        }
        else if (_contentLength < 0 && http10 && (ReferenceEquals(request.Method, "POST") || ReferenceEquals(request.Method, "PUT")))
            // HTTP/1.0 has no other way to delimit a request body (Kestrel: LengthRequiredHttp10);
            // in HTTP/1.1 no Content-Length and no Transfer-Encoding means an empty body (RFC 9112 §6.3).
            return HttpParseError.Fail(RejectionReason.LengthRequired, $"An HTTP/1.0 {request.Method} needs Content-Length.");

        // HTTP/1.0 predates Expect: a server MUST ignore 100-continue there (RFC 9110 §10.1.1), and
        // ignores the rest with it. Checked after the framing, so a framing error keeps its status.
        if (_expectOther && !http10 && _limits.AutoContinue)
            return HttpParseError.Fail(RejectionReason.ExpectationFailed, "The only expectation this server can meet is 100-continue.");
        return HttpParseError.None;
    }

    internal static string Latin1(ReadOnlySpan<byte> bytes) => bytes.IsEmpty ? "" : Encoding.Latin1.GetString(bytes);
}
