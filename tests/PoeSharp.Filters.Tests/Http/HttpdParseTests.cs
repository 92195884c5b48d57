using System.Text;
using PoeSharp.Filters.Http;

namespace PoeSharp.Filters.Tests.Http;

[TestFixture]
public sealed class HttpdParseTests
{
    private const string Browser =
        "GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: Mozilla/5.0\r\nAccept: text/html\r\n" +
        "Accept-Language: en\r\nAccept-Encoding: gzip\r\nConnection: keep-alive\r\nCookie: a=b\r\n\r\n";

    private static byte[] B(string s) => Encoding.Latin1.GetBytes(s);

    private static List<HttpMessage> Parse(string text, HttpdLimits? limits = null) =>
        HttpFeeder.Feed(new HttpdFilter(limits), B(text), Delivery.All).Records;

    private static HttpRequest One(string text, HttpdLimits? limits = null)
    {
        var records = Parse(text, limits);
        Assert.That(records, Has.Count.EqualTo(1));
        Assert.That(records[0], Is.InstanceOf<HttpRequest>(), records[0].ToString());
        return (HttpRequest)records[0];
    }

    private static HttpErrorResponse Rejected(string text, HttpdLimits? limits = null)
    {
        var records = Parse(text, limits);
        Assert.That(records, Is.Not.Empty, "expected an error record");
        Assert.That(records[^1], Is.InstanceOf<HttpErrorResponse>(), records[^1].ToString());
        return (HttpErrorResponse)records[^1];
    }

    [Test]
    public void ParsesMethodTargetVersionHeadersInOrder()
    {
        HttpRequest r = One(Browser);
        Assert.That(r.Method, Is.EqualTo("GET"));
        Assert.That(r.Target, Is.EqualTo("/index.html?q=1"));
        Assert.That(r.Path, Is.EqualTo("/index.html"));
        Assert.That(r.Query, Is.EqualTo("?q=1"));
        Assert.That(r.Version, Is.EqualTo(new Version(1, 1)));
        Assert.That(r.Uri, Is.EqualTo(new Uri("http://example.com/index.html?q=1")));
        Assert.That(r.Headers.Names, Is.EqualTo(new[] { "Host", "User-Agent", "Accept", "Accept-Language", "Accept-Encoding", "Connection", "Cookie" }));
        Assert.That(r.Headers["HOST"], Is.EqualTo("example.com"));
        Assert.That(r.Headers["cookie"], Is.EqualTo("a=b"));
        Assert.That(r.Body, Is.Empty);
        Assert.That(r.KeepAlive, Is.True);
    }

    [Test]
    public void RepeatedFieldsAreKeptAndJoinedOnLookup()
    {
        HttpRequest r = One("GET / HTTP/1.1\r\nHost: h\r\nX-Multi: 1\r\nx-multi: 2\r\n\r\n");
        Assert.That(r.Headers, Has.Count.EqualTo(3));
        Assert.That(r.Headers["X-Multi"], Is.EqualTo("1, 2"));
        Assert.That(r.Headers.GetValues("x-MULTI"), Is.EqualTo(new[] { "1", "2" }));
        Assert.That(r.Headers.Names, Is.EqualTo(new[] { "Host", "X-Multi" }));
    }

    [TestCase("GET /x HTTP/1.0\r\n\r\n", "GET", "/x", "HTTP/1.0")]
    [TestCase("brew /pot HTTP/1.1\r\nHost: h\r\n\r\n", "brew", "/pot", "HTTP/1.1")]
    [TestCase("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", "OPTIONS", "*", "HTTP/1.1")]
    [TestCase("GET http://example.com/a?b HTTP/1.1\r\nHost: example.com\r\n\r\n", "GET", "http://example.com/a?b", "HTTP/1.1")]
    [TestCase("\r\n\r\nGET / HTTP/1.1\nHost: h\n\n", "GET", "/", "HTTP/1.1")]
    [TestCase("GET //foo//bar HTTP/1.1\r\nHost: h\r\n\r\n", "GET", "//foo//bar", "HTTP/1.1")]
    public void ValidRequests(string text, string method, string target, string version)
    {
        HttpRequest r = One(text);
        Assert.That((r.Method, r.Target, r.VersionText), Is.EqualTo((method, target, version)));
    }

