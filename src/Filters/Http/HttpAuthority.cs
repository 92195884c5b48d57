using System.Buffers;

namespace PoeSharp.Filters.Http;

/// <summary>
/// The syntax of a Host field value and of an absolute-form target's authority:
/// <c>uri-host [ ":" port ]</c> (RFC 9112 §3.2, RFC 3986 §3.2). Span-based and allocation-free.
/// </summary>
/// <remarks>
/// <para>host is an IP-literal in brackets (IPv6address or IPvFuture; no RFC 6874 zone identifier),
/// an IPv4address, or a reg-name of unreserved, pct-encoded and sub-delims characters. As in
/// RFC 3986 §3.2.2, a name of digits and dots that is not an IPv4address (<c>256.1.1.1</c>,
/// <c>01.2.3.4</c>, <c>1.2.3</c>) is a valid reg-name. Only the syntax is checked: pct-encoded
/// octets are not decoded, names are not resolved.</para>
/// <para>port is digits and may be empty (RFC 3986 §3.2.3). RFC 3986 sets no bound, but a TCP port
/// is 16 bits: more than five digits or a value above 65535 is rejected.</para>
/// <para>No userinfo: "@" is in none of the host forms, so <c>user@host</c> is invalid (RFC 9110
/// §4.2.4 forbids it in a target URI or field value).</para>
/// <para>An empty value is <see cref="HttpHostKind.Empty"/>: a client sends an empty Host when the
/// target URI has no authority (RFC 9112 §3.2), and the server then applies its default (§3.3).
/// An empty host with a port (<c>:80</c>) is invalid: an "http" URI with an empty host must be
/// rejected (RFC 9110 §4.2.1).</para>
/// </remarks>
internal static class HttpAuthority
{
    private const string Unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    private const string SubDelims = "!$&'()*+,;=";

    /// <summary>reg-name characters but '%', which must start a pct-encoded triplet.</summary>
    private static readonly SearchValues<byte> RegNameChars = SearchValues.Create(Bytes(Unreserved + SubDelims));

    /// <summary>The characters after the '.' of an IPvFuture.</summary>
    private static readonly SearchValues<byte> FutureChars = SearchValues.Create(Bytes(Unreserved + SubDelims + ":"));

    /// <summary>Where an absolute-form target's authority ends.</summary>
    private static readonly SearchValues<byte> AuthorityEnd = SearchValues.Create("/?#"u8);

    /// <summary>True when <paramref name="value"/> is a valid Host field value (empty included).</summary>
    public static bool IsValidHost(ReadOnlySpan<byte> value) => Parse(value) != HttpHostKind.Invalid;

    /// <summary>
    /// True when <paramref name="authority"/> is a valid authority of an absolute-form target: not
    /// empty (an "http" or "https" URI needs a host, RFC 9110 §4.2.1) and without userinfo.
    /// </summary>
    public static bool IsValidTargetAuthority(ReadOnlySpan<byte> authority) => Parse(authority) is not (HttpHostKind.Invalid or HttpHostKind.Empty);

    /// <summary>
    /// The authority of an absolute-form target (<c>scheme "://" authority [ path-abempty ] [ "?" query ]</c>):
    /// the bytes after "://" up to the first '/', '?' or '#'.
    /// </summary>
    public static ReadOnlySpan<byte> AuthorityOf(ReadOnlySpan<byte> target)
    {
        int start = target.IndexOf("://"u8);
        if (start < 0) return default;
        ReadOnlySpan<byte> rest = target[(start + 3)..];
        int end = rest.IndexOfAny(AuthorityEnd);
        return end < 0 ? rest : rest[..end];
    }

    /// <summary>The kind of host in <c>uri-host [ ":" port ]</c>, or <see cref="HttpHostKind.Invalid"/>.</summary>
    public static HttpHostKind Parse(ReadOnlySpan<byte> authority)
    {
        if (authority.IsEmpty) return HttpHostKind.Empty;
        HttpHostKind kind;
        int hostEnd;
        if (authority[0] == '[')
        {
            int close = authority.IndexOf((byte)']');
            if (close < 0) return HttpHostKind.Invalid;
            kind = IpLiteral(authority[1..close]);
            hostEnd = close + 1;
        }
        else
        {
            // A reg-name has no ':', so the first one starts the port.
            hostEnd = authority.IndexOf((byte)':');
            if (hostEnd < 0) hostEnd = authority.Length;
            ReadOnlySpan<byte> host = authority[..hostEnd];
            if (host.IsEmpty) return HttpHostKind.Invalid;
            kind = IsIPv4(host) ? HttpHostKind.IPv4 : IsRegName(host) ? HttpHostKind.RegName : HttpHostKind.Invalid;
        }
        if (kind == HttpHostKind.Invalid || hostEnd == authority.Length) return kind;
        return authority[hostEnd] == ':' && IsPort(authority[(hostEnd + 1)..]) ? kind : HttpHostKind.Invalid;
    }

