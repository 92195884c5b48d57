using System.Text;

namespace PoeSharp.Filters;

/// <summary>
/// Configuration of a <see cref="LineFilter"/> (POE::Filter::Line's constructor parameters).
/// </summary>
/// <remarks>
/// Without any literal the input terminator is any of CRLF, LF, CR or LFCR, decided line by line
/// (POE's default <c>InputRegexp</c>). <see cref="Literal"/> sets both directions;
/// <see cref="InputLiteral"/>/<see cref="OutputLiteral"/> set one each; <see cref="AutodetectInput"/> is
/// POE's <c>InputLiteral =&gt; undef</c>: the first terminator seen (CRLF, LF, CR or LFCR) is used for the rest
/// of the stream. POE's <c>InputRegexp</c> is not supported.
/// </remarks>
public sealed record LineFilterOptions
{
    /// <summary>The default <see cref="MaxLineLength"/>: 64 KiB (POE's 64 MiB is a memory hazard).</summary>
    public const int DefaultMaxLineLength = 64 * 1024;

    /// <summary>Terminator for both input and output. Excludes <see cref="InputLiteral"/>, <see cref="OutputLiteral"/> and <see cref="AutodetectInput"/>.</summary>
    public string? Literal { get; init; }

    /// <summary>Input terminator; null means any of CRLF, LF, CR, LFCR (or autodetect with <see cref="AutodetectInput"/>).</summary>
    public string? InputLiteral { get; init; }

    /// <summary>Output terminator; null means "\r\n".</summary>
    public string? OutputLiteral { get; init; }

    /// <summary>Lock the input terminator to the first one seen (POE's <c>InputLiteral =&gt; undef</c>).</summary>
    public bool AutodetectInput { get; init; }

    /// <summary>Text encoding of lines; UTF-8 (no BOM) when null. Must encode CR and LF as the single bytes 13 and 10.</summary>
    public Encoding? Encoding { get; init; }

    /// <summary>Longest line accepted, in bytes without the terminator; a longer one is a <see cref="DecodeStatus.Error"/>.</summary>
    public int MaxLineLength { get; init; } = DefaultMaxLineLength;
}
