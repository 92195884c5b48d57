using System.Text;
using System.Text.Json;

namespace PoeSharp.Integration.Tests.Support;

/// <summary>
/// A request byte stream sent to the front proxy as is. The project's own vectors mark their
/// legitimate request with <c>X-Vector-Id: ID</c> and the request they try to smuggle with
/// <c>X-Vector-Id: smuggled-ID</c>, so an answer can be traced to the request that produced it.
/// </summary>
internal sealed record SmugglingVector(string Id, string What, byte[] Bytes)
{
    /// <summary>The marker of a request hidden inside a vector.</summary>
    public string SmuggledMarker => "smuggled-" + Id;

    public override string ToString() => Id;

    /// <summary>
    /// The shared conformance cases (../shared/conformance/http/imported-cases.jsonl next to the
    /// repository) tagged as smuggling, framing or malformed-syntax cases, or expected to be rejected.
    /// </summary>
    public static IEnumerable<SmugglingVector> Imported()
    {
        foreach (string line in File.ReadLines(PoeSharp.Tests.Shared.ConformanceCases.FilePath()))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonElement c = JsonDocument.Parse(line).RootElement;
            yield return new SmugglingVector(c.GetProperty("id").GetString()!, c.GetProperty("title").GetString()!, PoeSharp.Tests.Shared.ConformanceCases.Bytes(c));
        }
    }

    /// <summary>The project's own vectors: the classic desync shapes, each hiding a marked request.</summary>
    public static IEnumerable<SmugglingVector> Classic()
    {
        // {S} is a complete smuggled request, {P} an unfinished one whose header block the next
        // request on the backend connection would complete (the victim's request line becomes a header).
        const string Head = "POST / HTTP/1.1\r\nHost: backend\r\nX-Vector-Id: {ID}\r\n";

        SmugglingVector V(string id, string what, Func<string, string, string> build)
        {
            string smuggled = $"GET /smuggled HTTP/1.1\r\nHost: backend\r\nX-Vector-Id: smuggled-{id}\r\n\r\n";
            string text = build(Head.Replace("{ID}", id, StringComparison.Ordinal), smuggled);
            return new SmugglingVector(id, what, Encoding.Latin1.GetBytes(text));
        }
        static string Cl(string body) => body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        static string Hex(string s) => s.Length.ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        static string Lf(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);
        static string Prefix(string smuggled) => smuggled[..^2] + "X-Ignore: ";

        // CL.TE: the front end uses Content-Length, the back end chunked.
        yield return V("cl-te", "CL and TE chunked; CL covers a smuggled request after the last chunk",
            (h, s) => $"{h}Content-Length: {Cl("0\r\n\r\n" + s)}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n{s}");
        yield return V("cl-te-prefix", "CL and TE chunked; CL covers an unfinished request (poisons the next one)",
            (h, s) => $"{h}Content-Length: {Cl("0\r\n\r\n" + Prefix(s))}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n{Prefix(s)}");
        // TE.CL: the front end uses chunked, the back end Content-Length.
        yield return V("te-cl", "TE chunked and a short CL; the chunk holds a smuggled request",
            (h, s) => $"{h}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n{Hex(s)}\r\n{s}\r\n0\r\n\r\n");
        yield return V("te-cl-zero", "TE chunked and CL 0; the chunk holds a smuggled request",
            (h, s) => $"{h}Content-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n{Hex(s)}\r\n{s}\r\n0\r\n\r\n");
        // TE.TE: one of the two parsers does not see chunked.
        foreach ((string id, string te) in new[]
                 {
                     ("te-te-dup", "Transfer-Encoding: chunked\r\nTransfer-Encoding: x"),
                     ("te-te-space-before-colon", "Transfer-Encoding : chunked"),
                     ("te-te-tab", "Transfer-Encoding:\tchunked"),
                     ("te-te-vtab", "Transfer-Encoding:\vchunked"),
                     ("te-te-xchunked", "Transfer-Encoding: xchunked"),
                     ("te-te-quoted", "Transfer-Encoding: \"chunked\""),
                     ("te-te-upper", "Transfer-Encoding: CHUNKED"),
                     ("te-te-list-identity", "Transfer-Encoding: chunked, identity"),
                     ("te-te-identity-first", "Transfer-Encoding: identity, chunked"),
                     ("te-te-leading-space-name", " Transfer-Encoding: chunked"),
                     ("te-te-folded-value", "Transfer-Encoding:\r\n chunked"),
                     ("te-te-underscore", "Transfer_Encoding: chunked"),
                     ("te-te-bare-lf-before", "X-Pad: 1\nTransfer-Encoding: chunked"),
                     ("te-te-bare-cr-before", "X-Pad: 1\rTransfer-Encoding: chunked"),
                     ("te-te-nul", "Transfer-Encoding: chunked\0"),
                 })
        {
            yield return V(id + "-cl", $"CL (covering a smuggled request) and `{Escape(te)}`",
                (h, s) => $"{h}Content-Length: {Cl("0\r\n\r\n" + s)}\r\n{te}\r\n\r\n0\r\n\r\n{s}");
            yield return V(id + "-te", $"`{Escape(te)}` with a chunk holding a smuggled request, and CL 4",
                (h, s) => $"{h}{te}\r\nContent-Length: 4\r\n\r\n{Hex(s)}\r\n{s}\r\n0\r\n\r\n");
        }
        // Content-Length disagreements.
        yield return V("cl-cl", "two different Content-Length fields",
            (h, s) => $"{h}Content-Length: 0\r\nContent-Length: {Cl(s)}\r\n\r\n{s}");
        yield return V("cl-cl-reversed", "two different Content-Length fields, the longer first",
            (h, s) => $"{h}Content-Length: {Cl(s)}\r\nContent-Length: 0\r\n\r\n{s}");
        yield return V("cl-list", "Content-Length: 0, N",
            (h, s) => $"{h}Content-Length: 0, {Cl(s)}\r\n\r\n{s}");
        yield return V("cl-same-twice", "the same Content-Length twice (allowed) covering a smuggled request",
            (h, s) => $"{h}Content-Length: {Cl(s)}\r\nContent-Length: {Cl(s)}\r\n\r\n{s}");
        yield return V("cl-plus", "Content-Length: +N", (h, s) => $"{h}Content-Length: +{Cl(s)}\r\n\r\n{s}");
        yield return V("cl-leading-zeros", "Content-Length: 000N", (h, s) => $"{h}Content-Length: 000{Cl(s)}\r\n\r\n{s}");
        yield return V("cl-hex", "Content-Length: 0xN", (h, s) => $"{h}Content-Length: 0x{Hex(s)}\r\n\r\n{s}");
        yield return V("cl-negative", "Content-Length: -1", (h, s) => $"{h}Content-Length: -1\r\n\r\n{s}");
        yield return V("cl-overflow", "Content-Length: 2^64 + 0", (h, s) => $"{h}Content-Length: 18446744073709551616\r\n\r\n{s}");
        yield return V("cl-space-inside", "Content-Length: 0 N", (h, s) => $"{h}Content-Length: 0 {Cl(s)}\r\n\r\n{s}");
        yield return V("cl-space-before-colon", "Content-Length : N", (h, s) => $"{h}Content-Length : {Cl(s)}\r\n\r\n{s}");
        yield return V("cl-obs-fold", "Content-Length: 0 folded onto N", (h, s) => $"{h}Content-Length: 0\r\n {Cl(s)}\r\n\r\n{s}");
        yield return V("cl-folded-under-other", "Content-Length folded under another field",
            (h, s) => $"{h}X-Pad: 1\r\n Content-Length: {Cl(s)}\r\n\r\n{s}");
        yield return V("cl-bare-lf-before", "Content-Length after a field ended by a bare LF",
            (h, s) => $"{h}X-Pad: 1\nContent-Length: {Cl(s)}\r\n\r\n{s}");
        yield return V("cl-bare-cr-before", "Content-Length after a field ended by a bare CR",
            (h, s) => $"{h}X-Pad: 1\rContent-Length: {Cl(s)}\r\n\r\n{s}");
        yield return V("cl-on-get", "a GET whose Content-Length covers a smuggled request (CL.0)",
            (h, s) => $"GET / HTTP/1.1\r\nHost: backend\r\nX-Vector-Id: {h.Split("X-Vector-Id: ")[1].Split("\r\n")[0]}\r\nContent-Length: {Cl(s)}\r\n\r\n{s}");
        // Line endings.
        yield return V("bare-lf-everywhere", "every line ended by a bare LF, CL covering a smuggled request",
            (h, s) => Lf($"{h}Content-Length: {Cl(Lf(s))}\r\n\r\n{s}"));
        yield return V("bare-lf-terminator", "the header block ended by a bare LF line, then a pipelined request",
            (h, s) => $"{h}Content-Length: 0\r\n\n{s}");
        yield return V("bare-cr-terminator", "the header block ended by CR CR, then a pipelined request",
            (h, s) => $"{h}Content-Length: 0\r\r{s}");
        // Chunked framing.
        yield return V("chunk-ext", "a chunk extension, then a smuggled request as the next pipelined one",
            (h, s) => $"{h}Transfer-Encoding: chunked\r\n\r\n1;name=value\r\nA\r\n0;x=\"y\"\r\n\r\n{s}");
        yield return V("chunk-ext-bare-lf", "a bare LF inside a chunk extension (the 2023 chunk-ext desync)",
            (h, s) => $"{h}Transfer-Encoding: chunked\r\n\r\n2;\nxx\r\n{Hex(s)}\r\n{s}\r\n0\r\n\r\n");
        yield return V("chunk-size-bare-lf", "a chunk size line ended by a bare LF",
            (h, s) => $"{h}Transfer-Encoding: chunked\r\n\r\n{Hex(s)}\n{s}\r\n0\r\n\r\n");
        yield return V("chunk-data-bare-lf", "chunk data ended by a bare LF instead of CRLF",
            (h, s) => $"{h}Transfer-Encoding: chunked\r\n\r\n1\r\nA\n{Hex(s)}\r\n{s}\r\n0\r\n\r\n");
        yield return V("chunk-size-overflow", "a chunk size of 2^64 + 1",
            (h, s) => $"{h}Transfer-Encoding: chunked\r\n\r\n10000000000000001\r\nA\r\n0\r\n\r\n{s}");
        yield return V("chunk-size-0x", "a chunk size written 0x…",
            (h, s) => $"{h}Transfer-Encoding: chunked\r\n\r\n0x{Hex(s)}\r\n{s}\r\n0\r\n\r\n");
        yield return V("chunk-size-space", "a chunk size followed by spaces",
            (h, s) => $"{h}Transfer-Encoding: chunked\r\n\r\n{Hex(s)}  \r\n{s}\r\n0\r\n\r\n");
        yield return V("chunk-trailer-request", "a trailer section that holds a request's header block",
            (h, s) => $"{h}Transfer-Encoding: chunked\r\n\r\n0\r\n{s}");
        yield return V("chunk-missing-last", "chunked without the last chunk, then a smuggled request",
            (h, s) => $"{h}Transfer-Encoding: chunked\r\n\r\n1\r\nA\r\n{s}");
        // Connection management.
        yield return V("pipelined-after-close", "a request with Connection: close, then a pipelined one",
            (h, s) => $"{h}Content-Length: 0\r\nConnection: close\r\n\r\n{s}");
        yield return V("http10-body", "HTTP/1.0 with a body and keep-alive, then a pipelined request",
            (h, s) => $"{h.Replace("HTTP/1.1", "HTTP/1.0", StringComparison.Ordinal)}Connection: keep-alive\r\nContent-Length: 1\r\n\r\nA{s}");
        yield return V("upgrade-not-granted", "Upgrade: websocket that the backend does not grant, then a request in the would-be tunnel",
            (h, s) => $"GET /chat HTTP/1.1\r\nHost: backend\r\nX-Vector-Id: {h.Split("X-Vector-Id: ")[1].Split("\r\n")[0]}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n{s}");
        yield return V("expect-continue-no-body", "Expect: 100-continue whose body is a smuggled request",
            (h, s) => $"{h}Expect: 100-continue\r\nContent-Length: {Cl(s)}\r\n\r\n{s}");
        yield return V("absolute-form-host-mismatch", "an absolute-form target whose authority differs from Host",
            (h, s) => $"{h.Replace("POST / ", "POST http://other.example/ ", StringComparison.Ordinal)}Content-Length: {Cl(s)}\r\n\r\n{s}");
        yield return V("nul-in-header", "a NUL byte in a field value before Content-Length",
            (h, s) => $"{h}X-Pad: a\0b\r\nContent-Length: {Cl(s)}\r\n\r\n{s}");
        yield return V("request-line-bare-lf", "a request line ended by a bare LF",
            (h, s) => $"{h.Replace("HTTP/1.1\r\n", "HTTP/1.1\n", StringComparison.Ordinal)}Content-Length: {Cl(s)}\r\n\r\n{s}");
    }

    /// <summary>Control characters written visibly, for the results table.</summary>
    public static string Escape(string s) => s.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)
        .Replace("\t", "\\t", StringComparison.Ordinal).Replace("\v", "\\v", StringComparison.Ordinal).Replace("\0", "\\0", StringComparison.Ordinal);
}
