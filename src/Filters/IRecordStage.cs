namespace PoeSharp.Filters;

/// <summary>
/// A record-to-record step of a <see cref="StackableFilter"/> (POE's Grep and Map filters, and any filter
/// above the first in a POE::Filter::Stackable). A stage sees one record at a time and returns at most one:
/// it may pass it, change it, or drop it. It does no framing and holds no bytes.
/// </summary>
/// <remarks>
/// Decoding runs the stages first to last (<see cref="TryGet"/>); encoding runs them last to first
/// (<see cref="TryPut"/>). Exceptions thrown by a stage are bugs and propagate to the caller.
/// </remarks>
public interface IRecordStage
{
    /// <summary>A short name for listings ("Grep", "Map").</summary>
    string Name { get; }

    /// <summary>Transforms a decoded record; false drops it.</summary>
    bool TryGet(object? input, out object? output);

    /// <summary>Transforms a record about to be encoded; false drops it.</summary>
    bool TryPut(object? input, out object? output);

    /// <summary>Forgets any state, as after construction.</summary>
    void Reset();

    /// <summary>A new stage with the same configuration and empty state.</summary>
    IRecordStage Clone();
}
