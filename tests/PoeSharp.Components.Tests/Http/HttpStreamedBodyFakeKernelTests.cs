using System.Text;
using PoeSharp.Components.Http;
using PoeSharp.Filters.Http;
using PoeSharp.Loop;
using PoeSharp.Testing;

namespace PoeSharp.Components.Tests.Http;

/// <summary>
/// Streamed request bodies (<see cref="HttpServerOptions.StreamRequestBodies"/>) on the fake kernel
/// with real loopback sockets: the test says when the server's descriptors are ready, so each
/// read happens exactly when it says, and whether the connection is read at all is visible.
/// </summary>
public sealed class HttpStreamedBodyFakeKernelTests
{
    private sealed class Rig : IDisposable
    {
        private readonly int _listener;

        public Rig(HttpHandler handler, HttpdLimits? limits = null)
        {
            Server = new HttpServer(Fake.Kernel, new HttpServerOptions
            {
                Address = "127.0.0.1", Port = 0, StreamRequestBodies = true, Handler = handler,
                Limits = limits ?? HttpdLimits.Default,
            });
            Fake.RunUntilIdle();
            _listener = Server.Heap!.Descriptor;
        }

        public FakeKernel Fake { get; } = new();

        public HttpServer Server { get; }

        public int Connection { get; private set; } = -1;

        public RawHttpClient Connect()
        {
            var before = Fake.Watches.Where(w => w.Mode == IoMode.Read).Select(w => w.Fd).ToHashSet();
            var client = new RawHttpClient(Server.Port);
            Fake.Loop.FireOnce(_listener, IoMode.Read);
            Fake.RunUntilIdle();
            Connection = Fake.Watches.Single(w => w.Mode == IoMode.Read && !before.Contains(w.Fd)).Fd;
            return client;
        }

        /// <summary>The connection is readable: one read and what follows from it.</summary>
        public void Readable()
        {
            // Loopback delivery is not always done when send returns: wait until the bytes are there.
            using (var view = new System.Net.Sockets.Socket(new System.Net.Sockets.SafeSocketHandle(Connection, ownsHandle: false)))
                Assert.That(view.Poll(TimeSpan.FromSeconds(10), System.Net.Sockets.SelectMode.SelectRead), Is.True, "the client's bytes reach the server");
            Fake.Loop.FireOnce(Connection, IoMode.Read);
            Fake.RunUntilIdle();
            Fake.ThrowIfHandlerFailed();
        }

        /// <summary>True while the server watches the connection for input.</summary>
        public bool IsReading => Fake.Loop.IsWatched(Connection, IoMode.Read);

        public void Dispose() => Fake.Dispose();
    }

    private static string Text(ReadOnlyMemory<byte> data) => Encoding.ASCII.GetString(data.Span);

    [Test]
    public void The_handler_gets_the_head_at_once_then_the_body_as_it_arrives()
    {
        var log = new List<string>();
        using var rig = new Rig((request, responder) =>
        {
            var body = responder.Body!;
            log.Add($"head {request.Method} {request.Path} length {body.Length} body {request.Body.Length}");
            body.Read(
                data => log.Add($"data {Text(data)}"),
                () =>
                {
                    log.Add("end");
                    responder.Respond(new HttpResponse(200, $"got {body.BytesRead}\n"));
                },
                error => log.Add($"error {error}"));
            return null;
        });
        using var client = rig.Connect();
        client.Send("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n");
        rig.Readable();
        Assert.That(log, Is.EqualTo(new[] { "head POST /up length 10 body 0" }), "the head comes alone, before any body byte");

        client.Send("hello");
        rig.Readable();
        client.Send("world");
        rig.Readable();
        Assert.That(log, Is.EqualTo(new[] { "head POST /up length 10 body 0", "data hello", "data world", "end" }));
        var (status, _, text) = client.Read();
        Assert.That((status, text), Is.EqualTo((200, "got 10\n")));
        Assert.That(rig.IsReading, Is.True, "keep-alive: the next request is read");
    }

