namespace PoeSharp.Filters;

/// <summary>
/// A framing error reported as a record (<see cref="DecodeStatus.Error"/>) instead of an
/// exception: bad input from a peer is data, not a bug.
/// </summary>
/// <param name="Filter">The name of the filter that rejected the input, e.g. "Line".</param>
/// <param name="Message">What was wrong, for logs and error events.</param>
public sealed record FilterError(string Filter, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Filter}: {Message}";
}
