using System.Buffers;
using System.Text;
using PoeSharp.Filters.Http;

namespace PoeSharp.Filters.Tests.Http;

/// <summary>
/// <c>Expect: 100-continue</c>: the interim record comes when the head is complete, before the
/// body; other expectations get 417; HTTP/1.0 ignores Expect; limits are checked first.
/// </summary>
[TestFixture]
public sealed class HttpdContinueTests
{
    private const string Head = "POST /up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n";
    private const string ChunkedHead = "PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nExpect: 100-Continue\r\n\r\n";

    private sealed class FixedTime : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 11, 21, 20, 0, 0, TimeSpan.Zero);
    }

    private static byte[] B(string s) => Encoding.Latin1.GetBytes(s);

    private static List<HttpMessage> Parse(string text, HttpdLimits? limits = null) =>
        HttpFeeder.Feed(new HttpdFilter(limits), B(text), Delivery.All).Records;

    private static string Put(HttpdFilter filter, HttpResponse response)
    {
        var output = new ArrayBufferWriter<byte>();
        filter.Put(response, output);
        return Encoding.Latin1.GetString(output.WrittenSpan);
    }

    [Test]
    public void HeadAloneGivesTheInterimRecordThenTheBodyGivesTheRequest()
    {
        var filter = new HttpdFilter();
        byte[] head = B(Head);
        Assert.That(filter.TryGetOne(head, out HttpMessage? first, out int consumed), Is.EqualTo(DecodeStatus.Record));
        var interim = (HttpContinueResponse)first!;
        Assert.That((interim.StatusCode, interim.ReasonPhrase, interim.IsInterim, interim.CloseConnection, interim.VersionText),
            Is.EqualTo((100, "Continue", true, false, "HTTP/1.1")));
        Assert.That(consumed, Is.EqualTo(head.Length), "the interim record consumes the head, never zero bytes");
        Assert.That(interim.Request!.Target, Is.EqualTo("/up"));
        Assert.That(interim.Request.Headers["expect"], Is.EqualTo("100-continue"));
        Assert.That(interim.Request.Body, Is.Empty);
        Assert.That(filter.IsClosed, Is.False);

        Assert.That(filter.TryGetOne(B("hel"), out HttpMessage? none, out consumed), Is.EqualTo(DecodeStatus.NeedMoreData));
        Assert.That((none, consumed), Is.EqualTo(((HttpMessage?)null, 0)));
        Assert.That(filter.TryGetOne(B("hello"), out HttpMessage? second, out consumed), Is.EqualTo(DecodeStatus.Record));
        Assert.That(consumed, Is.EqualTo(5));
        Assert.That(second, Is.SameAs(interim.Request), "the interim record's Request is the request that follows");
        Assert.That(((HttpRequest)second!).BodyText, Is.EqualTo("hello"));
        Assert.That(filter.IsClosed, Is.False);
    }

    [Test]
    public void ChunkedBodyAlsoGetsTheInterimRecord()
    {
        var records = Parse(ChunkedHead + "3\r\nabc\r\n0\r\n\r\n");
        Assert.That(records, Has.Count.EqualTo(2));
        Assert.That(records[0], Is.InstanceOf<HttpContinueResponse>());
        Assert.That(((HttpRequest)records[1]).BodyText, Is.EqualTo("abc"));
    }

    [Test]
    public void BodyThatArrivedWithTheHeadStillGetsTheInterimRecordFirst()
    {
        // The chosen rule depends on the head only, so that every split gives the same records.
        var records = Parse(Head + "hello" + "GET /next HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.That(records.Select(r => r.GetType().Name), Is.EqualTo(new[] { nameof(HttpContinueResponse), nameof(HttpRequest), nameof(HttpRequest) }));
        Assert.That(((HttpRequest)records[1]).BodyText, Is.EqualTo("hello"));
        Assert.That(((HttpRequest)records[2]).Target, Is.EqualTo("/next"));
    }

    private static readonly string[] Streams =
    [
        Head + "hello" + "GET /next HTTP/1.1\r\nHost: h\r\n\r\n",
        ChunkedHead + "5;e=1\r\nhello\r\n0\r\nT: 1\r\n\r\n" + Head + "12345",
        "POST /a HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\nPOST /b HTTP/1.1\r\nHost: h\r\nExpect: nope\r\n\r\n",
        ChunkedHead + "5\r\nABCDE0\r\n\r\n",
    ];

    private static string Summary(FeedResult r) =>
        string.Join(" | ", r.Records.Select(m => m is HttpRequest q ? $"{q} {q.Headers} [{q.BodyText}] {q.Trailers}" : m.ToString())) + $" leftover={r.Leftover}";

    [Test]
    public void EverySplitPointGivesTheSameRecords([Range(0, 3)] int which)
    {
        byte[] data = B(Streams[which]);
        FeedResult all = HttpFeeder.Feed(new HttpdFilter(), data, Delivery.All);
        string whole = Summary(all);
        Assert.That(all.Records.OfType<HttpContinueResponse>().Count(), Is.EqualTo(which switch { 0 => 1, 1 => 2, 2 => 0, _ => 1 }), whole);
        for (int at = 1; at < data.Length; at++)
            Assert.That(Summary(HttpFeeder.Feed(new HttpdFilter(), HttpFeeder.SplitOnce(data, at))), Is.EqualTo(whole), $"split at {at}");
        Assert.That(Summary(HttpFeeder.Feed(new HttpdFilter(), data, Delivery.Bytes)), Is.EqualTo(whole), "byte by byte");
    }

    [TestCase("foo")]
    [TestCase("100-continue, foo")]
    [TestCase("100-continue; x=1")]
    [TestCase("200-ok")]
    public void OtherExpectationsAre417(string expect)
    {
        var records = Parse($"POST /x HTTP/1.1\r\nHost: h\r\nExpect: {expect}\r\nContent-Length: 2\r\n\r\nab");
        Assert.That(records, Has.Count.EqualTo(1), "no interim record before the 417");
        var error = (HttpErrorResponse)records[0];
        Assert.That((error.StatusCode, error.ReasonPhrase, error.Reason), Is.EqualTo((417, "Expectation Failed", RejectionReason.ExpectationFailed)));
        Assert.That(error.Request?.Target, Is.EqualTo("/x"));
        Assert.That(error.CloseConnection, Is.True);
    }

    [Test]
    public void AnUnmeetableExpectationIs417EvenWithoutABody()
    {
        var filter = new HttpdFilter();
        var records = HttpFeeder.Feed(filter, B("GET / HTTP/1.1\r\nHost: h\r\nExpect: x\r\n\r\n"), Delivery.All).Records;
        Assert.That(((HttpErrorResponse)records.Single()).StatusCode, Is.EqualTo(417));
        Assert.That(filter.IsClosed, Is.True);
    }

    [TestCase("100-CONTINUE")]
    [TestCase(" 100-continue ,, ")]
    [TestCase("100-continue, 100-continue")]
    public void TheTokenIsCaseInsensitiveAndAListMember(string expect)
    {
        var records = Parse($"POST /x HTTP/1.1\r\nHost: h\r\nExpect: {expect}\r\nContent-Length: 2\r\n\r\nab");
        Assert.That(records, Has.Count.EqualTo(2));
        Assert.That(records[0], Is.InstanceOf<HttpContinueResponse>());
        Assert.That(((HttpRequest)records[1]).BodyText, Is.EqualTo("ab"));
    }

    [TestCase("POST /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n")]
    [TestCase("POST /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n")]
    [TestCase("POST /x HTTP/1.1\r\nHost: h\r\nExpect:\r\nContent-Length: 1\r\n\r\nz")]
    public void NoBodyOrNoExpectationMeansNoInterimRecord(string text)
    {
        Assert.That(Parse(text).Single(), Is.InstanceOf<HttpRequest>());
    }

    [TestCase("100-continue")]
    [TestCase("foo")]
    public void Http10IgnoresExpect(string expect)
    {
        var records = Parse($"POST /old HTTP/1.0\r\nExpect: {expect}\r\nContent-Length: 3\r\n\r\nabc");
        var request = (HttpRequest)records.Single();
        Assert.That((request.VersionText, request.BodyText), Is.EqualTo(("HTTP/1.0", "abc")));
    }

    [Test]
    public void ContentLengthOverTheLimitIs413InsteadOf100()
    {
        var records = Parse("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n", new HttpdLimits { MaxContentLength = 10 });
        Assert.That(((HttpErrorResponse)records.Single()).StatusCode, Is.EqualTo(413));
    }

    [Test]
    public void FramingErrorsKeepTheirStatusOver417()
    {
        var records = Parse("POST / HTTP/1.1\r\nExpect: foo\r\nContent-Length: 1\r\n\r\nx");
        Assert.That(((HttpErrorResponse)records.Single()).Reason, Is.EqualTo(RejectionReason.MissingHost));
    }

    [Test]
    public void AnOversizedChunkAfterThe100Is413()
    {
        var records = Parse(ChunkedHead + "b\r\n", new HttpdLimits { MaxContentLength = 10 });
        Assert.That(records, Has.Count.EqualTo(2));
        Assert.That(records[0], Is.InstanceOf<HttpContinueResponse>());
        Assert.That(((HttpErrorResponse)records[1]).StatusCode, Is.EqualTo(413));
        Assert.That(((HttpErrorResponse)records[1]).Request?.Target, Is.EqualTo("/c"));
    }

    [Test]
    public void AutoContinueOffKeepsTheOldBehaviour()
    {
        var limits = new HttpdLimits { AutoContinue = false };
        var filter = new HttpdFilter(limits);
        Assert.That(filter.TryGetOne(B(Head), out _, out int consumed), Is.EqualTo(DecodeStatus.NeedMoreData));
        Assert.That(consumed, Is.Zero);
        Assert.That(((HttpRequest)Parse(Head + "hello", limits).Single()).BodyText, Is.EqualTo("hello"));
        Assert.That(Parse("POST / HTTP/1.1\r\nHost: h\r\nExpect: foo\r\nContent-Length: 1\r\n\r\nx", limits).Single(), Is.InstanceOf<HttpRequest>());
        Assert.That(((HttpdFilter)filter.Clone()).Limits.AutoContinue, Is.False);
    }

    [Test]
    public void PutOfTheInterimRecordIsExactlyTheStatusLine()
    {
        var filter = new HttpdFilter(time: new FixedTime());
        filter.TryGetOne(B(Head), out HttpMessage? record, out _);
        Assert.That(Put(filter, (HttpResponse)record!), Is.EqualTo("HTTP/1.1 100 Continue\r\n\r\n"));
    }

    [Test]
    public void AfterPuttingThe100TheFilterReadsTheBodyAndAnswersWithoutClosing()
    {
        var filter = new HttpdFilter(time: new FixedTime());
        filter.TryGetOne(B(Head), out HttpMessage? record, out _);
        // The seed's handler: a response record is put back.
        var interim = (HttpResponse)record!;
        Put(filter, interim);
        Assert.That(filter.IsClosed, Is.False);
        Assert.That(filter.TryGetOne(B("hello"), out HttpMessage? request, out _), Is.EqualTo(DecodeStatus.Record));
        HttpResponse final = ((HttpRequest)request!).CreateResponse();
        Assert.That(final.CloseConnection, Is.False);
        Assert.That(Put(filter, final), Is.EqualTo("HTTP/1.1 200 OK\r\nDate: Sat, 21 Nov 2026 20:00:00 GMT\r\nContent-Length: 0\r\n\r\n"));
        Assert.That(filter.TryGetOne(B("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), out HttpMessage? next, out _), Is.EqualTo(DecodeStatus.Record));
        Assert.That(next, Is.InstanceOf<HttpRequest>(), "the connection goes on");
    }

    [Test]
    public void AnInterimResponseNeverClosesTheConnection()
    {
        var records = Parse("POST / HTTP/1.1\r\nHost: h\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx");
        var interim = (HttpContinueResponse)records[0];
        var closing = (HttpRequest)records[1];
        interim.CloseConnection = true;
        Assert.That(interim.CloseConnection, Is.False);
        Assert.That(HttpKeepAlive.Decide(closing, interim), Is.True);
        Assert.That(HttpKeepAlive.Decide(closing, new HttpResponse(103)), Is.True);
        Assert.That(HttpKeepAlive.Decide(closing, new HttpResponse(200)), Is.False, "the final response still closes");
    }

    [Test]
    public void IsInterimIsTrueForEvery1xxOnly()
    {
        Assert.That(new HttpResponse(100).IsInterim, Is.True);
        Assert.That(new HttpResponse(199).IsInterim, Is.True);
        Assert.That(new HttpResponse(200).IsInterim, Is.False);
        Assert.That(new HttpErrorResponse(RejectionReason.ExpectationFailed, "x").IsInterim, Is.False);
    }

    [Test]
    public void OtherInterimResponsesKeepTheirFieldsAndGetNoAddedOnes()
    {
        var hints = new HttpResponse(103);
        hints.Headers.Add("Link", "</s.css>; rel=preload");
        Assert.That(Put(new HttpdFilter(time: new FixedTime()), hints), Is.EqualTo("HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"));
    }

    [Test]
    public void AnInterimResponseToHttp10IsRefused()
    {
        var request = (HttpRequest)Parse("GET / HTTP/1.0\r\n\r\n").Single();
        var e = Assert.Throws<ArgumentException>(() => Put(new HttpdFilter(), new HttpResponse(100) { Request = request }));
        Assert.That(e!.Message, Does.Contain("HTTP/1.0"));
    }
}
