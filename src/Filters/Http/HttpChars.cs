using System.Buffers;

namespace PoeSharp.Filters.Http;

/// <summary>Character classes of RFC 9110 as vectorisable <see cref="SearchValues{T}"/>.</summary>
internal static class HttpChars
{
    private const string TokenChars = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>tchar.</summary>
    public static readonly SearchValues<byte> Token = SearchValues.Create(Bytes(TokenChars));

    /// <summary>tchar as chars, for validating names given by user code.</summary>
    public static readonly SearchValues<char> TokenText = SearchValues.Create(TokenChars);

    /// <summary>The bytes a field value may not contain: CTLs except HTAB, and DEL. An ASCII-only set, so the search is vectorised.</summary>
    public static readonly SearchValues<byte> NotFieldValue = SearchValues.Create(Range(0x00, 0x1F).Where(b => b != '\t').Append((byte)0x7F).ToArray());

    /// <summary>Bytes allowed in a request-target: VCHAR only (RFC 3986 characters plus the lenient " | \ ^ ` { } that browsers send raw).</summary>
    public static readonly SearchValues<byte> Target = SearchValues.Create(Range(0x21, 0x7E).ToArray());

    /// <summary>qdtext plus the quoted-pair escape, for chunk extension values.</summary>
    public static readonly SearchValues<byte> QuotedText = SearchValues.Create(
        Range(0x20, 0x7E).Concat(Range(0x80, 0xFF)).Append((byte)'\t').Where(b => b != '"' && b != '\\').ToArray());

    public static bool IsToken(ReadOnlySpan<char> text) => text.Length > 0 && !text.ContainsAnyExcept(TokenText);

    private static byte[] Bytes(string s) => s.Select(c => (byte)c).ToArray();

    private static IEnumerable<byte> Range(int from, int to)
    {
        for (int i = from; i <= to; i++) yield return (byte)i;
    }
}
