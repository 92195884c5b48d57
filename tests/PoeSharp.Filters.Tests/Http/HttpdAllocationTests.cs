using System.Text;
using PoeSharp.Filters.Http;

namespace PoeSharp.Filters.Tests.Http;

/// <summary>Allocation budget: a repeated request costs only its request object, header array and collection.</summary>
[TestFixture]
public sealed class HttpdAllocationTests
{
    private static readonly byte[] Plaintext = Encoding.ASCII.GetBytes(
        "GET /plaintext HTTP/1.1\r\nHost: localhost\r\n" +
        "Accept: text/plain,text/html;q=0.9,application/xhtml+xml;q=0.9,application/xml;q=0.8,*/*;q=0.7\r\n" +
        "Connection: keep-alive\r\n\r\n");

    [Test]
    public void RepeatedRequestAllocatesNoStrings()
    {
        var filter = new HttpdFilter();
        for (int i = 0; i < 100; i++) filter.TryGetOne(Plaintext, out _, out _);

        const int n = 1000;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < n; i++) filter.TryGetOne(Plaintext, out _, out _);
        long perRequest = (GC.GetAllocatedBytesForCurrentThread() - before) / n;

        // HttpRequest (72 B) + HttpHeaderCollection (32 B) + HttpField[3] (72 B); the method, target,
        // version, header names and values are the cached strings of the previous request.
        Assert.That(perRequest, Is.LessThanOrEqualTo(176));
        filter.TryGetOne(Plaintext, out HttpMessage? record, out _);
        var request = (HttpRequest)record!;
        Assert.That(request.Headers["Accept"], Does.StartWith("text/plain"), "the cached strings are the right ones");
        Assert.That(request.Target, Is.EqualTo("/plaintext"));
    }

    [Test]
    public void ChangedValuesAreNotServedFromTheCache()
    {
        var filter = new HttpdFilter();
        filter.TryGetOne("GET /a HTTP/1.1\r\nHost: one\r\n\r\n"u8, out _, out _);
        filter.TryGetOne("GET /b HTTP/1.1\r\nHost: two\r\n\r\n"u8, out HttpMessage? record, out _);
        var request = (HttpRequest)record!;
        Assert.That((request.Target, request.Headers["Host"]), Is.EqualTo(("/b", "two")));
    }
}
