namespace PoeSharp.Filters;

/// <summary>
/// Configuration of a <see cref="BlockFilter"/> (POE::Filter::Block's parameters): either a fixed
/// <see cref="BlockSize"/>, or length-prefixed blocks with a <see cref="LengthCodec"/> and a <see cref="MaxLength"/>.
/// </summary>
public sealed record BlockFilterOptions
{
    /// <summary>The default <see cref="MaxLength"/>: 1 MiB (POE's 64 MiB is a memory hazard).</summary>
    public const int DefaultMaxLength = 1024 * 1024;

    /// <summary>Fixed block size in bytes; null (the default) means length-prefixed blocks.</summary>
    public int? BlockSize { get; init; }

    /// <summary>Length prefix codec for length-prefixed blocks; <see cref="BlockLengthCodec.Poe"/> when null.</summary>
    public IBlockLengthCodec? LengthCodec { get; init; }

    /// <summary>Largest length-prefixed block accepted; a larger announced length is a <see cref="DecodeStatus.Error"/>.</summary>
    public int MaxLength { get; init; } = DefaultMaxLength;
}
