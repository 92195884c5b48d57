using System.Text;
using PoeSharp.Filters.Http;

namespace PoeSharp.Filters.Tests.Http;

/// <summary>
/// <see cref="HttpdLimits.StreamBodies"/>: the request record comes with its head, the body follows as
/// <see cref="HttpRequestBodyPiece"/> records (de-chunked, bounded, the last one final), then the next request.
/// </summary>
[TestFixture]
public sealed class HttpdStreamingTests
{
    private static readonly HttpdLimits Streaming = new() { StreamBodies = true };

    private const string PostHead = "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n";
    private const string ChunkedHead = "PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
    private const string Get = "GET /next HTTP/1.1\r\nHost: h\r\n\r\n";

    private static byte[] B(string s) => Encoding.Latin1.GetBytes(s);

    private static string T(byte[] bytes) => Encoding.Latin1.GetString(bytes);

    private static List<HttpMessage> Parse(string text, HttpdLimits? limits = null) =>
        HttpFeeder.Feed(new HttpdFilter(limits ?? Streaming), B(text), Delivery.All).Records;

    /// <summary>
    /// The records with each request's pieces joined: "REQ method target [body] trailers", "ERR status",
    /// "100". Checks on the way that pieces belong to the request before them, are contiguous, and
    /// that only the last one is final; an unfinished body is marked "(open)".
    /// </summary>
    private static string Fold(IReadOnlyList<HttpMessage> records)
    {
        var parts = new List<string>();
        HttpRequest? open = null;
        var body = new List<byte>();
        foreach (HttpMessage m in records)
        {
            if (m is HttpRequestBodyPiece piece)
            {
                Assert.That(open, Is.Not.Null, "a body piece without a request before it");
                Assert.That(piece.Request, Is.SameAs(open));
                Assert.That(piece.Offset, Is.EqualTo(body.Count), "pieces are contiguous");
                body.AddRange(piece.Body);
                if (piece.IsFinal)
                {
                    parts[^1] += $" [{T(body.ToArray())}] {open!.Trailers}";
                    open = null;
                }
                continue;
            }
            if (open is not null) parts[^1] += $" [{T(body.ToArray())}] (open)";
            open = null;
            body.Clear();
            switch (m)
            {
                case HttpErrorResponse e: parts.Add($"ERR {e.StatusCode} {e.Reason}"); break;
                case HttpContinueResponse c: parts.Add($"100 for {c.Request!.Target}"); break;
                case HttpRequest r:
                    Assert.That(r.Body, Is.Empty, "a streamed request's own Body stays empty");
                    parts.Add($"REQ {r.Method} {r.Target} {r.VersionText}");
                    if (r.HasBody) open = r;
                    break;
                default: Assert.Fail($"unexpected record {m}"); break;
            }
        }
        if (open is not null) parts[^1] += $" [{T(body.ToArray())}] (open)";
        return string.Join(" | ", parts);
    }

    [Test]
    public void TheRequestComesWithItsHeadAndTheBodyFollowsAsItArrives()
    {
        var filter = new HttpdFilter(Streaming);
        byte[] head = B(PostHead);
        Assert.That(filter.TryGetOne(head, out HttpMessage? first, out int consumed), Is.EqualTo(DecodeStatus.Record));
        var request = (HttpRequest)first!;
        Assert.That(consumed, Is.EqualTo(head.Length));
        Assert.That((request.Method, request.Target, request.HasBody, request.ContentLength), Is.EqualTo(("POST", "/up", true, (long?)11)));
        Assert.That(request.Body, Is.Empty);

        Assert.That(filter.TryGetOne([], out HttpMessage? none, out consumed), Is.EqualTo(DecodeStatus.NeedMoreData));
        Assert.That((none, consumed), Is.EqualTo(((HttpMessage?)null, 0)));

        Assert.That(filter.TryGetOne(B("hel"), out HttpMessage? p1, out consumed), Is.EqualTo(DecodeStatus.Record));
        var piece1 = (HttpRequestBodyPiece)p1!;
        Assert.That((T(piece1.Body), piece1.Offset, piece1.IsFinal, consumed), Is.EqualTo(("hel", 0L, false, 3)));
        Assert.That(piece1.Request, Is.SameAs(request));
        Assert.That(piece1.Headers, Is.SameAs(request.Headers));

        // The rest of the body and a pipelined request in one read: the piece stops at Content-Length.
        byte[] rest = B("lo world" + Get);
        Assert.That(filter.TryGetOne(rest, out HttpMessage? p2, out consumed), Is.EqualTo(DecodeStatus.Record));
        var piece2 = (HttpRequestBodyPiece)p2!;
        Assert.That((T(piece2.Body), piece2.Offset, piece2.IsFinal, consumed), Is.EqualTo(("lo world", 3L, true, 8)));

        Assert.That(filter.TryGetOne(rest.AsSpan(8), out HttpMessage? next, out consumed), Is.EqualTo(DecodeStatus.Record));
        Assert.That(((HttpRequest)next!).Target, Is.EqualTo("/next"));
        Assert.That(consumed, Is.EqualTo(rest.Length - 8));
        Assert.That(filter.IsClosed, Is.False);
    }

