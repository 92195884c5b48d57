using System.Text;

namespace PoeSharp.Filters.Http;

/// <summary>
/// Interned method and header-name strings (as Kestrel does): a request made of known names
/// allocates no string for them. Matching is exact (case-sensitive) so the record keeps the case sent.
/// </summary>
internal static class KnownStrings
{
    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "TRACE", "CONNECT"];

    private static readonly string[] HeaderNames =
    [
        "Host", "Accept", "Accept-Encoding", "Accept-Language", "Accept-Charset", "Authorization", "Cache-Control",
        "Connection", "Content-Length", "Content-Type", "Content-Encoding", "Cookie", "Date", "DNT", "Expect", "Forwarded",
        "If-Match", "If-Modified-Since", "If-None-Match", "If-Range", "If-Unmodified-Since", "Keep-Alive", "Origin",
        "Pragma", "Priority", "Range", "Referer", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "User-Agent", "Via",
        "Upgrade-Insecure-Requests", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Requested-With",
        "Sec-Fetch-Dest", "Sec-Fetch-Mode", "Sec-Fetch-Site", "Sec-Fetch-User", "Sec-CH-UA", "Sec-CH-UA-Mobile",
        "Sec-CH-UA-Platform", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Protocol",
        "Sec-WebSocket-Extensions", "Proxy-Authorization", "Max-Forwards",
        "host", "accept", "accept-encoding", "accept-language", "connection", "content-length", "content-type",
        "cookie", "user-agent", "transfer-encoding", "authorization", "cache-control", "referer", "origin",
    ];

    // Buckets by length then first byte keep the probe to one or two comparisons.
    private static readonly string[][] NamesByLength = BuildBuckets();

    public static string Method(ReadOnlySpan<byte> bytes)
    {
        foreach (string m in Methods)
            if (Matches(m, bytes)) return m;
        return Encoding.Latin1.GetString(bytes);
    }

    public static string HeaderName(ReadOnlySpan<byte> bytes)
    {
        if ((uint)bytes.Length < (uint)NamesByLength.Length)
        {
            foreach (string n in NamesByLength[bytes.Length])
                if (n[0] == bytes[0] && Matches(n, bytes)) return n;
        }
        return Encoding.Latin1.GetString(bytes);
    }

    /// <summary>True when <paramref name="s"/> is the Latin-1 decoding of <paramref name="bytes"/>.</summary>
    public static bool Matches(string? s, ReadOnlySpan<byte> bytes)
    {
        if (s is null || s.Length != bytes.Length) return false;
        if (Ascii.Equals(bytes, s)) return true; // vectorised; false for non-ASCII, then compare as Latin-1
        for (int i = 0; i < bytes.Length; i++)
            if (s[i] != bytes[i]) return false;
        return true;
    }

    private static string[][] BuildBuckets()
    {
        int max = HeaderNames.Max(n => n.Length) + 1;
        var buckets = new string[max][];
        for (int len = 0; len < max; len++)
            buckets[len] = HeaderNames.Where(n => n.Length == len).ToArray();
        return buckets;
    }
}
