namespace PoeSharp.Filters.Http;

/// <summary>What <see cref="HttpAuthority.Parse"/> found in <c>uri-host [ ":" port ]</c> (RFC 3986 §3.2.2).</summary>
internal enum HttpHostKind
{
    /// <summary>Not <c>uri-host [ ":" port ]</c>.</summary>
    Invalid,
    /// <summary>The whole value is empty: no authority (RFC 9112 §3.2).</summary>
    Empty,
    /// <summary>A registered name: unreserved, pct-encoded and sub-delims characters.</summary>
    RegName,
    /// <summary>A dotted-decimal IPv4address (four dec-octets, no leading zeros).</summary>
    IPv4,
    /// <summary>An IPv6address in brackets.</summary>
    IPv6,
    /// <summary>An IPvFuture literal in brackets: <c>"v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )</c>.</summary>
    IPvFuture,
}