    [Test]
    public void PiecesAreNoLongerThanMaxBodyPieceBytes()
    {
        var records = Parse(PostHead + "hello world", Streaming with { MaxBodyPieceBytes = 4 });
        var pieces = records.OfType<HttpRequestBodyPiece>().ToList();
        Assert.That(pieces.Select(p => T(p.Body)), Is.EqualTo(new[] { "hell", "o wo", "rld" }));
        Assert.That(pieces.Select(p => p.IsFinal), Is.EqualTo(new[] { false, false, true }));
        Assert.That(pieces.Select(p => p.Offset), Is.EqualTo(new[] { 0L, 4L, 8L }));
    }

    [Test]
    public void ChunkedBodyArrivesDechunkedWithTrailersOnTheRequest()
    {
        var records = Parse(ChunkedHead + "5;ext=\"q\"\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 7\r\n\r\n" + Get);
        Assert.That(records, Has.Count.EqualTo(3));
        var request = (HttpRequest)records[0];
        Assert.That((request.HasBody, request.ContentLength), Is.EqualTo((true, (long?)null)));
        var piece = (HttpRequestBodyPiece)records[1];
        Assert.That((T(piece.Body), piece.IsFinal), Is.EqualTo(("hello world", true)), "all chunks at once: one piece");
        Assert.That(request.Trailers["X-Sum"], Is.EqualTo("7"));
        Assert.That(((HttpRequest)records[2]).Target, Is.EqualTo("/next"));

        // Byte by byte: many pieces, the last one empty and final once the trailers are in.
        var trickled = HttpFeeder.Feed(new HttpdFilter(Streaming), B(ChunkedHead + "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 7\r\n\r\n"), Delivery.Bytes).Records;
        var pieces = trickled.OfType<HttpRequestBodyPiece>().ToList();
        Assert.That(pieces, Has.Count.EqualTo(12));
        Assert.That(pieces.All(p => p.Body.Length == 1 || p.IsFinal), Is.True);
        Assert.That((pieces[^1].Body.Length, pieces[^1].IsFinal), Is.EqualTo((0, true)));
        Assert.That(string.Concat(pieces.Select(p => T(p.Body))), Is.EqualTo("hello world"));
    }

    [Test]
    public void AChunkLongerThanMaxBodyPieceBytesIsCutAndShortChunksAreJoined()
    {
        var records = Parse(ChunkedHead + "a\r\n0123456789\r\n1\r\nA\r\n1\r\nB\r\n0\r\n\r\n", Streaming with { MaxBodyPieceBytes = 4 });
        var pieces = records.OfType<HttpRequestBodyPiece>().Select(p => (T(p.Body), p.IsFinal)).ToList();
        Assert.That(pieces, Is.EqualTo(new[] { ("0123", false), ("4567", false), ("89AB", true) }), "the last-chunk is parsed along");
    }

    [Test]
    public void NoBodyMeansNoPiecesAndAnEmptyChunkedBodyIsOneEmptyFinalPiece()
    {
        var records = Parse("POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n" + Get + ChunkedHead + "0\r\n\r\n" + Get);
        Assert.That(records.Select(r => r.GetType().Name), Is.EqualTo(new[]
        {
            nameof(HttpRequest), nameof(HttpRequest), nameof(HttpRequest), nameof(HttpRequestBodyPiece), nameof(HttpRequest),
        }));
        Assert.That(((HttpRequest)records[0]).HasBody, Is.False);
        Assert.That(((HttpRequest)records[1]).HasBody, Is.False);
        var empty = (HttpRequestBodyPiece)records[3];
        Assert.That((empty.Body.Length, empty.IsFinal, empty.Offset), Is.EqualTo((0, true, 0L)));
        Assert.That(((HttpRequest)records[4]).Target, Is.EqualTo("/next"));
    }