    [Test]
    public void A_chunked_body_with_100_continue_gets_the_100_only_when_the_handler_reads()
    {
        HttpRequestBody? kept = null;
        HttpResponder? responder = null;
        var received = new StringBuilder();
        using var rig = new Rig((_, r) =>
        {
            kept = r.Body;
            responder = r;
            return null; // reads later
        });
        using var client = rig.Connect();
        client.Send("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n");
        rig.Readable();
        Assert.That(kept, Is.Not.Null);
        Assert.That(kept!.Length, Is.Null, "chunked: no length known");
        Assert.That(client.Available, Is.Zero, "no 100 Continue before the handler reads");
        Assert.That(rig.IsReading, Is.False, "the connection is not read while nobody wants the body");

        kept.Read(data => received.Append(Text(data)), () => responder!.Respond(new HttpResponse(200, $"{received}|{kept.Request.Trailers["X-Sum"]}\n")));
        rig.Fake.RunUntilIdle();
        Assert.That(client.Read().Status, Is.EqualTo(100));
        Assert.That(rig.IsReading, Is.True);

        client.Send("5\r\nabcde\r\n3\r\nfgh\r\n");
        rig.Readable();
        Assert.That(received.ToString(), Is.EqualTo("abcdefgh"), "de-chunked");
        client.Send("0\r\nX-Sum: 8\r\n\r\n");
        rig.Readable();
        var (status, _, text) = client.Read();
        Assert.That((status, text), Is.EqualTo((200, "abcdefgh|8\n")));
    }

    [Test]
    public void Pause_stops_reading_the_connection_and_resume_hands_over_what_was_held()
    {
        var pieces = new List<string>();
        HttpRequestBody? body = null;
        using var rig = new Rig((_, r) =>
        {
            body = r.Body!;
            body.Read(data =>
            {
                pieces.Add(Text(data));
                body.Pause(); // a slow consumer: one piece at a time
            }, () => r.Respond(new HttpResponse(200, string.Join(",", pieces) + "\n")));
            return null;
        }, HttpdLimits.Default with { MaxBodyPieceBytes = 4 });
        using var client = rig.Connect();
        client.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\naaaabbbbcccc");
        rig.Readable();
        Assert.That(pieces, Is.EqualTo(new[] { "aaaa" }), "no piece after Pause");
        Assert.That(body!.IsPaused, Is.True);
        Assert.That(rig.IsReading, Is.False, "paused: the connection is not read");
        Assert.That(body.BufferedBytes, Is.EqualTo(8), "what the one read brought in and the handler has not had");

        body.Resume();
        Assert.That(pieces, Has.Count.EqualTo(1), "Resume hands over from the event loop, not from inside the call");
        rig.Fake.RunUntilIdle();
        Assert.That(pieces, Is.EqualTo(new[] { "aaaa", "bbbb" }));
        body.Resume();
        rig.Fake.RunUntilIdle();
        Assert.That(pieces, Is.EqualTo(new[] { "aaaa", "bbbb", "cccc" }));
        Assert.That(body.IsCompleted, Is.True);
        Assert.That(client.Read().Body, Is.EqualTo("aaaa,bbbb,cccc\n"));
        Assert.That(rig.IsReading, Is.True, "the body is done: the connection is read again for the next request");
    }

    [Test]
    public void A_malformed_chunk_tells_the_handler_and_the_client_gets_400_and_a_close()
    {
        var log = new List<string>();
        using var rig = new Rig((_, r) =>
        {
            r.Body!.Read(data => log.Add($"data {Text(data)}"), () => log.Add("end"), error => log.Add($"error {error}"));
            return null;
        });
        using var client = rig.Connect();
        client.Send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nZZ\r\n");
        rig.Readable();
        Assert.That(log, Has.Count.EqualTo(2));
        Assert.That(log[0], Is.EqualTo("data abc"), "the good bytes before the error");
        Assert.That(log[1], Does.StartWith("error 400"));
        var (status, headers, _) = client.Read();
        Assert.That(status, Is.EqualTo(400));
        Assert.That(headers["Connection"], Is.EqualTo("close"));
        Assert.That(client.ReadsEndOfStream(), Is.True);
    }

    [Test]
    public void A_body_over_MaxStreamedContentLength_is_refused_with_413()
    {
        var log = new List<string>();
        using var rig = new Rig((_, r) =>
        {
            r.Body!.Read(data => log.Add($"data {data.Length}"), () => log.Add("end"), error => log.Add($"error {error}"));
            return null;
        }, HttpdLimits.Default with { MaxStreamedContentLength = 6 });
        using var client = rig.Connect();
        client.Send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n4\r\nefgh\r\n");
        rig.Readable();
        Assert.That(log.Last(), Does.StartWith("error 413"));
        Assert.That(client.Read().Status, Is.EqualTo(413));
        Assert.That(client.ReadsEndOfStream(), Is.True);
    }

    [Test]
    public void A_client_that_vanishes_mid_body_is_reported_to_the_handler()
    {
        var log = new List<string>();
        using var rig = new Rig((_, r) =>
        {
            r.Body!.Read(data => log.Add($"data {Text(data)}"), () => log.Add("end"), error => log.Add($"error {error}"));
            return null;
        });
        var client = rig.Connect();
        client.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npart");
        rig.Readable();
        int fd = rig.Connection;
        client.Dispose();
        rig.Readable();
        Assert.That(log, Is.EqualTo(new[] { "data part", "error the connection closed before the body was complete" }));
        Assert.That(rig.Fake.Loop.IsWatched(fd, IoMode.Read), Is.False);
        Assert.That(rig.Server.Connections, Is.Zero, "the connection is closed");
    }

