using System.Buffers;
using System.Text;
using PoeSharp.Filters.Http;

namespace PoeSharp.Filters.Tests.Http;

/// <summary>
/// Host and absolute-form authority through the filter: a bad one is a 400 error record that
/// closes the connection (nothing pipelined after it is parsed), whichever way the bytes arrive.
/// </summary>
[TestFixture]
public sealed class HttpdHostTests
{
    private const string Next = "GET /next HTTP/1.1\r\nHost: h\r\n\r\n";

    private static byte[] B(string s) => Encoding.Latin1.GetBytes(s);

    private static List<HttpMessage> Parse(string text, Delivery delivery, HttpdLimits? limits = null) =>
        HttpFeeder.Feed(new HttpdFilter(limits), B(text), delivery).Records;

    private static IEnumerable<Delivery> Deliveries() => [Delivery.All, Delivery.Bytes];

    [TestCase("example.com")]
    [TestCase("example.com:8080")]
    [TestCase("example.com:")]
    [TestCase("1.2.3.4:80")]
    [TestCase("[::1]:8080")]
    [TestCase("[::ffff:192.0.2.1]")]
    [TestCase("[v1.x]")]
    [TestCase("a%41b")]
    [TestCase("0.0.0.0=5000")]
    [TestCase("")]
    public void ValidHostIsAccepted(string host)
    {
        foreach (Delivery delivery in Deliveries())
        {
            var records = Parse($"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n" + Next, delivery);
            Assert.That(records, Has.Count.EqualTo(2), delivery.Mode);
            Assert.That(records.All(r => r is HttpRequest), records[0].ToString());
            Assert.That(((HttpRequest)records[0]).Headers["Host"], Is.EqualTo(host));
        }
    }

    [TestCase("user@h")]
    [TestCase("user:pw@h:80")]
    [TestCase(":80")]
    [TestCase("h:99999")]
    [TestCase("h:123456")]
    [TestCase("h:8a")]
    [TestCase("h:80:80")]
    [TestCase("a b")]
    [TestCase("a%4g")]
    [TestCase("[::1")]
    [TestCase("::1")]
    [TestCase("[1::2::3]")]
    [TestCase("[fe80::1%25eth0]")]
    [TestCase("[v1.]")]
    [TestCase("[::1]x")]
    [TestCase("a/b")]
    [TestCase("b\u00fccher.de")]
    [TestCase("a\tb")]
    public void InvalidHostIs400AndCloses(string host)
    {
        foreach (Delivery delivery in Deliveries())
            AssertRejected($"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n" + Next, delivery, RejectionReason.InvalidHost);
    }

    [Test]
    public void InvalidHostIs400InHttp10Too()
    {
        AssertRejected("GET / HTTP/1.0\r\nHost: u@h\r\nConnection: keep-alive\r\n\r\n" + Next, Delivery.All, RejectionReason.InvalidHost);
    }

    [Test]
    public void InvalidHostIs400WhenStreaming()
    {
        AssertRejected("POST / HTTP/1.1\r\nHost: u@h\r\nContent-Length: 1\r\n\r\nx" + Next, Delivery.All, RejectionReason.InvalidHost,
            new HttpdLimits { StreamBodies = true });
    }

    [Test]
    public void HostRulesThatWereThereStay()
    {
        AssertRejected("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n" + Next, Delivery.All, RejectionReason.MissingHost);
        AssertRejected("GET / HTTP/1.1\r\nHost: h\r\nHost: h\r\n\r\n" + Next, Delivery.All, RejectionReason.MultipleHost);
        AssertRejected("GET / HTTP/1.1\r\nHost: h\r\nHost: u@h\r\n\r\n" + Next, Delivery.All, RejectionReason.MultipleHost);
        AssertRejected("GET / HTTP/1.1\r\nHost:\r\nHost: h\r\n\r\n" + Next, Delivery.All, RejectionReason.MultipleHost);
    }

    [TestCase("http://example.com/a?b", "example.com")]
    [TestCase("http://example.com:8080/a", "example.com:8080")]
    [TestCase("http://[::1]:8080/x", "[::1]:8080")]
    [TestCase("http://hypnotoad.org?hail=all", "hypnotoad.org")]
    [TestCase("https://1.2.3.4", "1.2.3.4")]
    public void ValidAbsoluteFormIsAccepted(string target, string host)
    {
        foreach (Delivery delivery in Deliveries())
        {
            var records = Parse($"GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n" + Next, delivery);
            Assert.That(records, Has.Count.EqualTo(2), delivery.Mode);
            Assert.That(records[0], Is.InstanceOf<HttpRequest>(), records[0].ToString());
            Assert.That(((HttpRequest)records[0]).Target, Is.EqualTo(target));
        }
    }

