namespace PoeSharp.Filters.Http;

/// <summary>
/// Reads one request body of one framing (<see cref="ContentLengthBodyReader"/>,
/// <see cref="ChunkedBodyReader"/>): it parses the framing and collects the ranges of the input that
/// hold body data, which <see cref="TakeData"/> copies out. A request without either framing has an
/// empty body (RFC 9112 §6.3): requests are never read until the connection closes.
/// </summary>
/// <remarks>
/// Offsets are relative to the start of the caller's input. A buffered body is read with nothing
/// consumed until it is complete; a streamed body is consumed piece by piece, and <see cref="Rebase"/>
/// moves the offsets after each piece.
/// </remarks>
internal abstract class HttpBodyReader
{
    private readonly List<(int Start, int Length)> _ranges = [];

    /// <summary>Body bytes collected and not yet taken by <see cref="TakeData"/>.</summary>
    public int Collected { get; private set; }

    /// <summary>Framing is parsed and data collected up to here: a piece consumes the input up to it.</summary>
    public abstract int Position { get; }

    /// <summary>How far the input has been examined.</summary>
    public abstract int Scanned { get; }

    /// <summary>
    /// Reads on from <see cref="Position"/> until the body is complete (<paramref name="complete"/>),
    /// the input ends, or <paramref name="room"/> bytes are collected.
    /// </summary>
    public abstract HttpParseError Read(ReadOnlySpan<byte> input, int room, out bool complete);

    /// <summary>The caller consumed <paramref name="count"/> bytes, all before <see cref="Position"/>; collected data must have been taken.</summary>
    public abstract void Rebase(int count);

    /// <summary>A copy of the collected data (the caller may overwrite its buffer); collection starts again.</summary>
    public byte[] TakeData(ReadOnlySpan<byte> input)
    {
        if (Collected == 0) return [];
        var data = new byte[Collected];
        int at = 0;
        foreach (var (start, length) in _ranges)
        {
            input.Slice(start, length).CopyTo(data.AsSpan(at));
            at += length;
        }
        ClearData();
        return data;
    }

    /// <summary>Forgets collected data.</summary>
    protected void ClearData()
    {
        _ranges.Clear();
        Collected = 0;
    }

    /// <summary>
    /// Collects up to <paramref name="wanted"/> data bytes at <paramref name="start"/>: as many as the
    /// input holds and the room allows, or, when <paramref name="wholeOnly"/>, all of them or none.
    /// </summary>
    /// <returns>The bytes collected.</returns>
    protected int Collect(ReadOnlySpan<byte> input, int start, long wanted, int room, bool wholeOnly)
    {
        int take = (int)Math.Min(Math.Min(input.Length - start, room - Collected), wanted);
        if (take <= 0 || (wholeOnly && take < wanted)) return 0;
        _ranges.Add((start, take));
        Collected += take;
        return take;
    }
}
