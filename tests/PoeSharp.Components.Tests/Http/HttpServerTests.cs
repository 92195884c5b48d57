using System.Runtime.ExceptionServices;
using PoeSharp.Components.Http;
using PoeSharp.Components.Workers;
using PoeSharp.Filters.Http;

namespace PoeSharp.Components.Tests.Http;

/// <summary>
/// HttpServer in one process (no workers) on a real kernel and loopback sockets; the client runs
/// on another thread and asks the server to shut down when it is done.
/// </summary>
public sealed class HttpServerTests
{
    private static HttpServer Serve(HttpServerOptions options, Action<HttpServer> client)
    {
        using var kernel = new Kernel();
        var server = new HttpServer(kernel, options with { Address = "127.0.0.1", Port = 0 });
        Assert.That(server.Port, Is.GreaterThan(0));
        Exception? failure = null;
        var task = Task.Run(() =>
        {
            try
            {
                client(server);
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                kernel.PostFromAnyThread(server.Pool.Session, PreforkPool.ShutdownEvent);
            }
        });
        kernel.Run(TimeSpan.FromSeconds(60));
        task.Wait();
        if (failure is not null) ExceptionDispatchInfo.Throw(failure);
        Assert.That(server.Connections, Is.Zero, "every connection closed");
        return server;
    }

    private static HttpResponse Hello(HttpRequest request, HttpResponder _) => new(200, $"hello {request.Path}\n");