    [TestCase("http://user@example.com/")]
    [TestCase("http://a%12:b!&*$@hypnotoad.org:1234/toto")]
    [TestCase("http:///x")]
    [TestCase("http://:80/x")]
    [TestCase("http://h:99999/")]
    [TestCase("http://h:8a/")]
    [TestCase("http://[::1/")]
    [TestCase("http://[::1]x/")]
    [TestCase("http://a%zz/")]
    [TestCase("http://a\"b/")]
    public void InvalidTargetAuthorityIs400AndCloses(string target)
    {
        foreach (Delivery delivery in Deliveries())
            AssertRejected($"GET {target} HTTP/1.1\r\nHost: h\r\n\r\n" + Next, delivery, RejectionReason.InvalidTarget);
    }

    [Test]
    public void BothTheTargetAuthorityAndTheHostAreChecked()
    {
        AssertRejected("GET http://example.com/ HTTP/1.1\r\nHost: u@example.com\r\n\r\n" + Next, Delivery.All, RejectionReason.InvalidHost);
        AssertRejected("GET http://u@example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n" + Next, Delivery.All, RejectionReason.InvalidTarget);
    }

    [Test]
    public void WithAbsoluteFormTheTargetAuthorityIsTheUriAndHostIsIgnored()
    {
        // RFC 9112 §3.2.2: the server uses the target's authority; a valid but different (or empty) Host is not an error.
        foreach (string host in new[] { "other.example", "" })
        {
            var records = Parse($"GET http://example.com:8080/a HTTP/1.1\r\nHost: {host}\r\n\r\n", Delivery.All);
            var request = (HttpRequest)records.Single();
            Assert.That(request.Uri, Is.EqualTo(new Uri("http://example.com:8080/a")));
            Assert.That(request.Headers["Host"], Is.EqualTo(host), "the field is kept as sent");
        }
    }

    [Test]
    public void TheHttp10AbsoluteFormIsCheckedWithoutHost()
    {
        Assert.That(Parse("GET http://example.com/ HTTP/1.0\r\n\r\n", Delivery.All).Single(), Is.InstanceOf<HttpRequest>());
        AssertRejected("GET http://u@example.com/ HTTP/1.0\r\n\r\n", Delivery.All, RejectionReason.InvalidTarget);
    }

    [Test]
    public void TheErrorRecordIsWrittenAs400WithConnectionClose()
    {
        var filter = new HttpdFilter();
        var records = HttpFeeder.Feed(filter, B("GET / HTTP/1.1\r\nHost: user@h\r\n\r\n"), Delivery.All).Records;
        var error = (HttpErrorResponse)records.Single();
        Assert.That(error.Detail, Does.Contain("userinfo"));
        var output = new ArrayBufferWriter<byte>();
        filter.Put(error, output);
        string wire = Encoding.Latin1.GetString(output.WrittenSpan);
        Assert.That(wire, Does.StartWith("HTTP/1.1 400 Bad Request\r\n"));
        Assert.That(wire, Does.Contain("\r\nConnection: close\r\n"));
        Assert.That(wire, Does.Not.Contain("user@h"), "the error body does not reflect the input");
    }

    private static void AssertRejected(string text, Delivery delivery, RejectionReason reason, HttpdLimits? limits = null)
    {
        var filter = new HttpdFilter(limits);
        FeedResult result = HttpFeeder.Feed(filter, B(text), delivery);
        Assert.That(result.Records, Is.Not.Empty, $"{delivery.Mode}: expected an error record");
        var error = result.Records[^1] as HttpErrorResponse;
        Assert.That(error, Is.Not.Null, $"{delivery.Mode}: {result.Records[^1]}");
        Assert.That(result.Records.Take(result.Records.Count - 1).All(r => r is HttpRequest), "only requests before the error");
        Assert.That(error!.Reason, Is.EqualTo(reason), error.Detail);
        Assert.That(error.StatusCode, Is.EqualTo(400));
        Assert.That(error.CloseConnection, Is.True);
        Assert.That(filter.IsClosed, Is.True, "nothing after the rejected request is parsed");
        Assert.That(result.Records.OfType<HttpRequest>().Any(r => r.Target == "/next"), Is.False);
    }
}