    [Test]
    public void AClosingRequestClosesAfterItsFinalPiece()
    {
        var filter = new HttpdFilter(Streaming);
        var result = HttpFeeder.Feed(filter, B("POST /old HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc" + Get), Delivery.All);
        Assert.That(Fold(result.Records), Is.EqualTo("REQ POST /old HTTP/1.0 [abc] "));
        Assert.That(filter.IsClosed, Is.True);
        Assert.That(result.Errors, Has.Count.EqualTo(1), "the pipelined bytes are discarded with an error");
    }

    [Test]
    public void PiecesAreCopiesThatOutliveTheCallersBuffer()
    {
        var filter = new HttpdFilter(Streaming);
        byte[] buffer = B(PostHead + "hello world");
        filter.TryGetOne(buffer, out _, out int consumed);
        Assert.That(filter.TryGetOne(buffer.AsSpan(consumed), out HttpMessage? record, out _), Is.EqualTo(DecodeStatus.Record));
        Array.Fill(buffer, (byte)'x');
        Assert.That(((HttpRequestBodyPiece)record!).BodyText, Is.EqualTo("hello world"));
    }

    [Test]
    public void MaxContentLengthDoesNotApplyButMaxStreamedContentLengthDoes()
    {
        int size = 3 * 1024 * 1024; // three times the default MaxContentLength
        byte[] data = B($"POST /big HTTP/1.1\r\nHost: h\r\nContent-Length: {size}\r\n\r\n").Concat(new byte[size]).ToArray();
        var records = HttpFeeder.Feed(new HttpdFilter(Streaming), data, Delivery.All).Records;
        var pieces = records.OfType<HttpRequestBodyPiece>().ToList();
        Assert.That(pieces.Sum(p => (long)p.Body.Length), Is.EqualTo(size));
        Assert.That(pieces.Max(p => p.Body.Length), Is.EqualTo(Streaming.MaxBodyPieceBytes));
        Assert.That(pieces[^1].IsFinal, Is.True);
        Assert.That(HttpFeeder.Feed(new HttpdFilter(), data, Delivery.All).Records.Single(), Is.InstanceOf<HttpErrorResponse>(), "413 when buffered");

        var limited = Streaming with { MaxStreamedContentLength = 10 };
        var tooLong = Parse("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world", limited);
        Assert.That(Fold(tooLong), Is.EqualTo("ERR 413 ContentTooLarge"));
        var chunked = Parse(ChunkedHead + "6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n", limited);
        Assert.That(Fold(chunked), Is.EqualTo("REQ PUT /c HTTP/1.1 [hello ] (open) | ERR 413 ContentTooLarge"));
        Assert.That(Fold(Parse(ChunkedHead + "5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", limited)), Is.EqualTo("REQ PUT /c HTTP/1.1 [helloworld] "), "10 is within the limit");
    }

    [Test]
    public void HugeDeclaredSizesAreStreamedUpToTheirFramingLimits()
    {
        var records = Parse("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 999999999999999999\r\n\r\nabc");
        var request = (HttpRequest)records[0];
        Assert.That((request.ContentLength, request.HasBody), Is.EqualTo(((long?)999999999999999999, true)));
        Assert.That(((HttpRequestBodyPiece)records[1]).BodyText, Is.EqualTo("abc"));
        Assert.That(Fold(Parse("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 1000000000000000000\r\n\r\n")), Is.EqualTo("ERR 413 ContentTooLarge"));

        Assert.That(Fold(Parse(ChunkedHead + "fffffffffffffff\r\nabc")), Is.EqualTo("REQ PUT /c HTTP/1.1 [abc] (open)"));
        Assert.That(Fold(Parse(ChunkedHead + "1000000000000000\r\nabc")), Is.EqualTo("REQ PUT /c HTTP/1.1 [] (open) | ERR 413 ContentTooLarge"));
    }

