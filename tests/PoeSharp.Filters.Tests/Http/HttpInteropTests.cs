using System.Text;
using PoeSharp.Filters.Http;

namespace PoeSharp.Filters.Tests.Http;

[TestFixture]
public sealed class HttpInteropTests
{
    [Test]
    public void RequestToHttpRequestMessageAndBack()
    {
        var parsed = (HttpRequest)HttpFeeder.Feed(new HttpdFilter(),
            Encoding.ASCII.GetBytes("POST /api?x=1 HTTP/1.1\r\nHost: example.com:8080\r\nAccept: */*\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nabc"),
            Delivery.All).Records.Single();
        using HttpRequestMessage message = parsed.ToHttpRequestMessage();
        Assert.That(message.Method, Is.EqualTo(HttpMethod.Post));
        Assert.That(message.RequestUri, Is.EqualTo(new Uri("http://example.com:8080/api?x=1")));
        Assert.That(message.Version, Is.EqualTo(new Version(1, 1)));
        Assert.That(message.Headers.Accept.ToString(), Is.EqualTo("*/*"));
        Assert.That(message.Content!.Headers.ContentType!.MediaType, Is.EqualTo("text/plain"));
        Assert.That(message.Content.ReadAsStream().Length, Is.EqualTo(3));

        HttpRequest back = message.ToHttpRequest();
        Assert.That((back.Method, back.Target), Is.EqualTo(("POST", "/api?x=1")));
        Assert.That(back.Headers["Host"], Is.EqualTo("example.com:8080"));
        Assert.That(back.Headers["content-type"], Is.EqualTo("text/plain"));
        Assert.That(back.BodyText, Is.EqualTo("abc"));
    }

    [Test]
    public void ResponseToHttpResponseMessageAndBack()
    {
        var response = new HttpResponse(404, "nope");
        response.Headers.Add("X-Why", "gone");
        using HttpResponseMessage message = response.ToHttpResponseMessage();
        Assert.That((int)message.StatusCode, Is.EqualTo(404));
        Assert.That(message.ReasonPhrase, Is.EqualTo("Not Found"));
        Assert.That(message.Headers.GetValues("X-Why"), Is.EqualTo(new[] { "gone" }));
        Assert.That(message.Content.Headers.ContentType!.ToString(), Is.EqualTo("text/plain; charset=utf-8"));

        HttpResponse back = message.ToHttpResponse();
        Assert.That(back.StatusCode, Is.EqualTo(404));
        Assert.That(back.BodyText, Is.EqualTo("nope"));
        Assert.That(back.Headers["x-why"], Is.EqualTo("gone"));
        Assert.That(back.ContentType, Is.EqualTo("text/plain; charset=utf-8"));
    }
}
