using System.Buffers;

namespace PoeSharp.Filters;

/// <summary>
/// Encodes and decodes the length prefix of a length-prefixed <see cref="BlockFilter"/> (POE's
/// <c>LengthCodec =&gt; [ encoder, decoder ]</c>). Implementations must be stateless: filters and their
/// clones share them. Built-in codecs are on <see cref="BlockLengthCodec"/>.
/// </summary>
public interface IBlockLengthCodec
{
    /// <summary>The longest prefix <see cref="Encode"/> writes; also bounds how many bytes <see cref="TryDecode"/> may need.</summary>
    int MaxPrefixLength { get; }

    /// <summary>Writes the prefix for a block of <paramref name="length"/> bytes; returns the bytes written.</summary>
    /// <param name="length">The payload length, 0 or more.</param>
    /// <param name="destination">At least <see cref="MaxPrefixLength"/> bytes.</param>
    int Encode(int length, Span<byte> destination);

    /// <summary>
    /// Reads a prefix from the front of <paramref name="input"/>: <see cref="OperationStatus.Done"/> with the
    /// payload length and the prefix's own length, <see cref="OperationStatus.NeedMoreData"/> when the
    /// prefix is incomplete, or <see cref="OperationStatus.InvalidData"/> when it can never be valid.
    /// </summary>
    OperationStatus TryDecode(ReadOnlySpan<byte> input, out int length, out int prefixLength);
}