    [TestCase("5\r\nhelloXX\r\n0\r\n\r\n", "hello")]
    [TestCase("5\r\nhello\rX", "hello")]
    [TestCase("5\r\nhello\r\nzz\r\n", "hello")]
    [TestCase("5\r\nhello\r\n3\nabc\r\n", "hello")]
    [TestCase("3;=\r\nabc\r\n0\r\n\r\n", "")]
    [TestCase("3\r\nabc\r\n0\r\nBad Trailer\r\n\r\n", "abc")]
    public void AnErrorMidBodyYieldsTheGoodBytesThenA400AndCloses(string body, string good)
    {
        string text = ChunkedHead + body + Get;
        var filter = new HttpdFilter(Streaming);
        var result = HttpFeeder.Feed(filter, B(text), Delivery.All);
        string folded = Fold(result.Records);
        Assert.That(folded, Does.StartWith($"REQ PUT /c HTTP/1.1 [{good}] (open) | ERR 400 "));
        var error = (HttpErrorResponse)result.Records[^1];
        Assert.That(error.Request, Is.SameAs(result.Records[0]));
        Assert.That(filter.IsClosed, Is.True);
        Assert.That(result.Leftover, Is.Zero);

        byte[] data = B(text);
        for (int at = 1; at < data.Length; at++)
            Assert.That(Fold(HttpFeeder.Feed(new HttpdFilter(Streaming), HttpFeeder.SplitOnce(data, at)).Records), Is.EqualTo(folded), $"split at {at}");
    }

    private static readonly string[] Streams =
    [
        PostHead + "hello world" + Get + ChunkedHead + "5;e=1\r\nhello\r\n6\r\n world\r\n0\r\nT: 1\r\n\r\n\r\n" + Get,
        "POST /e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n12345" +
            ChunkedHead.Replace("\r\n\r\n", "\r\nExpect: 100-continue\r\n\r\n") + "3\r\nabc\r\n0\r\n\r\n" + Get,
        ChunkedHead + "0\r\n\r\n" + "POST /z HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n" + PostHead + "hello world",
        PostHead + "hello world" + ChunkedHead + "4\r\nabcd\r\n4\r\nefgh\r\n1\r\nX\r\n",
    ];

    private static readonly string[] Folded =
    [
        "REQ POST /up HTTP/1.1 [hello world]  | REQ GET /next HTTP/1.1 | REQ PUT /c HTTP/1.1 [hello world] T: 1 | REQ GET /next HTTP/1.1",
        "100 for /e | REQ POST /e HTTP/1.1 [12345]  | 100 for /c | REQ PUT /c HTTP/1.1 [abc]  | REQ GET /next HTTP/1.1",
        "REQ PUT /c HTTP/1.1 []  | REQ POST /z HTTP/1.1 | REQ POST /up HTTP/1.1 [hello world] ",
        "REQ POST /up HTTP/1.1 [hello world]  | REQ PUT /c HTTP/1.1 [abcdefghX] (open)",
    ];

    [Test]
    public void EverySplitPointGivesTheSameRecordsAndTheSameBodies([Range(0, 3)] int which)
    {
        byte[] data = B(Streams[which]);
        string whole = Fold(HttpFeeder.Feed(new HttpdFilter(Streaming), data, Delivery.All).Records);
        Assert.That(whole, Is.EqualTo(Folded[which]));
        for (int at = 1; at < data.Length; at++)
            Assert.That(Fold(HttpFeeder.Feed(new HttpdFilter(Streaming), HttpFeeder.SplitOnce(data, at)).Records), Is.EqualTo(whole), $"split at {at}");
        Assert.That(Fold(HttpFeeder.Feed(new HttpdFilter(Streaming), data, Delivery.Bytes).Records), Is.EqualTo(whole), "byte by byte");
        Assert.That(Fold(HttpFeeder.Feed(new HttpdFilter(Streaming with { MaxBodyPieceBytes = 1 }), data, Delivery.All).Records), Is.EqualTo(whole), "one-byte pieces");

        // The same stream buffered: the same requests with the same bodies, only whole.
        string buffered = string.Join(" | ", HttpFeeder.Feed(new HttpdFilter(), data, Delivery.All).Records.Select(m => m switch
        {
            HttpContinueResponse c => $"100 for {c.Request!.Target}",
            HttpRequest r => $"REQ {r.Method} {r.Target} {r.VersionText}" + (r.HasBody ? $" [{T(r.Body)}] {r.Trailers}" : ""),
            _ => m.ToString()!,
        }));
        Assert.That(whole.Replace(" (open)", ""), Does.StartWith(buffered));
    }

