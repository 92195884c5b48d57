using PoeSharp.Filters.Http;

namespace PoeSharp.Filters.Tests.Http;

[TestFixture]
public sealed class HttpMessageTests
{
    [Test]
    public void HeaderCollectionSetRemoveAndTokens()
    {
        var headers = new HttpHeaderCollection { { "Via", "a" }, { "X", "1" }, { "via", "b" } };
        Assert.That(headers.Names, Is.EqualTo(new[] { "Via", "X" }));
        headers.Set("VIA", "c");
        Assert.That(headers.Select(f => f.ToString()), Is.EqualTo(new[] { "Via: c", "X: 1" }));
        headers["Connection"] = "Upgrade, Close";
        Assert.That(headers.ContainsToken("connection", "close"), Is.True);
        Assert.That(headers.ContainsToken("connection", "keep-alive"), Is.False);
        Assert.That(headers.Remove("x"), Is.EqualTo(1));
        headers["Via"] = null;
        Assert.That(headers.Names, Is.EqualTo(new[] { "Connection" }));
        Assert.That(headers.TryGetValue("Missing", out _), Is.False);
        Assert.That(headers["Missing"], Is.Null);
        Assert.That(headers.GetValues("Missing"), Is.Empty);
    }

    [Test]
    public void RequestConstructorChecksItsArguments()
    {
        var request = new HttpRequest("GET", "/x?y=1");
        Assert.That((request.Version, request.Path, request.Query), Is.EqualTo((new Version(1, 1), "/x", "?y=1")));
        Assert.That(request.Uri, Is.EqualTo(new Uri("http://localhost/x?y=1")));
        Assert.Throws<ArgumentException>(() => new HttpRequest("G ET", "/"));
        Assert.Throws<ArgumentException>(() => new HttpRequest("GET", "/a b"));
        Assert.Throws<ArgumentException>(() => new HttpRequest("GET", ""));
    }

    [Test]
    public void ResponseDefaultsAndHelpers()
    {
        var response = new HttpResponse();
        Assert.That((response.StatusCode, response.ReasonPhrase, response.VersionText), Is.EqualTo((200, "OK", "HTTP/1.1")));
        response.SetBody([1, 2, 3], "application/octet-stream");
        Assert.That(response.ContentType, Is.EqualTo("application/octet-stream"));
        response.ReasonPhrase = "Fine";
        Assert.That(response.ToString(), Is.EqualTo("HTTP/1.1 200 Fine"));
        response.Request = new HttpRequest("GET", "/", new Version(1, 0));
        Assert.That(response.VersionText, Is.EqualTo("HTTP/1.0"));
    }

    [Test]
    public void ErrorResponseAlwaysCloses()
    {
        var error = new HttpErrorResponse(RejectionReason.TooManyHeaders, "too many");
        error.CloseConnection = false;
        Assert.That((error.StatusCode, error.CloseConnection), Is.EqualTo((431, true)));
        Assert.That(error, Is.InstanceOf<HttpResponse>());
    }
}