    [TestCase("GET\r\n\r\n", RejectionReason.InvalidRequestLine)]
    [TestCase("@@@ / HTTP/1.0\r\n\r\n", RejectionReason.InvalidRequestLine)]
    [TestCase("<script> x\r\n\r\n", RejectionReason.InvalidRequestLine)]
    [TestCase("GET\t/x HTTP/1.0\r\n\r\n", RejectionReason.InvalidRequestLine)]
    [TestCase("GET  / HTTP/1.0\r\n\r\n", RejectionReason.InvalidRequestLine)]
    [TestCase("GET / http/1.1\r\n\r\n", RejectionReason.InvalidVersion)]
    [TestCase("GET / HTTP/1.1 \r\n\r\n", RejectionReason.InvalidVersion)]
    [TestCase("GET / HTTP/2.0\r\n\r\n", RejectionReason.UnsupportedVersion)]
    [TestCase("GET / HTTP/1.1\rHost: h\r\n\r\n", RejectionReason.BareCarriageReturn)]
    [TestCase("GET foo HTTP/1.1\r\nHost: h\r\n\r\n", RejectionReason.InvalidTarget)]
    [TestCase("GET * HTTP/1.1\r\nHost: h\r\n\r\n", RejectionReason.InvalidTarget)]
    [TestCase("GET /\x01 HTTP/1.1\r\nHost: h\r\n\r\n", RejectionReason.InvalidTarget)]
    [TestCase("CONNECT h:443 HTTP/1.1\r\nHost: h\r\n\r\n", RejectionReason.MethodNotImplemented)]
    [TestCase("GET / HTTP/1.1\r\n\r\n", RejectionReason.MissingHost)]
    [TestCase("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", RejectionReason.MultipleHost)]
    [TestCase("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", RejectionReason.InvalidHost)]
    [TestCase("GET / HTTP/1.1\r\nHost: h\r\nX.Y : 1\r\n\r\n", RejectionReason.InvalidHeaderLine)]
    [TestCase("GET / HTTP/1.1\r\nHost: h\r\nBad Header Line\r\n\r\n", RejectionReason.InvalidHeaderLine)]
    [TestCase("GET / HTTP/1.1\r\nHost : h\r\n\r\n", RejectionReason.InvalidHeaderLine)]
    [TestCase("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\n folded\r\n\r\n", RejectionReason.ObsoleteLineFolding)]
    [TestCase("GET / HTTP/1.1\r\nHost: h\r\nA: x\x01y\r\n\r\n", RejectionReason.InvalidHeaderLine)]
    [TestCase("GET / HTTP/1.1\r\nHost: h\r\nA: x\ry\r\n\r\n", RejectionReason.BareCarriageReturn)]
    [TestCase("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n", RejectionReason.InvalidContentLength)]
    [TestCase("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -5\r\n\r\n", RejectionReason.InvalidContentLength)]
    [TestCase("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n", RejectionReason.ConflictingContentLength)]
    [TestCase("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", RejectionReason.ContentLengthWithTransferEncoding)]
    [TestCase("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", RejectionReason.ChunkedNotFinal)]
    [TestCase("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", RejectionReason.ChunkedNotFinal)]
    [TestCase("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", RejectionReason.UnsupportedTransferCoding)]
    [TestCase("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", RejectionReason.TransferEncodingInHttp10)]
    [TestCase("POST / HTTP/1.0\r\n\r\n", RejectionReason.LengthRequired)]
    [TestCase("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1048577\r\n\r\n", RejectionReason.ContentTooLarge)]
    [TestCase("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n", RejectionReason.ContentTooLarge)]
    [TestCase("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n", RejectionReason.InvalidChunk)]
    [TestCase("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2 x\r\naa\r\n0\r\n\r\n", RejectionReason.InvalidChunk)]
    [TestCase("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2;\r\naa\r\n0\r\n\r\n", RejectionReason.InvalidChunk)]
    [TestCase("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\naa\r\n0\r\n\r\n", RejectionReason.InvalidChunk)]
    [TestCase("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\naaa\r\n0\r\n\r\n", RejectionReason.InvalidChunk)]
    [TestCase("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n100001\r\n", RejectionReason.ContentTooLarge)]
    [TestCase("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n", RejectionReason.ContentTooLarge)]
    public void InvalidRequests(string text, RejectionReason reason)
    {
        HttpErrorResponse e = Rejected(text);
        Assert.That(e.Reason, Is.EqualTo(reason), e.Detail);
        Assert.That(e.StatusCode, Is.EqualTo(HttpErrorResponse.StatusFor(reason)));
        Assert.That(e.CloseConnection, Is.True);
        Assert.That(e.ContentType, Does.StartWith("text/html"));
    }

