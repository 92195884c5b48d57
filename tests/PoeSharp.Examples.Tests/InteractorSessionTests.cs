using System.Text;
using PoeSharp.Examples;
using PoeSharp.Loop;
using PoeSharp.Os;
using PoeSharp.Testing;

namespace PoeSharp.Examples.Tests;

/// <summary>The interactor on the fake kernel, talking to a real socketpair.</summary>
public sealed class InteractorSessionTests
{
    private FakeKernel _fake = null!;
    private FileDescriptor _server = null!;
    private FileDescriptor _client = null!;
    private StringWriter _log = null!;

    [SetUp]
    public void SetUp()
    {
        _fake = new FakeKernel(start: new DateTimeOffset(2026, 11, 21, 20, 0, 0, TimeSpan.Zero));
        var pair = PosixSocket.SocketPair();
        Assert.That(pair.Ok, Is.True);
        (_server, _client) = pair.Value;
        _log = new StringWriter();
    }

    [TearDown]
    public void TearDown()
    {
        _client.Dispose();
        _server.Dispose();
        _fake.Dispose();
        _log.Dispose();
    }

    private Session Start(ServerOptions? options = null) =>
        InteractorSession.Create(_fake.Kernel, _server, null, 0, options ?? new ServerOptions(), new DebugLog(_log, true))!;

