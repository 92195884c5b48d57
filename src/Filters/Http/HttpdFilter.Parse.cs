using System.Runtime.CompilerServices;
using System.Text;

namespace PoeSharp.Filters.Http;

public sealed partial class HttpdFilter
{
    // The Stream* states follow Closed: only HttpdLimits.StreamBodies reaches them (HttpdFilter.Stream.cs).
    private enum State
    {
        RequestLine, Headers, Body, ChunkLine, ChunkData, Trailers, Closed,
        StreamHead, StreamBody, StreamChunkLine, StreamChunkData, StreamChunkEnd, StreamTrailers, StreamFailed,
    }

    private enum LinePhase { Blank, Method, Target, Version, AfterCr }

    private static readonly string[] ValueCacheEmpty = [];

    private State _state;

    // Offsets are relative to the start of the current request, which is the start of the input
    // until a record is returned (the caller drops consumed bytes and re-presents the rest).
    private int _pos;          // request line: next byte to examine
    private LinePhase _phase;
    private int _lineStart, _methodEnd, _targetStart, _targetEnd, _versionStart;

    private int _fieldLineStart, _fieldScan, _sectionStart; // header and trailer lines
    private HttpHeaderCollection? _headers;
    private int _headerCount;
    private long _contentLength = -1;
    private string? _transferEncoding;
    private int _hostCount;
    private bool _connectionClose, _connectionKeepAlive;
    private bool _expectContinue, _expectOther;
    private int _interimEnd; // > 0: the head ends here and an HttpContinueResponse is due
    private int _lastHeaderCount = 4;

    private HttpRequest? _request;
    private int _bodyStart;

    private int _chunkSize;
    private long _chunkTotal, _chunkFraming;
    private readonly List<(int Start, int Length)> _chunks = [];

    // Strings of the previous request, re-used when the bytes match (Kestrel re-uses the path).
    private string? _lastTarget;
    private string[] _lastValues = ValueCacheEmpty;

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
        if (input.Length < ScannedSoFar()) ResetRequest();
        if (_state > State.Closed) return TryGetStreamed(input, out record, out consumed);

        RejectionReason reason = default;
        string? detail = null;
        int end = -1;
        bool rejected = _state switch
        {
            State.RequestLine => !ParseRequestLine(input, ref reason, ref detail) || (_state != State.RequestLine && !ContinueHead(input, ref reason, ref detail, ref end)),
            State.Headers or State.Body or State.ChunkLine or State.ChunkData or State.Trailers => !ContinueHead(input, ref reason, ref detail, ref end),
            _ => false,
        };

        if (!rejected && _interimEnd > 0)
        {
            // The interim record consumes the head, so it is never a record from no bytes (a wheel
            // waits for new input after one of those) and the body that may follow is parsed next.
            record = new HttpContinueResponse(_request!);
            consumed = _interimEnd;
            _interimEnd = 0;
            _bodyStart = _fieldLineStart = _fieldScan = 0;
            return DecodeStatus.Record;
        }

        if (rejected)
        {
            return Rejected(reason, detail, input.Length, out record, out consumed);
        }
        if (end < 0) return DecodeStatus.NeedMoreData;
        if (_state == State.StreamHead) return EmitStreamHead(end, out record, out consumed);