    [TestCase(RejectionReason.InvalidRequestLine, 400)]
    [TestCase(RejectionReason.LengthRequired, 411)]
    [TestCase(RejectionReason.ContentTooLarge, 413)]
    [TestCase(RejectionReason.RequestLineTooLong, 414)]
    [TestCase(RejectionReason.HeadersTooLarge, 431)]
    [TestCase(RejectionReason.TooManyHeaders, 431)]
    [TestCase(RejectionReason.UnsupportedTransferCoding, 501)]
    [TestCase(RejectionReason.UnsupportedVersion, 505)]
    public void StatusOfEachReason(RejectionReason reason, int status) =>
        Assert.That(HttpErrorResponse.StatusFor(reason), Is.EqualTo(status));

    [Test]
    public void ErrorBodyIsEscapedAndReflectsNoInput()
    {
        HttpErrorResponse e = Rejected("<script>alert(1)</script> / HTTP/1.1\r\n\r\n");
        Assert.That(e.BodyText, Does.Not.Contain("<script>"));
        Assert.That(e.BodyText, Does.Contain("400 Bad Request"));
        var escaped = new HttpErrorResponse(RejectionReason.InvalidTarget, "a <b> & c");
        Assert.That(escaped.BodyText, Does.Contain("a &lt;b&gt; &amp; c"));
    }

    [Test]
    public void AnInvalidRequestLineIsRejectedBeforeItsLineEnd()
    {
        var filter = new HttpdFilter();
        Assert.That(filter.TryGetOne(B("GET / FOO"), out var record, out int consumed), Is.EqualTo(DecodeStatus.Record));
        Assert.That(record, Is.InstanceOf<HttpErrorResponse>());
        Assert.That(consumed, Is.EqualTo(9));
    }

    [Test]
    public void ContentLengthBody()
    {
        HttpRequest r = One("POST /f HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello");
        Assert.That(r.BodyText, Is.EqualTo("hello"));
    }

    [Test]
    public void Http11PostWithoutLengthHasAnEmptyBody()
    {
        Assert.That(One("POST /f HTTP/1.1\r\nHost: h\r\n\r\n").Body, Is.Empty);
    }

    [Test]
    public void IdenticalDuplicateContentLengthsAreAccepted()
    {
        HttpRequest r = One("POST /f HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi");
        Assert.That(r.BodyText, Is.EqualTo("hi"));
    }

    [Test]
    public void ChunkedBodyWithExtensionsAndTrailers()
    {
        HttpRequest r = One("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" +
                            "5;name=value;q=\"a \\\"b\\\"\"\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 1\r\nX-Other: 2\r\n\r\n");
        Assert.That(r.BodyText, Is.EqualTo("hello world"));
        Assert.That(r.Trailers.Select(f => f.ToString()), Is.EqualTo(new[] { "X-Sum: 1", "X-Other: 2" }));
    }

