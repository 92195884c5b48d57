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
}
