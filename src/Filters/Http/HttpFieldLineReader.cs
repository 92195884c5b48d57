using System.Runtime.CompilerServices;

namespace PoeSharp.Filters.Http;

/// <summary>
/// Reads the field lines of one section (a header section or a trailer section) up to its empty
/// line, never rescanning: it remembers where the current line starts and how far it searched.
/// Each section has its own reader, so header and trailer offsets are never shared.
/// </summary>
/// <remarks>Offsets are relative to the start of the caller's input; <see cref="Rebase"/> moves them when the caller consumes bytes.</remarks>
internal struct HttpFieldLineReader
{
    private readonly bool _trailers;
    private int _sectionStart, _lineStart, _scan;

    /// <summary>A reader of header lines, or of trailer lines (which must end with CRLF) when <paramref name="trailers"/>.</summary>
    public HttpFieldLineReader(bool trailers) => _trailers = trailers;

    /// <summary>How far the input has been examined.</summary>
    public readonly int Scanned => _scan;

    /// <summary>Starts a section at <paramref name="at"/>.</summary>
    public void Begin(int at) => _sectionStart = _lineStart = _scan = at;

    /// <summary>The caller consumed <paramref name="count"/> bytes before the section's current line.</summary>
    public void Rebase(int count)
    {
        _sectionStart -= count;
        _lineStart -= count;
        _scan -= count;
    }

    /// <summary>
    /// The next field line without its line end, in <paramref name="line"/> (never empty); or, at the
    /// empty line, <paramref name="sectionEnd"/> past it; neither while the line is incomplete. The
    /// section, its empty line included, may be at most <paramref name="limit"/> bytes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public HttpParseError Next(ReadOnlySpan<byte> input, int limit, out ReadOnlySpan<byte> line, out int sectionEnd)
    {
        line = default;
        sectionEnd = 0;
        int lf = input[_scan..].IndexOf((byte)'\n');
        if (lf < 0)
        {
            _scan = input.Length;
            return input.Length - _sectionStart > limit ? TooLarge(limit) : HttpParseError.None;
        }
        int lineEnd = _scan + lf;
        int next = lineEnd + 1;
        if (next - _sectionStart > limit) return TooLarge(limit);

        line = input[_lineStart..lineEnd];
        if (!line.IsEmpty && line[^1] == '\r') line = line[..^1];
        else if (_trailers) return HttpParseError.Fail(RejectionReason.InvalidChunk, "Trailer lines must end with CRLF.");

        _lineStart = _scan = next;
        if (line.IsEmpty) sectionEnd = next;
        return HttpParseError.None;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly HttpParseError TooLarge(int limit) =>
        HttpParseError.Fail(RejectionReason.HeadersTooLarge, $"The {(_trailers ? "trailer" : "header")} section is larger than {limit} bytes.");

    /// <summary>
    /// Splits <c>field-name ":" OWS field-value OWS</c>: a token name directly followed by the colon,
    /// no obs-fold, and a value without control characters.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HttpParseError Split(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        name = value = default;
        if (line[0] is (byte)' ' or (byte)'\t')
            return HttpParseError.Fail(RejectionReason.ObsoleteLineFolding, "A field line starts with whitespace (obsolete line folding is not accepted).");
        int colon = line.IndexOfAnyExcept(HttpChars.Token);
        if (colon <= 0 || line[colon] != ':')
        {
            if (colon >= 0 && line[colon] == '\r')
                return HttpParseError.Fail(RejectionReason.BareCarriageReturn, "A field name contains a CR.");
            if (colon > 0 && line[colon] is (byte)' ' or (byte)'\t' && line[colon..].TrimStart(" \t"u8) is [(byte)':', ..])
                return HttpParseError.Fail(RejectionReason.InvalidHeaderLine, "Whitespace between a field name and its colon is not allowed.");
            return HttpParseError.Fail(RejectionReason.InvalidHeaderLine, "A field line must be 'name: value' with a token name.");
        }
        name = line[..colon];
        value = line[(colon + 1)..].Trim(" \t"u8);
        int bad = value.IndexOfAny(HttpChars.NotFieldValue);
        if (bad >= 0)
        {
            return value[bad] == '\r'
                ? HttpParseError.Fail(RejectionReason.BareCarriageReturn, "A field value contains a CR that does not end the line.")
                : HttpParseError.Fail(RejectionReason.InvalidHeaderLine, "A field value contains a control character.");
        }
        return HttpParseError.None;
    }
}
