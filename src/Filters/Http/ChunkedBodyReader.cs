namespace PoeSharp.Filters.Http;

/// <summary>
/// A chunked body (RFC 9112 §7.1): chunk-size lines with extensions, data and its CRLF, the last
/// chunk and the trailer section, whose fields go to <see cref="HttpRequest.Trailers"/>. Chunk lines
/// must end with CRLF; trailer lines too.
/// </summary>
internal sealed class ChunkedBodyReader : HttpBodyReader
{
    private enum Phase { SizeLine, Data, DataEnd, Trailers, Done }

    private readonly HttpdLimits _limits;
    private HttpRequest? _request;
    private Phase _phase;
    private int _pos;          // framing parsed and data collected up to here; a size line starts here
    private int _lineScan;     // a size line is searched for its LF from here
    private long _remaining;   // data bytes left in the current chunk
    private long _total;       // data bytes in all chunks so far
    private long _framing;     // size lines and CRLFs so far, bounded when buffering
    private long _limit, _framingAllowance;
    private bool _wholeOnly;
    private HttpFieldLineReader _trailers = new(trailers: true);
    private int _trailerCount;

    public ChunkedBodyReader(HttpdLimits limits) => _limits = limits;

    /// <inheritdoc />
    public override int Position => _pos;

    /// <inheritdoc />
    public override int Scanned => _phase switch
    {
        Phase.SizeLine => _lineScan,
        Phase.Trailers => _trailers.Scanned,
        _ => _pos,
    };

    /// <summary>
    /// Starts the body of <paramref name="request"/> at <paramref name="start"/>. A buffered body
    /// (<paramref name="buffered"/>) collects each chunk's data once all of it is in, and bounds the
    /// framing the caller must keep; a streamed one collects what is there.
    /// </summary>
    public ChunkedBodyReader Begin(HttpRequest request, int start, bool buffered)
    {
        ClearData();
        _request = request;
        _phase = Phase.SizeLine;
        _pos = _lineScan = start;
        _remaining = _total = _framing = 0;
        _limit = _limits.BodyLimit;
        _framingAllowance = buffered ? _limits.ChunkFramingAllowance : long.MaxValue;
        _wholeOnly = buffered;
        _trailerCount = 0;
        return this;
    }

    /// <inheritdoc />
    public override HttpParseError Read(ReadOnlySpan<byte> input, int room, out bool complete)
    {
        complete = false;
        while (true)
        {
            HttpParseError error;
            switch (_phase)
            {
                case Phase.SizeLine:
                    error = ReadSizeLine(input);
                    if (error.IsError || _phase == Phase.SizeLine) return error;
                    break;

                case Phase.Data:
                {
                    int taken = Collect(input, _pos, _remaining, room, _wholeOnly);
                    if (taken == 0) return HttpParseError.None;
                    _pos += taken;
                    _remaining -= taken;
                    if (_remaining == 0) _phase = Phase.DataEnd;
                    break;
                }

                case Phase.DataEnd:
                    if (input.Length > _pos && input[_pos] != '\r')
                        return HttpParseError.Fail(RejectionReason.InvalidChunk, "Chunk data is longer than its size.");
                    if (input.Length > _pos + 1 && input[_pos + 1] != '\n')
                        return HttpParseError.Fail(RejectionReason.InvalidChunk, "Chunk data must be followed by CRLF.");
                    if (input.Length < _pos + 2) return HttpParseError.None;
                    _pos = _lineScan = _pos + 2;
                    _framing += 2;
                    _phase = Phase.SizeLine;
                    break;

                case Phase.Trailers:
                    error = ReadTrailers(input, out int sectionEnd);
                    if (error.IsError || sectionEnd == 0) return error;
                    _pos = sectionEnd;
                    _phase = Phase.Done;
                    break;

                default:
                    complete = true;
                    return HttpParseError.None;
            }
        }
    }

    /// <inheritdoc />
    public override void Rebase(int count)
    {
        _pos -= count;
        _lineScan -= count;
        if (_phase == Phase.Trailers) _trailers.Rebase(count);
    }

    private HttpParseError ReadSizeLine(ReadOnlySpan<byte> input)
    {
        int max = _limits.MaxChunkLineLength;
        int lf = input[_lineScan..].IndexOf((byte)'\n');
        if (lf < 0)
        {
            _lineScan = input.Length;
            return input.Length - _pos > max ? LineTooLong(max) : HttpParseError.None;
        }
        int lineEnd = _lineScan + lf;
        ReadOnlySpan<byte> line = input[_pos..lineEnd];
        if (line.Length > max) return LineTooLong(max);
        if (line.IsEmpty || line[^1] != '\r')
            return HttpParseError.Fail(RejectionReason.InvalidChunk, "A chunk-size line must end with CRLF.");
        line = line[..^1];

        HttpParseError error = ParseChunkSize(line, out long size);
        if (error.IsError) return error;
        if (size > _limit - _total)
            return HttpParseError.Fail(RejectionReason.ContentTooLarge, $"The body is larger than {_limit} bytes.");
        _framing += line.Length + 2;
        if (_framing > _framingAllowance)
            return HttpParseError.Fail(RejectionReason.ContentTooLarge, "Too much chunk framing for the body size.");

        _total += size;
        _pos = _lineScan = lineEnd + 1;
        if (size == 0)
        {
            _phase = Phase.Trailers;
            _trailers.Begin(_pos);
        }
        else
        {
            _remaining = size;
            _phase = Phase.Data;
        }
        return HttpParseError.None;
    }

    private static HttpParseError LineTooLong(int max) =>
        HttpParseError.Fail(RejectionReason.InvalidChunk, $"A chunk-size line is longer than {max} bytes.");

    private HttpParseError ReadTrailers(ReadOnlySpan<byte> input, out int sectionEnd)
    {
        while (true)
        {
            HttpParseError error = _trailers.Next(input, _limits.MaxHeaderBytes, out ReadOnlySpan<byte> line, out sectionEnd);
            if (error.IsError || sectionEnd > 0 || line.IsEmpty) return error;
            error = HttpFieldLineReader.Split(line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value);
            if (error.IsError) return error;
            if (++_trailerCount > _limits.MaxHeaderCount)
                return HttpParseError.Fail(RejectionReason.TooManyHeaders, $"More than {_limits.MaxHeaderCount} fields.");
            _request!.Trailers.AddUnchecked(KnownStrings.HeaderName(name), HttpRequestHeadParser.Latin1(value));
        }
    }

    /// <summary>chunk-size [ chunk-ext ] of a chunk-size line without its CRLF; the size is below 2^60.</summary>
    private static HttpParseError ParseChunkSize(ReadOnlySpan<byte> line, out long size)
    {
        size = 0;
        int digits = line.IndexOfAnyExcept("0123456789abcdefABCDEF"u8);
        if (digits < 0) digits = line.Length;
        if (digits == 0)
            return HttpParseError.Fail(RejectionReason.InvalidChunk, "A chunk must start with its size in hexadecimal.");
        ReadOnlySpan<byte> hex = line[..digits].TrimStart((byte)'0');
        if (hex.Length > 15)
            return HttpParseError.Fail(RejectionReason.ContentTooLarge, "A chunk size has more than 15 hexadecimal digits.");
        foreach (byte b in hex) size = (size << 4) | (uint)HexValue(b);
        if (!IsValidChunkExtension(line[digits..]))
            return HttpParseError.Fail(RejectionReason.InvalidChunk, "Malformed chunk extension after the chunk size.");
        return HttpParseError.None;
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
}