    /// <summary>*( unreserved / pct-encoded / sub-delims ), not empty.</summary>
    private static bool IsRegName(ReadOnlySpan<byte> s)
    {
        while (true)
        {
            int i = s.IndexOfAnyExcept(RegNameChars);
            if (i < 0) return true;
            if (s[i] != '%' || i + 2 >= s.Length || !IsHex(s[i + 1]) || !IsHex(s[i + 2])) return false;
            s = s[(i + 3)..];
        }
    }

    /// <summary>port = *DIGIT, at most five digits and 65535.</summary>
    private static bool IsPort(ReadOnlySpan<byte> s)
    {
        if (s.Length > 5) return false;
        int value = 0;
        foreach (byte b in s)
        {
            if (!char.IsAsciiDigit((char)b)) return false;
            value = value * 10 + (b - '0');
        }
        return value <= 65535;
    }

    /// <summary>IP-literal without its brackets: IPv6address / IPvFuture.</summary>
    private static HttpHostKind IpLiteral(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty) return HttpHostKind.Invalid;
        if ((s[0] | 0x20) == 'v') return IsIPvFuture(s) ? HttpHostKind.IPvFuture : HttpHostKind.Invalid;
        return IsIPv6(s) ? HttpHostKind.IPv6 : HttpHostKind.Invalid;
    }

    /// <summary>"v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" ).</summary>
    private static bool IsIPvFuture(ReadOnlySpan<byte> s)
    {
        int i = 1;
        while (i < s.Length && IsHex(s[i])) i++;
        if (i == 1 || i >= s.Length || s[i] != '.') return false;
        ReadOnlySpan<byte> rest = s[(i + 1)..];
        return !rest.IsEmpty && !rest.ContainsAnyExcept(FutureChars);
    }

    /// <summary>
    /// IPv6address (RFC 3986 §3.2.2): h16 pieces separated by ':', the last one possibly an
    /// IPv4address counting as two; eight pieces, or at most seven with one "::".
    /// </summary>
    private static bool IsIPv6(ReadOnlySpan<byte> s)
    {
        int pieces = 0, i = 0;
        bool compressed = false;
        if (s.StartsWith("::"u8))
        {
            compressed = true;
            i = 2;
            if (i == s.Length) return true;
        }
        while (true)
        {
            int start = i;
            while (i < s.Length && i - start < 5 && IsHex(s[i])) i++;
            if (i < s.Length && s[i] == '.')
            {
                // ls32 as an IPv4address: it ends the literal.
                if (!IsIPv4(s[start..])) return false;
                pieces += 2;
                break;
            }
            if (i == start || i - start > 4) return false;
            pieces++;
            if (i == s.Length) break;
            if (s[i] != ':' || ++i == s.Length) return false;
            if (s[i] == ':')
            {
                if (compressed) return false;
                compressed = true;
                if (++i == s.Length) break;
            }
        }
        return compressed ? pieces <= 7 : pieces == 8;
    }

    /// <summary>dec-octet "." dec-octet "." dec-octet "." dec-octet; a dec-octet is 0-255 without leading zeros.</summary>
    private static bool IsIPv4(ReadOnlySpan<byte> s)
    {
        int i = 0;
        for (int octet = 0; octet < 4; octet++)
        {
            if (octet > 0)
            {
                if (i >= s.Length || s[i] != '.') return false;
                i++;
            }
            int start = i, value = 0;
            while (i < s.Length && i - start < 3 && char.IsAsciiDigit((char)s[i])) value = value * 10 + (s[i++] - '0');
            int digits = i - start;
            if (digits == 0 || value > 255 || (digits > 1 && s[start] == '0')) return false;
        }
        return i == s.Length;
    }

    private static bool IsHex(byte b) => char.IsAsciiHexDigit((char)b);

    private static byte[] Bytes(string s) => s.Select(c => (byte)c).ToArray();
}
