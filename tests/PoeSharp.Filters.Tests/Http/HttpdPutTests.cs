using System.Buffers;
using System.Text;
using PoeSharp.Filters.Http;

namespace PoeSharp.Filters.Tests.Http;

[TestFixture]
public sealed class HttpdPutTests
{
    private sealed class FixedTime : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 11, 21, 20, 0, 0, TimeSpan.Zero);
    }

    private const string Date = "Date: Sat, 21 Nov 2026 20:00:00 GMT\r\n";

    private static HttpdFilter NewFilter() => new(time: new FixedTime());

    private static string Put(HttpdFilter filter, params object[] records)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (object r in records) filter.Put(r, output);
        return Encoding.Latin1.GetString(output.WrittenSpan);
    }

    private static HttpRequest Request(string text) =>
        (HttpRequest)HttpFeeder.Feed(new HttpdFilter(), Encoding.Latin1.GetBytes(text), Delivery.All).Records[0];

    [Test]
    public void StatusLineReasonDateAndContentLength()
    {
        var response = new HttpResponse(200, "hi");
        Assert.That(Put(NewFilter(), response), Is.EqualTo(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n" + Date + "Content-Length: 2\r\n\r\nhi"));
    }

    [TestCase(404, "Not Found")]
    [TestCase(413, "Content Too Large")]
    [TestCase(799, "")]
    public void StandardReasonPhrase(int code, string reason)
    {
        Assert.That(new HttpResponse(code).ReasonPhrase, Is.EqualTo(reason));
        Assert.That(Put(NewFilter(), new HttpResponse(code)), Does.StartWith($"HTTP/1.1 {code} {reason}\r\n"));
    }

    [Test]
    public void VersionFollowsAnHttp10RequestAndAsksForKeepAliveWhenKept()
    {
        HttpRequest request = Request("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        var response = new HttpResponse(204) { Request = request };
        Assert.That(HttpKeepAlive.Decide(request, response), Is.True);
        Assert.That(Put(NewFilter(), response), Is.EqualTo("HTTP/1.0 204 No Content\r\n" + Date + "Connection: keep-alive\r\n\r\n"));
    }

    [Test]
    public void ClosingResponseSaysConnectionClose()
    {
        HttpRequest request = Request("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        var response = new HttpResponse(200, "x");
        Assert.That(HttpKeepAlive.Decide(request, response), Is.False);
        Assert.That(response.CloseConnection, Is.True);
        Assert.That(Put(NewFilter(), response), Does.Contain("\r\nConnection: close\r\n\r\nx"));
    }

    [TestCase("GET / HTTP/1.1\r\nHost: h\r\n\r\n", true)]
    [TestCase("GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n", false)]
    [TestCase("GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade, close\r\n\r\n", false)]
    [TestCase("GET / HTTP/1.0\r\n\r\n", false)]
    [TestCase("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true)]
    public void KeepAliveRules(string text, bool keep)
    {
        HttpRequest request = Request(text);
        Assert.That(request.KeepAlive, Is.EqualTo(keep));
        Assert.That(HttpKeepAlive.Decide(request, new HttpResponse(200)), Is.EqualTo(keep));
    }

    [Test]
    public void CreateResponseAppliesTheRequestsVersionAndKeepAlive()
    {
        HttpResponse kept = Request("GET / HTTP/1.1\r\nHost: h\r\n\r\n").CreateResponse(404);
        Assert.That((kept.StatusCode, kept.VersionText, kept.CloseConnection), Is.EqualTo((404, "HTTP/1.1", false)));
        HttpResponse closed = Request("GET / HTTP/1.0\r\n\r\n").CreateResponse();
        Assert.That((closed.VersionText, closed.CloseConnection), Is.EqualTo(("HTTP/1.0", true)));
        Assert.That(Put(NewFilter(), closed), Is.EqualTo("HTTP/1.0 200 OK\r\n" + Date + "Content-Length: 0\r\nConnection: close\r\n\r\n"));
    }

    [Test]
    public void NeverKeepAliveAfterAnErrorResponse()
    {
        HttpRequest request = Request("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        var error = new HttpErrorResponse(RejectionReason.InvalidHeaderLine, "bad");
        Assert.That(HttpKeepAlive.Decide(request, error), Is.False);
        Assert.That(HttpKeepAlive.Decide(null, new HttpResponse(200)), Is.False);
    }

    [Test]
    public void ErrorRecordRoundTripsThroughPutWithLengthAndClose()
    {
        var filter = NewFilter();
        filter.TryGetOne("NOT A REQUEST\r\n\r\n"u8, out HttpMessage? record, out _);
        string text = Put(filter, record!);
        Assert.That(text, Does.StartWith("HTTP/1.1 400 Bad Request\r\n"));
        Assert.That(text, Does.Contain("Connection: close\r\n"));
        int body = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        Assert.That(text, Does.Contain($"Content-Length: {text.Length - body}\r\n"));
    }

    [Test]
    public void HeadResponseHasLengthButNoBody()
    {
        var response = new HttpResponse(200, "hello") { Request = Request("HEAD / HTTP/1.1\r\nHost: h\r\n\r\n") };
        string text = Put(NewFilter(), response);
        Assert.That(text, Does.Contain("Content-Length: 5\r\n"));
        Assert.That(text, Does.EndWith("\r\n\r\n"));
    }

    [Test]
    public void UserHeadersWinOverAddedOnes()
    {
        var response = new HttpResponse(200);
        response.Headers.Add("Date", "yesterday");
        response.Headers.Add("Content-Length", "0");
        response.Headers.Add("Connection", "upgrade");
        Assert.That(Put(NewFilter(), response), Is.EqualTo("HTTP/1.1 200 OK\r\nDate: yesterday\r\nContent-Length: 0\r\nConnection: upgrade\r\n\r\n"));
    }

    [Test]
    public void HeaderInjectionIsRefused()
    {
        var response = new HttpResponse(200);
        Assert.Throws<ArgumentException>(() => response.Headers.Add("X", "a\r\nSet-Cookie: evil"));
        Assert.Throws<ArgumentException>(() => response.Headers.Add("Bad Name", "v"));
        Assert.Throws<ArgumentException>(() => response.ReasonPhrase = "OK\r\nX: y");
        Assert.Throws<ArgumentOutOfRangeException>(() => response.StatusCode = 42);
    }

    [Test]
    public void StreamedBodyUsesChunkedCoding()
    {
        var filter = NewFilter();
        var response = new HttpResponse(200) { Streamed = true };
        string text = Put(filter, response, new HttpBodyChunk("hello"), new HttpBodyChunk(new byte[26]), HttpBodyChunk.Final);
        Assert.That(text, Is.EqualTo("HTTP/1.1 200 OK\r\n" + Date + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1a\r\n" + new string('\0', 26) + "\r\n0\r\n\r\n"));
    }

    [Test]
    public void StreamedBodyParsesBackAsChunked()
    {
        var filter = NewFilter();
        var output = new ArrayBufferWriter<byte>();
        output.Write("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"u8);
        HttpChunkWriter.WriteChunk("abc"u8, output);
        HttpChunkWriter.WriteChunk("defg"u8, output);
        var trailers = new HttpHeaderCollection { { "X-T", "1" } };
        HttpChunkWriter.WriteFinalChunk(output, trailers);
        var parsed = (HttpRequest)HttpFeeder.Feed(filter, output.WrittenSpan.ToArray(), Delivery.All).Records.Single();
        Assert.That(parsed.BodyText, Is.EqualTo("abcdefg"));
        Assert.That(parsed.Trailers["x-t"], Is.EqualTo("1"));
    }

    [Test]
    public void StreamedHttp10BodyIsCloseDelimited()
    {
        var filter = NewFilter();
        var response = new HttpResponse(200) { Streamed = true, Request = Request("GET / HTTP/1.0\r\n\r\n") };
        string text = Put(filter, response, new HttpBodyChunk("raw"), HttpBodyChunk.Final);
        Assert.That(text, Is.EqualTo("HTTP/1.0 200 OK\r\n" + Date + "Connection: close\r\n\r\nraw"));
    }

    [Test]
    public void ChunkWithoutStreamedResponseThrows()
    {
        var filter = NewFilter();
        Assert.Throws<InvalidOperationException>(() => Put(filter, new HttpBodyChunk("x")));
        Put(filter, new HttpResponse(200) { Streamed = true });
        Assert.Throws<InvalidOperationException>(() => Put(filter, new HttpResponse(200)));
        var wrong = Assert.Throws<ArgumentException>(() => Put(filter, "a string"));
        Assert.That(wrong!.Message, Does.Contain("accepts HttpResponse"));
    }

    [Test]
    public void PutThenParseResponseBytesKeepsHeaders()
    {
        var response = new HttpResponse(201, "{}", "application/json");
        response.Headers.Add("X-Trace", "D\u00fcsseldorf");
        string text = Put(NewFilter(), response);
        Assert.That(text, Does.Contain("X-Trace: D\u00fcsseldorf\r\n"));
        Assert.That(text, Does.StartWith("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n"));
    }
}