    [Test]
    public void A_client_that_stalls_mid_body_is_timed_out_only_while_the_handler_reads()
    {
        var log = new List<string>();
        HttpRequestBody? body = null;
        using var rig = new Rig((_, r) =>
        {
            body = r.Body!;
            body.Read(data =>
            {
                log.Add($"data {Text(data)}");
                body.Pause();
            }, () => log.Add("end"), error => log.Add($"error {error}"));
            return null;
        });
        using var client = rig.Connect();
        client.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab");
        rig.Readable();
        rig.Fake.Advance(TimeSpan.FromMinutes(5));
        Assert.That(log, Is.EqualTo(new[] { "data ab" }), "paused: the handler's time, no timeout");

        body!.Resume();
        rig.Fake.RunUntilIdle();
        rig.Fake.Advance(HttpServerOptionsDefaults.ReadTimeout + TimeSpan.FromSeconds(1));
        Assert.That(log, Is.EqualTo(new[] { "data ab", "error the connection closed before the body was complete" }));
        Assert.That(client.ReadsEndOfStream(), Is.True);
    }

    private static readonly HttpServerOptions HttpServerOptionsDefaults = new() { Handler = (_, _) => null };

    [Test]
    public void A_throwing_body_callback_gets_the_client_a_500_and_the_rest_of_the_body_is_dropped()
    {
        int calls = 0;
        using var rig = new Rig((request, r) =>
        {
            if (r.Body is null) return new HttpResponse(200, "next\n");
            r.Body.Read(_ =>
            {
                calls++;
                throw new InvalidOperationException("disk full");
            }, () => r.Respond(new HttpResponse(200, "never\n")));
            return null;
        }, HttpdLimits.Default with { MaxBodyPieceBytes = 2 });
        using var client = rig.Connect();
        client.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nabcdefGET /n HTTP/1.1\r\nHost: x\r\n\r\n");
        rig.Readable();
        Assert.That(calls, Is.EqualTo(1));
        Assert.That(client.Read().Status, Is.EqualTo(500));
        Assert.That(client.Read().Body, Is.EqualTo("next\n"), "the connection goes on after the dropped body");
    }

    [Test]
    public void Pipelined_requests_are_handled_after_the_body_before_them_and_answered_in_order()
    {
        var log = new List<string>();
        using var rig = new Rig((request, r) =>
        {
            log.Add($"head {request.Path}");
            if (r.Body is not { } body) return new HttpResponse(200, $"plain {request.Path}\n");
            if (request.Path == "/ignored") return new HttpResponse(202, "not read\n"); // answered without reading
            var sum = 0;
            body.Read(data => sum += data.Length, () =>
            {
                log.Add($"end {request.Path}");
                r.Respond(new HttpResponse(200, $"{request.Path} {sum}\n"));
            });
            return null;
        });
        using var client = rig.Connect();
        client.Send("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nxyz"
                  + "POST /ignored HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nno\r\n0\r\n\r\n"
                  + "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok"
                  + "GET /c HTTP/1.1\r\nHost: x\r\n\r\n");
        rig.Readable();
        Assert.That(log, Is.EqualTo(new[] { "head /a", "end /a", "head /ignored", "head /b", "end /b", "head /c" }));
        Assert.That(client.Read().Body, Is.EqualTo("/a 3\n"));
        Assert.That(client.Read().Body, Is.EqualTo("not read\n"), "an unread body is dropped and the connection goes on");
        Assert.That(client.Read().Body, Is.EqualTo("/b 2\n"));
        Assert.That(client.Read().Body, Is.EqualTo("plain /c\n"));
    }

    [Test]
    public void Answering_without_reading_while_the_client_waits_for_100_closes_after_the_answer()
    {
        using var rig = new Rig((_, _) => new HttpResponse(401, "who are you\n"));
        using var client = rig.Connect();
        client.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\n\r\n");
        rig.Readable();
        var (status, headers, _) = client.Read();
        Assert.That(status, Is.EqualTo(401), "no 100 Continue before it");
        Assert.That(headers["Connection"], Is.EqualTo("close"));
        Assert.That(client.ReadsEndOfStream(), Is.True);
    }

    [Test]
    public void Limits_StreamBodies_alone_is_refused_with_a_message_naming_the_option()
    {
        var e = Assert.Throws<ArgumentException>(() => new HttpServerOptions
        {
            Handler = (_, _) => null,
            Limits = HttpdLimits.Default with { StreamBodies = true },
        }.Validate());
        Assert.That(e!.Message, Does.Contain("StreamRequestBodies"));
    }
}