    private void Send(string text)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(text);
        Assert.That(PosixSocket.Write(_client.Fd, bytes).Value, Is.EqualTo(bytes.Length));
        _fake.Loop.FireOnce(_server.Fd, IoMode.Read);
        _fake.RunUntilIdle();
    }

    private string Received()
    {
        PosixSocket.SetNonBlocking(_client.Fd, true);
        var buffer = new byte[65536];
        var sb = new StringBuilder();
        while (PosixSocket.Read(_client.Fd, buffer) is { Ok: true, Value: > 0 } r) sb.Append(Encoding.UTF8.GetString(buffer, 0, r.Value));
        return sb.ToString();
    }

    [Test]
    public void A_request_gets_the_page_and_the_connection_ends()
    {
        Session session = Start();
        Send("GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n\r\n");
        string got = Received();
        Assert.That(got, Does.StartWith("HTTP/1.1 200 OK\r\n"));
        Assert.That(got, Does.Contain("Connection: close\r\n"));
        Assert.That(got, Does.Contain("<tr><td>Host</td><td>h</td></tr><tr><td>X-A</td><td>1</td></tr><tr><td>PID</td><td>" + _fake.Kernel.ProcessId + "</td></tr>"));
        Assert.That(got, Does.Contain("<tr><td>time</td><td>Sat Nov 21 20:00:00 2026 GMT</td></tr>"));
        Assert.That(session.State, Is.EqualTo(SessionState.Stopped), _fake.Kernel.Explain(session));
        Assert.That(_log.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[]
        {
            $"Client handler {_fake.Kernel.ProcessId}/{session.Id} started.",
            $"Client handler {_fake.Kernel.ProcessId}/{session.Id} is handling a request.",
            $"Client handler {_fake.Kernel.ProcessId}/{session.Id} flushed its response.",
            $"Client handler {_fake.Kernel.ProcessId}/{session.Id} is shutting down.",
            $"Client handler {_fake.Kernel.ProcessId}/{session.Id} stopped.",
        }));
        _fake.ThrowIfHandlerFailed();
    }

    [Test]
    public void Keep_alive_answers_pipelined_requests_until_max_requests_then_closes()
    {
        Session session = Start(new ServerOptions { KeepAlive = true, MaxRequests = 2 });
        Send("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\nGET /3 HTTP/1.1\r\nHost: h\r\n\r\n");
        string got = Received();
        Assert.That(got.Split("HTTP/1.1 200 OK").Length - 1, Is.EqualTo(2), got);
        Assert.That(got.IndexOf("Connection: close", StringComparison.Ordinal), Is.GreaterThan(got.LastIndexOf("HTTP/1.1 200 OK", StringComparison.Ordinal)));
        Assert.That(session.State, Is.EqualTo(SessionState.Stopped));
        _fake.ThrowIfHandlerFailed();
    }

    [Test]
    public void A_client_that_never_completes_its_request_is_dropped_after_the_read_timeout()
    {
        Session session = Start(new ServerOptions { ReadTimeout = TimeSpan.FromSeconds(2) });
        Send("GET / HTTP/1.1\r\nHost:");
        _fake.Advance(TimeSpan.FromSeconds(1.999));
        Assert.That(session.State, Is.EqualTo(SessionState.Alive));
        _fake.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(session.State, Is.EqualTo(SessionState.Stopped));
        Assert.That(_log.ToString(), Does.Contain("timed out"));
        Assert.That(Received(), Is.Empty);
    }

    [Test]
    public void An_idle_persistent_connection_closes_after_the_keep_alive_timeout()
    {
        Session session = Start(new ServerOptions { KeepAlive = true, KeepAliveTimeout = TimeSpan.FromSeconds(3) });
        Send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.That(Received(), Does.StartWith("HTTP/1.1 200 OK").And.Not.Contain("Connection: close"));
        _fake.Advance(TimeSpan.FromSeconds(2.999));
        Assert.That(session.State, Is.EqualTo(SessionState.Alive));
        _fake.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(session.State, Is.EqualTo(SessionState.Stopped));
    }

    [Test]
    public void On_shutdown_an_idle_connection_closes_and_one_with_a_request_in_flight_finishes_it()
    {
        Session idle = Start(new ServerOptions { KeepAlive = true });
        Send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        _ = Received();
        _fake.Deliver(idle, "shutdown");
        Assert.That(idle.State, Is.EqualTo(SessionState.Stopped));

        _client.Dispose();
        (_server, _client) = PosixSocket.SocketPair().Value;
        Session busy = Start(new ServerOptions { KeepAlive = true });
        Send("GET / HTTP/1.1\r\nHost: h\r\n");
        _fake.Deliver(busy, "shutdown");
        Assert.That(busy.State, Is.EqualTo(SessionState.Alive));
        Send("\r\n");
        string got = Received();
        Assert.That(got, Does.StartWith("HTTP/1.1 200 OK").And.Contain("Connection: close"));
        Assert.That(busy.State, Is.EqualTo(SessionState.Stopped));
        _fake.ThrowIfHandlerFailed();
    }

    [Test]
    public void A_malformed_request_gets_the_filters_error_response_and_the_connection_closes()
    {
        Session session = Start();
        Send("!!! / HTTP/1.1\r\n\r\n");
        Assert.That(Received(), Does.StartWith("HTTP/1.1 400 "));
        Assert.That(session.State, Is.EqualTo(SessionState.Stopped));
    }

    [Test]
    public void Expect_100_continue_gets_an_interim_answer_then_the_page_on_the_same_connection()
    {
        Session session = Start();
        Send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
        Assert.That(Received(), Is.EqualTo("HTTP/1.1 100 Continue\r\n\r\n"));
        Assert.That(session.State, Is.EqualTo(SessionState.Alive), "the interim answer must not close the connection");
        Send("hello");
        Assert.That(Received(), Does.StartWith("HTTP/1.1 200 OK").And.Contain("Connection: close"));
        Assert.That(session.State, Is.EqualTo(SessionState.Stopped));
        _fake.ThrowIfHandlerFailed();
    }

    [Test]
    public void In_a_new_child_an_inherited_connection_is_dropped_without_writing_or_shutting_the_socket_down()
    {
        Session session = Start();
        Send("GET / HTTP/1.1\r\nHost: h\r\n");
        using FileDescriptor duplicate = Dup(_server);
        // As in the servers, a handler forks (the listener's).
        var forker = _fake.Create(0, b => b.On("_start", _ => { }).On("fork", c => Assert.That(c.Kernel.Fork().IsChild, Is.True)));
        _fake.Processes.NextForkIsChild(7100);
        _fake.Deliver(forker, "fork");
        Assert.That(_log.ToString(), Does.Contain("dropped a connection inherited from its parent"));
        Assert.That(_server.IsClosed, Is.True);
        Assert.That(session.State, Is.EqualTo(SessionState.Stopped));
        Assert.That(Received(), Is.Empty);
        // Our copy is closed, but the connection itself (the parent's copy here) still works.
        Assert.That(PosixSocket.Write(duplicate.Fd, "still open"u8).Ok, Is.True);
        var buffer = new byte[32];
        Assert.That(PosixSocket.Read(_client.Fd, buffer).Value, Is.EqualTo(10));
    }

    [Test]
    public void Drop_closes_the_connection_at_once_without_writing()
    {
        Session session = Start();
        Send("GET / HTTP/1.1\r\nHost: h\r\n");
        _fake.Deliver(session, "drop");
        Assert.That(session.State, Is.EqualTo(SessionState.Stopped));
        Assert.That(Received(), Is.Empty);
        Assert.That(_server.IsClosed, Is.True);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "dup")]
    private static extern int DupNative(int fd);

    private static FileDescriptor Dup(FileDescriptor fd) => new(DupNative(fd.Fd));
}