        HttpRequest request = _request!;
        record = request;
        consumed = end;
        bool keepAlive = !_connectionClose && (_connectionKeepAlive || !HttpVersions.IsHttp10(request.Version));
        _lastHeaderCount = Math.Max(request.Headers.Count, 1);
        ResetRequest();
        _state = keepAlive ? State.RequestLine : State.Closed;
        return DecodeStatus.Record;
    }

    private int ScannedSoFar() => _state switch
    {
        State.RequestLine => _pos,
        State.Headers or State.Trailers or State.ChunkLine => _fieldScan,
        State.ChunkData => _fieldLineStart,
        State.Body => _bodyStart,
        State.StreamHead => 1,
        State.StreamBody or State.StreamChunkData or State.StreamChunkEnd => _streamPos,
        State.StreamChunkLine or State.StreamTrailers => _fieldScan,
        _ => 0,
    };

    private void ResetRequest()
    {
        _state = State.RequestLine;
        _pos = 0;
        _phase = LinePhase.Blank;
        _lineStart = _methodEnd = _targetStart = _targetEnd = _versionStart = 0;
        _fieldLineStart = _fieldScan = _sectionStart = 0;
        _headers = null;
        _headerCount = 0;
        _contentLength = -1;
        _transferEncoding = null;
        _hostCount = 0;
        _connectionClose = _connectionKeepAlive = false;
        _expectContinue = _expectOther = false;
        _interimEnd = 0;
        _request = null;
        _bodyStart = 0;
        _chunkSize = 0;
        _chunkTotal = _chunkFraming = 0;
        _chunks.Clear();
        _streamPos = 0;
        _streamRemaining = _streamOffset = 0;
        _pendingDetail = null;
    }

    // ---- request line: a byte state machine so an invalid prefix is rejected before its LF arrives ----

    private bool ParseRequestLine(ReadOnlySpan<byte> input, ref RejectionReason reason, ref string? detail)
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
                        if (window[pos + 1] != '\n') return Fail(RejectionReason.BareCarriageReturn, "A CR before the request line is not followed by LF.", ref reason, ref detail);
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
                        return Fail(RejectionReason.InvalidRequestLine, "The request line must start with a method token followed by one space.", ref reason, ref detail);
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
                            ? Fail(RejectionReason.InvalidRequestLine, "The request line must be 'method target HTTP/x.y'.", ref reason, ref detail)
                            : Fail(RejectionReason.InvalidTarget, "The request target contains a character that must be percent-encoded.", ref reason, ref detail);
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
                        if (!ok) return Fail(RejectionReason.InvalidVersion, "The protocol must be HTTP/DIGIT.DIGIT.", ref reason, ref detail);
                        pos++;
                    }
                    else if (c == '\r') { pos++; _phase = LinePhase.AfterCr; }
                    else if (c == '\n') { pos++; done = true; }
                    else return Fail(RejectionReason.InvalidVersion, "The protocol must be HTTP/DIGIT.DIGIT followed by the line end.", ref reason, ref detail);
                    break;
                }

                case LinePhase.AfterCr:
                    if (window[pos] != '\n') return Fail(RejectionReason.BareCarriageReturn, "The request line ends with a CR that is not followed by LF.", ref reason, ref detail);
                    pos++;
                    done = true;
                    break;
            }
        }

    NeedMore:
        _pos = pos;
        if (!done)
        {
            if (input.Length > _limits.MaxRequestLineLength)
                return Fail(RejectionReason.RequestLineTooLong, $"The request line is longer than {_limits.MaxRequestLineLength} bytes.", ref reason, ref detail);
            return true;
        }
        return CompleteRequestLine(input, ref reason, ref detail);
    }

    private bool CompleteRequestLine(ReadOnlySpan<byte> input, ref RejectionReason reason, ref string? detail)
    {
        int major = input[_versionStart + 5] - '0', minor = input[_versionStart + 7] - '0';
        if (major != 1)
            return Fail(RejectionReason.UnsupportedVersion, $"HTTP/{major}.{minor} is not supported; use HTTP/1.1.", ref reason, ref detail);

        string method = KnownStrings.Method(input[_lineStart.._methodEnd]);
        ReadOnlySpan<byte> targetBytes = input[_targetStart.._targetEnd];
        if (ReferenceEquals(method, "CONNECT"))
            return Fail(RejectionReason.MethodNotImplemented, "CONNECT is not implemented by this server.", ref reason, ref detail);
        if (targetBytes[0] != '/')
        {
            if (targetBytes.Length == 1 && targetBytes[0] == '*')
            {
                if (!ReferenceEquals(method, "OPTIONS"))
                    return Fail(RejectionReason.InvalidTarget, "The asterisk-form target is only valid for OPTIONS.", ref reason, ref detail);
            }
            else if (!IsAbsoluteForm(targetBytes))
                return Fail(RejectionReason.InvalidTarget, "The request target must be a path starting with '/' or an absolute URI.", ref reason, ref detail);
            else if (!HttpAuthority.IsValidTargetAuthority(HttpAuthority.AuthorityOf(targetBytes)))
                return FailAuthority(RejectionReason.InvalidTarget, "The request target's authority", HttpAuthority.AuthorityOf(targetBytes), ref reason, ref detail);
        }

        string target;
        if (KnownStrings.Matches(_lastTarget, targetBytes)) target = _lastTarget!;
        else _lastTarget = target = Latin1(targetBytes);

        _headers = new HttpHeaderCollection(_lastHeaderCount);
        _request = new HttpRequest(method, target, HttpVersions.Get(major, minor), _headers);
        _sectionStart = _fieldLineStart = _fieldScan = _pos;
        _state = State.Headers;
        return true;
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

    // ---- header section, body, chunked body, trailers ----

    private bool ContinueHead(ReadOnlySpan<byte> input, ref RejectionReason reason, ref string? detail, ref int end)
    {
        if (_state == State.Headers)
        {
            int sectionEnd = 0;
            if (!ParseFieldLines(input, trailers: false, ref reason, ref detail, ref sectionEnd)) return false;
            if (sectionEnd == 0) return true;
            if (!CompleteHead(ref reason, ref detail)) return false;
            _bodyStart = sectionEnd;
            if (_transferEncoding is not null)
            {
                _state = State.ChunkLine;
                _fieldLineStart = _fieldScan = sectionEnd;
            }
            else if (_contentLength > 0) _state = State.Body;
            else
            {
                end = sectionEnd;
                return true;
            }
            bool interim = _expectContinue && _limits.AutoContinue && !HttpVersions.IsHttp10(_request!.Version);
            if (_limits.StreamBodies)
            {
                BeginStream(sectionEnd, interim, ref end);
                return true;
            }
            if (interim)
            {
                // Split-independent rule: the interim record comes whenever such a head completes,
                // even when body bytes already follow it (RFC 9110 §10.1.1 lets a server omit it
                // then, but does not require that; clients accept any 1xx before the final response).
                _interimEnd = sectionEnd;
                return true;
            }
        }

        if (_state == State.Body)
        {
            long need = _bodyStart + _contentLength;
            if (input.Length < need) return true;
            _request!.Body = input.Slice(_bodyStart, (int)_contentLength).ToArray();
            end = (int)need;
            return true;
        }

        while (_state is State.ChunkLine or State.ChunkData)
        {
            if (_state == State.ChunkLine)
            {
                if (!ParseChunkLine(input, ref reason, ref detail)) return false;
                if (_state == State.ChunkLine) return true; // need more
            }
            if (_state == State.ChunkData)
            {
                int dataEnd = _fieldLineStart + _chunkSize;
                if (input.Length > dataEnd && input[dataEnd] != '\r')
                    return Fail(RejectionReason.InvalidChunk, "Chunk data is longer than its size.", ref reason, ref detail);
                if (input.Length > dataEnd + 1 && input[dataEnd + 1] != '\n')
                    return Fail(RejectionReason.InvalidChunk, "Chunk data must be followed by CRLF.", ref reason, ref detail);
                if (input.Length < dataEnd + 2) return true;
                _chunks.Add((_fieldLineStart, _chunkSize));
                _chunkFraming += 2;
                _fieldLineStart = _fieldScan = dataEnd + 2;
                _state = State.ChunkLine;
            }
        }

        if (_state == State.Trailers)
        {
            int sectionEnd = 0;
            if (!ParseFieldLines(input, trailers: true, ref reason, ref detail, ref sectionEnd)) return false;
            if (sectionEnd == 0) return true;
            _request!.Body = JoinChunks(input);
            end = sectionEnd;
        }
        return true;
    }

    private byte[] JoinChunks(ReadOnlySpan<byte> input)
    {
        if (_chunkTotal == 0) return [];
        var body = new byte[_chunkTotal];
        int at = 0;
        foreach (var (start, length) in _chunks)
        {
            input.Slice(start, length).CopyTo(body.AsSpan(at));
            at += length;
        }
        return body;
    }

    /// <summary>Reads field lines from <see cref="_fieldScan"/> until the empty line; sets <paramref name="sectionEnd"/> past it.</summary>
    private bool ParseFieldLines(ReadOnlySpan<byte> input, bool trailers, ref RejectionReason reason, ref string? detail, ref int sectionEnd)
    {
        int limit = _limits.MaxHeaderBytes;
        while (true)
        {
            int lf = input[_fieldScan..].IndexOf((byte)'\n');
            if (lf < 0)
            {
                _fieldScan = input.Length;
                if (input.Length - _sectionStart > limit)
                    return Fail(RejectionReason.HeadersTooLarge, $"The {(trailers ? "trailer" : "header")} section is larger than {limit} bytes.", ref reason, ref detail);
                return true;
            }
            int lineEnd = _fieldScan + lf;
            int next = lineEnd + 1;
            if (next - _sectionStart > limit)
                return Fail(RejectionReason.HeadersTooLarge, $"The {(trailers ? "trailer" : "header")} section is larger than {limit} bytes.", ref reason, ref detail);

            ReadOnlySpan<byte> line = input[_fieldLineStart..lineEnd];
            if (!line.IsEmpty && line[^1] == '\r') line = line[..^1];
            else if (trailers)
                return Fail(RejectionReason.InvalidChunk, "Trailer lines must end with CRLF.", ref reason, ref detail);

            _fieldLineStart = _fieldScan = next;
            if (line.IsEmpty)
            {
                sectionEnd = next;
                return true;
            }
            if (!ParseFieldLine(line, trailers, ref reason, ref detail)) return false;
        }
    }

    private bool ParseFieldLine(ReadOnlySpan<byte> line, bool trailer, ref RejectionReason reason, ref string? detail)
    {
        if (line[0] is (byte)' ' or (byte)'\t')
            return Fail(RejectionReason.ObsoleteLineFolding, "A field line starts with whitespace (obsolete line folding is not accepted).", ref reason, ref detail);
        int colon = line.IndexOfAnyExcept(HttpChars.Token);
        if (colon <= 0 || line[colon] != ':')
        {
            if (colon >= 0 && line[colon] == '\r')
                return Fail(RejectionReason.BareCarriageReturn, "A field name contains a CR.", ref reason, ref detail);
            if (colon > 0 && line[colon] is (byte)' ' or (byte)'\t' && line[colon..].TrimStart(" \t"u8) is [(byte)':', ..])
                return Fail(RejectionReason.InvalidHeaderLine, "Whitespace between a field name and its colon is not allowed.", ref reason, ref detail);
            return Fail(RejectionReason.InvalidHeaderLine, "A field line must be 'name: value' with a token name.", ref reason, ref detail);
        }
        ReadOnlySpan<byte> name = line[..colon];
        ReadOnlySpan<byte> value = line[(colon + 1)..].Trim(" \t"u8);
        int bad = value.IndexOfAny(HttpChars.NotFieldValue);
        if (bad >= 0)
        {
            return value[bad] == '\r'
                ? Fail(RejectionReason.BareCarriageReturn, "A field value contains a CR that does not end the line.", ref reason, ref detail)
                : Fail(RejectionReason.InvalidHeaderLine, "A field value contains a control character.", ref reason, ref detail);
        }

        if (++_headerCount > _limits.MaxHeaderCount)
            return Fail(RejectionReason.TooManyHeaders, $"More than {_limits.MaxHeaderCount} fields.", ref reason, ref detail);

        string nameText = KnownStrings.HeaderName(name);
        if (trailer)
        {
            _request!.Trailers.AddUnchecked(nameText, Latin1(value));
            return true;
        }

        int index = _headers!.Count;
        string valueText;
        if (index < _lastValues.Length && KnownStrings.Matches(_lastValues[index], value)) valueText = _lastValues[index];
        else
        {
            valueText = Latin1(value);
            if (index < 32)
            {
                if (index >= _lastValues.Length) Array.Resize(ref _lastValues, Math.Min(32, Math.Max(8, index * 2)));
                _lastValues[index] = valueText;
            }
        }
        _headers.AddUnchecked(nameText, valueText);
        return CheckFramingField(name, value, valueText, ref reason, ref detail);
    }

    private bool CheckFramingField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, string valueText, ref RejectionReason reason, ref string? detail)
    {
        if (name.Length == 14 && Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
        {
            if (value.IsEmpty || value.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
                return Fail(RejectionReason.InvalidContentLength, "Content-Length must be a decimal number.", ref reason, ref detail);
            if (value.Length > 18 || !long.TryParse(value, out long length))
                return Fail(RejectionReason.ContentTooLarge, "Content-Length has more than 18 digits.", ref reason, ref detail);
            if (length > _limits.BodyLimit)
                return Fail(RejectionReason.ContentTooLarge, $"The body is larger than {_limits.BodyLimit} bytes.", ref reason, ref detail);
            if (_contentLength >= 0 && _contentLength != length)
                return Fail(RejectionReason.ConflictingContentLength, "Several Content-Length fields with different values.", ref reason, ref detail);
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
                return Fail(RejectionReason.MultipleHost, "More than one Host field.", ref reason, ref detail);
            if (!HttpAuthority.IsValidHost(value))
                return FailAuthority(RejectionReason.InvalidHost, "The Host value", value, ref reason, ref detail);
        }
        return true;
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

    private bool CompleteHead(ref RejectionReason reason, ref string? detail)
    {
        HttpRequest request = _request!;
        bool http10 = HttpVersions.IsHttp10(request.Version);
        if (_hostCount == 0 && !http10 && _limits.RequireHost)
            return Fail(RejectionReason.MissingHost, "An HTTP/1.1 request must have a Host field.", ref reason, ref detail);

        if (_transferEncoding is not null)
        {
            if (http10)
                return Fail(RejectionReason.TransferEncodingInHttp10, "Transfer-Encoding is not defined for HTTP/1.0.", ref reason, ref detail);
            if (_contentLength >= 0)
                return Fail(RejectionReason.ContentLengthWithTransferEncoding, "A request cannot have both Content-Length and Transfer-Encoding.", ref reason, ref detail);
            bool chunkedLast = false, other = false;
            foreach (Range r in _transferEncoding.AsSpan().Split(','))
            {
                ReadOnlySpan<char> coding = _transferEncoding.AsSpan()[r];
                int semi = coding.IndexOf(';');
                if (semi >= 0) coding = coding[..semi];
                coding = coding.Trim(" \t");
                if (coding.IsEmpty) continue;
                if (chunkedLast || !HttpChars.IsToken(coding))
                    return Fail(RejectionReason.ChunkedNotFinal, "chunked must be the last and only once applied transfer coding.", ref reason, ref detail);
                if (coding.Equals("chunked", StringComparison.OrdinalIgnoreCase)) chunkedLast = true;
                else other = true;
            }
            if (!chunkedLast)
                return Fail(RejectionReason.ChunkedNotFinal, "Transfer-Encoding must end with chunked.", ref reason, ref detail);
            if (other)
                return Fail(RejectionReason.UnsupportedTransferCoding, "Only the chunked transfer coding is implemented.", ref reason, ref detail);
        }
        else if (_contentLength < 0 && http10 && (ReferenceEquals(request.Method, "POST") || ReferenceEquals(request.Method, "PUT")))
            // HTTP/1.0 has no other way to delimit a request body (Kestrel: LengthRequiredHttp10);
            // in HTTP/1.1 no Content-Length and no Transfer-Encoding means an empty body (RFC 9112 §6.3).
            return Fail(RejectionReason.LengthRequired, $"An HTTP/1.0 {request.Method} needs Content-Length.", ref reason, ref detail);

        // HTTP/1.0 predates Expect: a server MUST ignore 100-continue there (RFC 9110 §10.1.1), and
        // ignores the rest with it. Checked after the framing, so a framing error keeps its status.
        if (_expectOther && !http10 && _limits.AutoContinue)
            return Fail(RejectionReason.ExpectationFailed, "The only expectation this server can meet is 100-continue.", ref reason, ref detail);
        return true;
    }

    /// <summary>
    /// The chunk-size line starting at <c>_fieldLineStart</c>, without its CRLF, and the index of
    /// its LF; <paramref name="lineEnd"/> is -1 while the line is still incomplete. False on a
    /// line that is too long or does not end with CRLF.
    /// </summary>
    private bool TakeChunkLine(ReadOnlySpan<byte> input, out ReadOnlySpan<byte> line, out int lineEnd, ref RejectionReason reason, ref string? detail)
    {
        line = default;
        lineEnd = -1;
        int lf = input[_fieldScan..].IndexOf((byte)'\n');
        if (lf < 0)
        {
            _fieldScan = input.Length;
            if (input.Length - _fieldLineStart > _limits.MaxChunkLineLength)
                return Fail(RejectionReason.InvalidChunk, $"A chunk-size line is longer than {_limits.MaxChunkLineLength} bytes.", ref reason, ref detail);
            return true;
        }
        lineEnd = _fieldScan + lf;
        line = input[_fieldLineStart..lineEnd];
        if (line.Length > _limits.MaxChunkLineLength)
            return Fail(RejectionReason.InvalidChunk, $"A chunk-size line is longer than {_limits.MaxChunkLineLength} bytes.", ref reason, ref detail);
        if (line.IsEmpty || line[^1] != '\r')
            return Fail(RejectionReason.InvalidChunk, "A chunk-size line must end with CRLF.", ref reason, ref detail);
        line = line[..^1];
        return true;
    }

    private bool ParseChunkLine(ReadOnlySpan<byte> input, ref RejectionReason reason, ref string? detail)
    {
        if (!TakeChunkLine(input, out ReadOnlySpan<byte> line, out int lineEnd, ref reason, ref detail)) return false;
        if (lineEnd < 0) return true;

        if (!ParseChunkSize(line, out long size, ref reason, ref detail)) return false;
        if (_chunkTotal + size > _limits.MaxContentLength)
            return Fail(RejectionReason.ContentTooLarge, $"The body is larger than {_limits.MaxContentLength} bytes.", ref reason, ref detail);
        _chunkFraming += line.Length + 2;
        if (_chunkFraming > _limits.ChunkFramingAllowance)
            return Fail(RejectionReason.ContentTooLarge, "Too much chunk framing for the body size.", ref reason, ref detail);

        _chunkTotal += size;
        _fieldLineStart = _fieldScan = lineEnd + 1;
        if (size == 0)
        {
            _state = State.Trailers;
            _sectionStart = _fieldLineStart;
            _headerCount = 0;
        }
        else
        {
            _chunkSize = (int)size;
            _state = State.ChunkData;
        }
        return true;
    }

    /// <summary>
    /// The error record for a rejected request (also kept as <c>LastError</c>); it consumes all of
    /// <paramref name="inputLength"/>, and the filter is closed: nothing after it is read.
    /// </summary>
    private DecodeStatus Rejected(RejectionReason reason, string? detail, int inputLength, out HttpMessage? record, out int consumed)
    {
        var error = new HttpErrorResponse(reason, detail ?? reason.ToString()) { Request = _request };
        LastError = new FilterError(Name, $"{error.StatusCode} {reason}: {error.Detail}");
        record = error;
        consumed = inputLength;
        ResetRequest();
        _state = State.Closed;
        return DecodeStatus.Record;
    }

    /// <summary>chunk-size [ chunk-ext ] of a chunk-size line without its CRLF; the size is below 2^60.</summary>
    private bool ParseChunkSize(ReadOnlySpan<byte> line, out long size, ref RejectionReason reason, ref string? detail)
    {
        size = 0;
        int digits = line.IndexOfAnyExcept("0123456789abcdefABCDEF"u8);
        if (digits < 0) digits = line.Length;
        if (digits == 0)
            return Fail(RejectionReason.InvalidChunk, "A chunk must start with its size in hexadecimal.", ref reason, ref detail);
        ReadOnlySpan<byte> hex = line[..digits].TrimStart((byte)'0');
        if (hex.Length > 15)
            return Fail(RejectionReason.ContentTooLarge, "A chunk size has more than 15 hexadecimal digits.", ref reason, ref detail);
        foreach (byte b in hex) size = (size << 4) | (uint)HexValue(b);
        if (!IsValidChunkExtension(line[digits..]))
            return Fail(RejectionReason.InvalidChunk, "Malformed chunk extension after the chunk size.", ref reason, ref detail);
        return true;
    }

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;

    /// <summary>chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ), ext-val = token / quoted-string.</summary>
    private static bool IsValidChunkExtension(ReadOnlySpan<byte> ext)
    {
        int i = 0;
        while (true)
        {
            i = SkipWs(ext, i);
            if (i == ext.Length) return true;
            if (ext[i] != ';') return false;
            i = SkipWs(ext, i + 1);
            int name = TokenLength(ext[i..]);
            if (name == 0) return false;
            i = SkipWs(ext, i + name);
            if (i == ext.Length || ext[i] != '=') continue;
            i = SkipWs(ext, i + 1);
            if (i == ext.Length) return false;
            if (ext[i] == '"')
            {
                i++;
                while (true)
                {
                    int run = ext[i..].IndexOfAnyExcept(HttpChars.QuotedText);
                    if (run < 0) return false;
                    i += run;
                    if (ext[i] == '"') { i++; break; }
                    if (ext[i] != '\\' || i + 1 >= ext.Length) return false;
                    byte q = ext[i + 1];
                    if (q != '\t' && (q < 0x20 || q == 0x7F)) return false;
                    i += 2;
                }
            }
            else
            {
                int value = TokenLength(ext[i..]);
                if (value == 0) return false;
                i += value;
            }
        }

        static int SkipWs(ReadOnlySpan<byte> s, int i)
        {
            while (i < s.Length && s[i] is (byte)' ' or (byte)'\t') i++;
            return i;
        }

        static int TokenLength(ReadOnlySpan<byte> s)
        {
            int n = s.IndexOfAnyExcept(HttpChars.Token);
            return n < 0 ? s.Length : n;
        }
    }

    /// <summary>A rejection for an authority that is not <c>uri-host [ ":" port ]</c>, naming userinfo when that is the fault.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool FailAuthority(RejectionReason why, string what, ReadOnlySpan<byte> authority, ref RejectionReason reason, ref string? detail)
    {
        string text = authority.Contains((byte)'@')
            ? $"{what} has userinfo ('user@'), which HTTP does not allow."
            : authority.IsEmpty || authority[0] == ':' ? $"{what} has no host." : $"{what} is not host[:port].";
        return Fail(why, text, ref reason, ref detail);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool Fail(RejectionReason why, string text, ref RejectionReason reason, ref string? detail)
    {
        reason = why;
        detail = text;
        return false;
    }
}