    [Test]
    public void PipelinedRequestsComeOutInOrder()
    {
        var records = Parse("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nPOST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n" +
                            "PUT /3 HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nxGET /4 HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.That(records.Cast<HttpRequest>().Select(r => r.Target), Is.EqualTo(new[] { "/1", "/2", "/3", "/4" }));
    }

    [Test]
    public void PipelinedRequestAfterContentLengthZeroIsKept()
    {
        // POE lost the second request (it discarded the buffer after Content-Length: 0).
        var records = Parse("POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.That(records.Cast<HttpRequest>().Select(r => r.Target), Is.EqualTo(new[] { "/a", "/b" }));
    }

    [Test]
    public void TransferEncodingIsNotIgnored()
    {
        // POE parsed the chunked body as the next request and answered 400.
        var records = Parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /n HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.That(records, Has.Count.EqualTo(2));
        Assert.That(((HttpRequest)records[0]).BodyText, Is.EqualTo("abc"));
        Assert.That(((HttpRequest)records[1]).Target, Is.EqualTo("/n"));
    }

    [Test]
    public void AMalformedHeaderLineIsAnErrorNotASilentTruncation()
    {
        HttpErrorResponse e = Rejected("GET / HTTP/1.1\r\nHost: h\r\nX(Y): 1\r\nZ: 2\r\n\r\n");
        Assert.That(e.StatusCode, Is.EqualTo(400));
    }

    [Test]
    public void NothingIsProducedAfterAnErrorUntilReset()
    {
        var filter = new HttpdFilter();
        FeedResult result = HttpFeeder.Feed(filter, B("BAD\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"), Delivery.All);
        Assert.That(result.Records, Has.Count.EqualTo(1));
        Assert.That(filter.IsClosed, Is.True);
        Assert.That(filter.TryGetOne(B("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), out _, out int consumed), Is.EqualTo(DecodeStatus.Error));
        Assert.That(consumed, Is.EqualTo(27));
        Assert.That(filter.LastError!.Filter, Is.EqualTo("HTTPD"));
        filter.Reset();
        Assert.That(filter.TryGetOne(B("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), out var record, out _), Is.EqualTo(DecodeStatus.Record));
        Assert.That(record, Is.InstanceOf<HttpRequest>());
    }

    [Test]
    public void NoRequestIsParsedAfterOneThatClosesTheConnection()
    {
        var filter = new HttpdFilter();
        FeedResult result = HttpFeeder.Feed(filter, B("GET /a HTTP/1.0\r\n\r\nGET /b HTTP/1.0\r\n\r\n"), Delivery.All);
        Assert.That(result.Records, Has.Count.EqualTo(1));
        Assert.That(result.Errors, Has.Count.EqualTo(1));
        Assert.That(filter.IsClosed, Is.True);
    }

    [Test]
    public void Http10KeepAliveAllowsPipelining()
    {
        var records = Parse("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b HTTP/1.0\r\n\r\n");
        Assert.That(records.Cast<HttpRequest>().Select(r => r.Target), Is.EqualTo(new[] { "/a", "/b" }));
    }

    [Test]
    public void UnsupportedTransferCodingIs501()
    {
        Assert.That(Rejected("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n").StatusCode, Is.EqualTo(501));
    }

    // ---- limits ----

    [Test]
    public void LongRequestLineIs414WithoutWaitingForItsEnd()
    {
        var filter = new HttpdFilter(new HttpdLimits { MaxRequestLineLength = 64 });
        string line = "GET /" + new string('a', 100);
        Assert.That(filter.TryGetOne(B(line), out var record, out _), Is.EqualTo(DecodeStatus.Record));
        Assert.That(((HttpErrorResponse)record!).StatusCode, Is.EqualTo(414));
    }

    [Test]
    public void RequestLineAtTheLimitIsAccepted()
    {
        string head = "GET /" + new string('a', 64 - 16) + " HTTP/1.1\r\n";
        Assert.That(head, Has.Length.EqualTo(64));
        One(head + "Host: h\r\n\r\n", new HttpdLimits { MaxRequestLineLength = 64 });
        Rejected("GET /a" + head[5..] + "Host: h\r\n\r\n", new HttpdLimits { MaxRequestLineLength = 64 });
    }

    [Test]
    public void LargeHeaderSectionIs431()
    {
        var limits = new HttpdLimits { MaxHeaderBytes = 100 };
        HttpErrorResponse e = Rejected("GET / HTTP/1.1\r\nHost: h\r\nX: " + new string('v', 200), limits);
        Assert.That(e.StatusCode, Is.EqualTo(431));
        Assert.That(e.Reason, Is.EqualTo(RejectionReason.HeadersTooLarge));
    }

    [Test]
    public void TooManyHeadersIs431()
    {
        var sb = new StringBuilder("GET / HTTP/1.1\r\nHost: h\r\n");
        for (int i = 0; i < 5; i++) sb.Append("X: 1\r\n");
        HttpErrorResponse e = Rejected(sb.Append("\r\n").ToString(), new HttpdLimits { MaxHeaderCount = 5 });
        Assert.That((e.StatusCode, e.Reason), Is.EqualTo((431, RejectionReason.TooManyHeaders)));
    }

    [Test]
    public void ContentAtTheLimitIsAcceptedAndBeyondIs413()
    {
        var limits = new HttpdLimits { MaxContentLength = 10 };
        Assert.That(One("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789", limits).Body, Has.Length.EqualTo(10));
        Assert.That(Rejected("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", limits).StatusCode, Is.EqualTo(413));
        Assert.That(Rejected("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n5\r\n", limits).StatusCode, Is.EqualTo(413));
    }

    [Test]
    public void RejectionKeepsTheRequestHeadWhenItWasComplete()
    {
        HttpErrorResponse e = Rejected("POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: 2000000\r\n\r\n");
        Assert.That(e.StatusCode, Is.EqualTo(413));
        Assert.That(e.Request?.Target, Is.EqualTo("/up"));
    }

    // ---- fragment safety ----

    private static readonly string[] Streams =
    [
        Browser + "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc\r\n",
        "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;x=\"y\"\r\nhello\r\n0\r\nT: 1\r\n\r\nGET /n HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nX[Y]: 1\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nABCDE0\r\n\r\n",
    ];

    private static string Summary(FeedResult r) =>
        string.Join(" | ", r.Records.Select(m => m is HttpRequest q ? $"{q} {q.Headers} [{q.BodyText}] {q.Trailers}" : m.ToString())) + $" leftover={r.Leftover}";

    [Test]
    public void EverySplitPointGivesTheSameRecords([Range(0, 3)] int which)
    {
        byte[] data = B(Streams[which]);
        string whole = Summary(HttpFeeder.Feed(new HttpdFilter(), data, Delivery.All));
        for (int at = 1; at < data.Length; at++)
            Assert.That(Summary(HttpFeeder.Feed(new HttpdFilter(), HttpFeeder.SplitOnce(data, at))), Is.EqualTo(whole), $"split at {at}");
        Assert.That(Summary(HttpFeeder.Feed(new HttpdFilter(), data, Delivery.Bytes)), Is.EqualTo(whole), "byte by byte");
    }

    [Test]
    public void IncompleteInputConsumesNothing()
    {
        var filter = new HttpdFilter();
        byte[] data = B("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nab");
        for (int n = 0; n <= data.Length; n++)
        {
            Assert.That(filter.TryGetOne(data.AsSpan(0, n), out var record, out int consumed), Is.EqualTo(DecodeStatus.NeedMoreData));
            Assert.That((record, consumed), Is.EqualTo(((HttpMessage?)null, 0)));
        }
    }

    [Test]
    public void BytesAfterARecordAreLeftForTheNextCall()
    {
        var filter = new HttpdFilter();
        byte[] first = B("GET /1 HTTP/1.1\r\nHost: h\r\n\r\n");
        byte[] data = [.. first, .. B("GET /2 HT")];
        Assert.That(filter.TryGetOne(data, out var record, out int consumed), Is.EqualTo(DecodeStatus.Record));
        Assert.That((((HttpRequest)record!).Target, consumed), Is.EqualTo(("/1", first.Length)));
        Assert.That(filter.TryGetOne(data.AsSpan(consumed), out record, out consumed), Is.EqualTo(DecodeStatus.NeedMoreData));
        Assert.That((record, consumed), Is.EqualTo(((HttpMessage?)null, 0)));
    }

    [Test]
    public void ResetForgetsAPartialRequest()
    {
        var filter = new HttpdFilter();
        filter.TryGetOne(B("GET /old HTTP/1.1\r\nHo"), out _, out _);
        filter.Reset();
        Assert.That(filter.TryGetOne(B("GET /new HTTP/1.1\r\nHost: h\r\n\r\n"), out var record, out _), Is.EqualTo(DecodeStatus.Record));
        Assert.That(((HttpRequest)record!).Target, Is.EqualTo("/new"));
    }

    [Test]
    public void CloneHasTheSameLimitsAndNoState()
    {
        var filter = new HttpdFilter(new HttpdLimits { MaxHeaderCount = 7 });
        filter.TryGetOne(B("GET /old HTTP/1.1\r\nHo"), out _, out _);
        var clone = (HttpdFilter)filter.Clone();
        Assert.That(clone.Limits.MaxHeaderCount, Is.EqualTo(7));
        Assert.That(clone.TryGetOne(B("GET /new HTTP/1.1\r\nHost: h\r\n\r\n"), out var record, out _), Is.EqualTo(DecodeStatus.Record));
        Assert.That(((HttpRequest)record!).Target, Is.EqualTo("/new"));
    }

    [Test]
    public void UntypedTryGetReturnsTheSameObjects()
    {
        IFilter filter = new HttpdFilter();
        Assert.That(filter.TryGet(B("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), out object? record, out _), Is.EqualTo(DecodeStatus.Record));
        Assert.That(record, Is.InstanceOf<HttpRequest>());
        IFilter bad = new HttpdFilter();
        bad.TryGet(B("X\r\n"), out object? error, out _);
        Assert.That(error is HttpResponse, Is.True, "a rejected request is a response record, as in POE");
    }

    [Test]
    public void InvalidLimitsThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HttpdFilter(new HttpdLimits { MaxHeaderCount = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HttpdFilter(new HttpdLimits { MaxContentLength = -1 }));
    }
}
