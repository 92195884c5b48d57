namespace PoeSharp.Filters;

/// <summary>The outcome of one <see cref="IFilter.TryGet"/> call.</summary>
public enum DecodeStatus
{
    /// <summary>No complete record yet. Nothing is consumed; call again with more bytes appended.</summary>
    NeedMoreData = 0,

    /// <summary>One record was produced; <c>consumed</c> bytes of the input were used.</summary>
    Record = 1,

    /// <summary>
    /// The input breaks the filter's framing rules or limits (a too-long line, a bad length
    /// prefix). The record is a <see cref="FilterError"/>; <c>consumed</c> bytes should be dropped.
    /// The stream is usually not recoverable and the caller should close it.
    /// </summary>
    Error = 2,
}
