namespace PoeSharp.Filters.Http;

/// <summary>A body of Content-Length bytes (RFC 9112 §6.2).</summary>
internal sealed class ContentLengthBodyReader : HttpBodyReader
{
    private int _pos;
    private long _remaining;
    private bool _wholeOnly;

    /// <inheritdoc />
    public override int Position => _pos;

    /// <inheritdoc />
    public override int Scanned => _pos;

    /// <summary>
    /// Starts a body of <paramref name="length"/> bytes at <paramref name="start"/>; when
    /// <paramref name="wholeOnly"/> (a buffered body), it is collected only once all of it is in.
    /// </summary>
    public ContentLengthBodyReader Begin(int start, long length, bool wholeOnly)
    {
        ClearData();
        _pos = start;
        _remaining = length;
        _wholeOnly = wholeOnly;
        return this;
    }

    /// <inheritdoc />
    public override HttpParseError Read(ReadOnlySpan<byte> input, int room, out bool complete)
    {
        int taken = Collect(input, _pos, _remaining, room, _wholeOnly);
        _pos += taken;
        _remaining -= taken;
        complete = _remaining == 0;
        return HttpParseError.None;
    }

    /// <inheritdoc />
    public override void Rebase(int count) => _pos -= count;
}