    [Test]
    public void ExpectContinueGivesTheInterimRecordThenTheRequestThenThePieces()
    {
        var filter = new HttpdFilter(Streaming);
        byte[] head = B("POST /e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
        Assert.That(filter.TryGetOne(head, out HttpMessage? first, out int consumed), Is.EqualTo(DecodeStatus.Record));
        var interim = (HttpContinueResponse)first!;
        Assert.That(consumed, Is.EqualTo(head.Length - 1), "each record consumes input: the request takes the head's last byte");
        Assert.That(filter.TryGetOne(head.AsSpan(consumed), out HttpMessage? second, out consumed), Is.EqualTo(DecodeStatus.Record));
        Assert.That((second, consumed), Is.EqualTo(((HttpMessage?)interim.Request, 1)));
        Assert.That(filter.TryGetOne([], out _, out _), Is.EqualTo(DecodeStatus.NeedMoreData));
        Assert.That(filter.TryGetOne(B("12345"), out HttpMessage? third, out consumed), Is.EqualTo(DecodeStatus.Record));
        Assert.That((((HttpRequestBodyPiece)third!).BodyText, ((HttpRequestBodyPiece)third).IsFinal, consumed), Is.EqualTo(("12345", true, 5)));

        // Without AutoContinue, no interim record.
        var records = Parse(T(head) + "12345", Streaming with { AutoContinue = false });
        Assert.That(Fold(records), Is.EqualTo("REQ POST /e HTTP/1.1 [12345] "));
    }

    [Test]
    public void EveryRecordConsumesInput()
    {
        // A wheel stops decoding after a record that consumed nothing; none may.
        var filter = new HttpdFilter(Streaming);
        byte[] data = B(Streams[1] + Streams[0]);
        int offset = 0, records = 0;
        while (offset < data.Length)
        {
            DecodeStatus status = filter.TryGetOne(data.AsSpan(offset), out _, out int consumed);
            Assert.That(status, Is.EqualTo(DecodeStatus.Record));
            Assert.That(consumed, Is.GreaterThan(0), $"record {records}");
            offset += consumed;
            records++;
        }
        Assert.That(records, Is.EqualTo(13));
    }

    [Test]
    public void TheDefaultModeStillBuffersTheWholeBody()
    {
        Assert.That(HttpdLimits.Default.StreamBodies, Is.False);
        var records = Parse(PostHead + "hello world" + ChunkedHead + "5\r\nhello\r\n0\r\n\r\n", HttpdLimits.Default);
        Assert.That(records.Select(r => r.GetType()), Is.All.EqualTo(typeof(HttpRequest)));
        Assert.That(records.Select(r => r.BodyText), Is.EqualTo(new[] { "hello world", "hello" }));
    }

    [Test]
    public void HasBodyAndContentLengthFollowTheFraming()
    {
        var request = new HttpRequest("POST", "/");
        Assert.That((request.HasBody, request.ContentLength), Is.EqualTo((false, (long?)null)));
        request.Headers["Content-Length"] = "0";
        Assert.That((request.HasBody, request.ContentLength), Is.EqualTo((false, (long?)0)));
        request.Headers["Content-Length"] = "12";
        Assert.That((request.HasBody, request.ContentLength), Is.EqualTo((true, (long?)12)));
        request.Headers["Content-Length"] = null;
        request.Headers["Transfer-Encoding"] = "chunked";
        Assert.That((request.HasBody, request.ContentLength), Is.EqualTo((true, (long?)null)));
    }

    [Test]
    public void BadLimitsAreRefused()
    {
        Assert.That(() => new HttpdFilter(Streaming with { MaxBodyPieceBytes = 0 }),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("MaxBodyPieceBytes"));
        Assert.That(() => new HttpdFilter(Streaming with { MaxStreamedContentLength = -1 }),
            Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("MaxStreamedContentLength"));
    }
}
