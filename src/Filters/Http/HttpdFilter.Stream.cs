namespace PoeSharp.Filters.Http;

public sealed partial class HttpdFilter
{
    // Streamed bodies (HttpdLimits.StreamBodies). Offsets are relative to the start of the input, which
    // moves with every record: the head's record consumes the head, each piece consumes its bytes and
    // the framing parsed before them.
    private State _streamFirst;     // the state after the head: StreamBody or StreamChunkLine
    private int _streamPos;         // framing parsed but not yet consumed ends here
    private long _streamRemaining;  // bytes left in the Content-Length body or in the current chunk
    private long _streamOffset;     // body bytes already yielded
    private bool _streamKeepAlive;
    private RejectionReason _pendingReason;
    private string? _pendingDetail; // an error found after body bytes that were yielded first

    /// <summary>
    /// The head of a request with a body is complete: the request record comes now (or, with an interim
    /// record due, after it), and the body follows as pieces.
    /// </summary>
    private void BeginStream(int sectionEnd, bool interim, ref int end)
    {
        _streamFirst = _transferEncoding is null ? State.StreamBody : State.StreamChunkLine;
        _streamRemaining = _transferEncoding is null ? _contentLength : 0;
        _streamKeepAlive = !_connectionClose && (_connectionKeepAlive || !HttpVersions.IsHttp10(_request!.Version));
        _state = State.StreamHead;
        // Every record must consume input (a wheel stops decoding after one that does not), so the
        // interim record takes all of the head but its last byte and the request record takes that byte.
        if (interim) _interimEnd = sectionEnd - 1;
        else end = sectionEnd;
    }

    private DecodeStatus EmitStreamHead(int headBytes, out HttpMessage? record, out int consumed)
    {
        record = _request;
        consumed = headBytes;
        _lastHeaderCount = Math.Max(_request!.Headers.Count, 1);
        _state = _streamFirst;
        _streamPos = _fieldLineStart = _fieldScan = _sectionStart = 0;
        _streamOffset = 0;
        _chunkTotal = 0;
        return DecodeStatus.Record;
    }

    private DecodeStatus TryGetStreamed(ReadOnlySpan<byte> input, out HttpMessage? record, out int consumed)
    {
        record = null;
        consumed = 0;
        if (_state == State.StreamHead) return EmitStreamHead(1, out record, out consumed);

        RejectionReason reason = _pendingReason;
        string? detail = _pendingDetail;
        bool ok = detail is null, final = false, blocked = false;
        int pos = _streamPos;
        int room = _limits.MaxBodyPieceBytes;
        int collected = 0;
        _chunks.Clear();
        while (ok && !final && !blocked)
        {
            switch (_state)
            {
                case State.StreamBody:
                case State.StreamChunkData:
                {
                    int take = (int)Math.Min(Math.Min(input.Length - pos, room - collected), _streamRemaining);
                    if (take <= 0)
                    {
                        blocked = true;
                        break;
                    }
                    _chunks.Add((pos, take));
                    pos += take;
                    collected += take;
                    _streamRemaining -= take;
                    if (_streamRemaining == 0)
                    {
                        if (_state == State.StreamBody) final = true;
                        else _state = State.StreamChunkEnd;
                    }
                    break;
                }

                case State.StreamChunkEnd:
                    if (input.Length > pos && input[pos] != '\r')
                        ok = Fail(RejectionReason.InvalidChunk, "Chunk data is longer than its size.", ref reason, ref detail);
                    else if (input.Length > pos + 1 && input[pos + 1] != '\n')
                        ok = Fail(RejectionReason.InvalidChunk, "Chunk data must be followed by CRLF.", ref reason, ref detail);
                    else if (input.Length < pos + 2) blocked = true;
                    else
                    {
                        pos += 2;
                        _fieldLineStart = _fieldScan = pos;
                        _state = State.StreamChunkLine;
                    }
                    break;

                case State.StreamChunkLine:
                    ok = ParseStreamChunkLine(input, ref pos, ref reason, ref detail);
                    blocked = _state == State.StreamChunkLine;
                    break;

                case State.StreamTrailers:
                {
                    int sectionEnd = 0;
                    ok = ParseFieldLines(input, trailers: true, ref reason, ref detail, ref sectionEnd);
                    if (sectionEnd > 0)
                    {
                        pos = sectionEnd;
                        final = true;
                    }
                    else blocked = true;
                    break;
                }

                default: // StreamFailed: the pending error is reported below
                    ok = false;
                    break;
            }
        }

        if (!ok)
        {
            if (collected > 0)
            {
                // Yield the good bytes first, so the pieces do not depend on how the input was split.
                record = Piece(input, collected, isFinal: false);
                consumed = pos;
                _pendingReason = reason;
                _pendingDetail = detail;
                _state = State.StreamFailed;
                return DecodeStatus.Record;
            }
            return Rejected(reason, detail, input.Length, out record, out consumed);
        }

        if (final)
        {
            record = Piece(input, collected, isFinal: true);
            consumed = pos;
            bool keepAlive = _streamKeepAlive;
            ResetRequest();
            _state = keepAlive ? State.RequestLine : State.Closed;
            return DecodeStatus.Record;
        }

        if (collected == 0)
        {
            _streamPos = pos;
            return DecodeStatus.NeedMoreData;
        }

        // Consume through the parsed framing; positions of a partly read line move with the input.
        record = Piece(input, collected, isFinal: false);
        consumed = pos;
        _streamPos = 0;
        _fieldLineStart -= pos;
        _fieldScan -= pos;
        _sectionStart -= pos;
        return DecodeStatus.Record;
    }

    /// <summary>A copy of the ranges collected in <see cref="_chunks"/>: the caller may overwrite its buffer.</summary>
    private HttpRequestBodyPiece Piece(ReadOnlySpan<byte> input, int length, bool isFinal)
    {
        byte[] data = length == 0 ? [] : new byte[length];
        int at = 0;
        foreach (var (start, count) in _chunks)
        {
            input.Slice(start, count).CopyTo(data.AsSpan(at));
            at += count;
        }
        _chunks.Clear();
        var piece = new HttpRequestBodyPiece(_request!, data, _streamOffset, isFinal);
        _streamOffset += length;
        return piece;
    }

    private bool ParseStreamChunkLine(ReadOnlySpan<byte> input, ref int pos, ref RejectionReason reason, ref string? detail)
    {
        if (!TakeChunkLine(input, out ReadOnlySpan<byte> line, out int lineEnd, ref reason, ref detail)) return false;
        if (lineEnd < 0) return true;
        if (!ParseChunkSize(line, out long size, ref reason, ref detail)) return false;
        if (size > _limits.MaxStreamedContentLength - _chunkTotal)
            return Fail(RejectionReason.ContentTooLarge, $"The body is larger than {_limits.MaxStreamedContentLength} bytes.", ref reason, ref detail);

        _chunkTotal += size;
        pos = _fieldLineStart = _fieldScan = lineEnd + 1;
        if (size == 0)
        {
            _state = State.StreamTrailers;
            _sectionStart = pos;
            _headerCount = 0;
        }
        else
        {
            _streamRemaining = size;
            _state = State.StreamChunkData;
        }
        return true;
    }
}
