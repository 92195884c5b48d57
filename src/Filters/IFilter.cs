using System.Buffers;

namespace PoeSharp.Filters;

/// <summary>
/// A pure transformer between bytes and records (POE::Filter): no I/O, no kernel. The caller
/// (usually a ReadWrite wheel) owns the byte buffer; the filter owns only its parse state.
/// </summary>
/// <remarks>
/// Contract of <see cref="TryGet"/>: the caller passes all bytes not yet consumed, oldest first,
/// with new bytes appended at the end. The filter returns at most one record per call (POE's
/// <c>get_one</c>), so a handler can switch filters between records; it reports how many bytes it
/// consumed and may remember how far it has already scanned, so it never rescans. Any split of
/// the same byte stream yields the same records.
/// </remarks>
public interface IFilter
{
    /// <summary>A short name for messages ("Line", "HTTPD").</summary>
    string Name { get; }

    /// <summary>Decodes at most one record from the front of <paramref name="input"/>.</summary>
    DecodeStatus TryGet(ReadOnlySpan<byte> input, out object? record, out int consumed);

    /// <summary>Serialises one record into <paramref name="output"/>.</summary>
    /// <exception cref="ArgumentException">The record is not of a type this filter writes.</exception>
    void Put(object record, IBufferWriter<byte> output);

    /// <summary>Forgets any partial parse state, as after a fresh construction (POE's <c>clone</c> minus the copy).</summary>
    void Reset();

    /// <summary>A new filter with the same configuration and empty state (POE's <c>clone</c>).</summary>
    IFilter Clone();
}