    [Test]
    public void Answers_a_request_and_writes_an_access_line()
    {
        var log = new StringWriter();
        Serve(new HttpServerOptions { Handler = Hello, AccessLog = log }, server =>
        {
            using var client = new RawHttpClient(server.Port);
            client.Send("GET /a?b=1 HTTP/1.1\r\nHost: x\r\n\r\n");
            var (status, headers, body) = client.Read();
            Assert.That(status, Is.EqualTo(200));
            Assert.That(body, Is.EqualTo("hello /a\n"));
            Assert.That(headers.ContainsKey("Date"), Is.True);
        });
        Assert.That(log.ToString(), Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z 127\.0\.0\.1:\d+ ""GET /a\?b=1 HTTP/1\.1"" 200 9 [\d.]+ms\r?\n$"));
    }

    [Test]
    public void Keeps_the_connection_and_answers_pipelined_requests_in_order_however_the_handlers_finish()
    {
        HttpResponder? slow = null;
        Serve(new HttpServerOptions
        {
            Handler = (request, responder) =>
            {
                if (request.Path == "/slow")
                {
                    slow = responder;
                    return null;
                }
                if (request.Path == "/other") return new HttpResponse(200, "other\n");
                // The later request is answered first; then the earlier one.
                var fast = new HttpResponse(200, "fast\n");
                responder.Respond(fast);
                Assert.That(slow!.Respond(new HttpResponse(200, "slow\n")), Is.True);
                return null;
            },
        }, server =>
        {
            using var client = new RawHttpClient(server.Port);
            client.Send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.That(client.Read().Body, Is.EqualTo("slow\n"));
            Assert.That(client.Read().Body, Is.EqualTo("fast\n"));
            client.Send("GET /other HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            var last = client.Read();
            Assert.That(last.Headers["Connection"], Is.EqualTo("close"));
            Assert.That(client.ReadsEndOfStream(), Is.True);
        });
    }

    [Test]
    public void A_handler_that_throws_gets_a_500_and_the_server_keeps_serving()
    {
        var server = Serve(new HttpServerOptions
        {
            Handler = (request, _) => request.Path == "/boom" ? throw new InvalidOperationException("boom") : new HttpResponse(200, "ok\n"),
        }, server =>
        {
            using var client = new RawHttpClient(server.Port);
            client.Send("GET /boom HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.That(client.Read().Status, Is.EqualTo(500));
            client.Send("GET /fine HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.That(client.Read().Status, Is.EqualTo(200), "same connection, next request");
            using var other = new RawHttpClient(server.Port);
            other.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.That(other.Read().Status, Is.EqualTo(200));
        });
        Assert.That(server.RequestsServed, Is.EqualTo(3));
    }

    [Test]
    public void Expect_100_continue_gets_an_interim_answer_before_the_body()
    {
        Serve(new HttpServerOptions { Handler = (request, _) => new HttpResponse(200, $"got {request.Body.Length}\n") }, server =>
        {
            using var client = new RawHttpClient(server.Port);
            client.Send("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            Assert.That(client.Read().Status, Is.EqualTo(100));
            client.Send("hello");
            var (status, _, body) = client.Read();
            Assert.That(status, Is.EqualTo(200));
            Assert.That(body, Is.EqualTo("got 5\n"));
        });
    }

    [Test]
    public void A_malformed_request_gets_its_4xx_and_a_closed_connection_and_others_are_served()
    {
        var log = new StringWriter();
        Serve(new HttpServerOptions { Handler = Hello, AccessLog = log }, server =>
        {
            using var bad = new RawHttpClient(server.Port);
            using var good = new RawHttpClient(server.Port);
            good.Send("GET /half HTTP/1.1\r\n");
            bad.Send("GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n");
            Assert.That(bad.Read().Status, Is.EqualTo(400));
            Assert.That(bad.ReadsEndOfStream(), Is.True);
            good.Send("Host: x\r\n\r\n");
            Assert.That(good.Read().Body, Is.EqualTo("hello /half\n"));
        });
        Assert.That(log.ToString(), Does.Match(@"""GET / HTTP/1\.1"" 400 \d+ "));
    }

    [Test]
    public void An_idle_connection_is_closed_after_the_idle_timeout()
    {
        Serve(new HttpServerOptions { Handler = Hello, IdleTimeout = TimeSpan.FromMilliseconds(100) }, server =>
        {
            using var client = new RawHttpClient(server.Port);
            client.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            Assert.That(client.Read().Headers.ContainsKey("Connection"), Is.False, "kept open");
            Assert.That(client.ReadsEndOfStream(), Is.True, "the server closes the idle connection");
        });
    }

    [Test]
    public void A_client_that_never_finishes_its_request_is_dropped_after_the_read_timeout()
    {
        Serve(new HttpServerOptions { Handler = Hello, ReadTimeout = TimeSpan.FromMilliseconds(100) }, server =>
        {
            using var client = new RawHttpClient(server.Port);
            client.Send("GET / HTTP/1.1\r\nHost:");
            Assert.That(client.ReadsEndOfStream(), Is.True);
        });
    }

    [Test]
    public void HTTP_1_0_without_keep_alive_is_answered_and_closed()
    {
        Serve(new HttpServerOptions { Handler = Hello }, server =>
        {
            using var client = new RawHttpClient(server.Port);
            client.Send("GET /old HTTP/1.0\r\n\r\n");
            Assert.That(client.Read().Body, Is.EqualTo("hello /old\n"));
            Assert.That(client.ReadsEndOfStream(), Is.True);
        });
    }

    [TestCase(-1, "0.0.0.0", "Port")]
    [TestCase(70000, "0.0.0.0", "Port")]
    [TestCase(80, "not-an-address", "Address")]
    public void Invalid_options_throw_at_construction_naming_the_option(int port, string address, string name)
    {
        using var kernel = new Kernel();
        var e = Assert.Throws(Is.InstanceOf<ArgumentException>(),
                              () => _ = new HttpServer(kernel, new HttpServerOptions { Handler = Hello, Port = port, Address = address }));
        Assert.That(((ArgumentException)e!).ParamName, Is.EqualTo(name));
    }

    [Test]
    public void Invalid_pool_options_are_named_too()
    {
        using var kernel = new Kernel();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => _ = new HttpServer(kernel, new HttpServerOptions { Handler = Hello, Workers = -2 }));
        Assert.That(e!.ParamName, Is.EqualTo("Workers"));
        Assert.That(e.Message, Does.Contain("Workers must be 0"));
    }
}
