using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace PoeSharp.Integration.Tests.Support;

/// <summary>
/// A load of <c>GET /</c> requests to HelloHttp on plain sockets, one thread per connection loop,
/// that counts every way a request can fail apart: refused, reset, a short read (the connection
/// ended inside the answer), a wrong answer (status, framing or body), a stall (no byte for
/// <see cref="StallLimit"/>). With <c>keepAlive</c> each loop keeps its connection until the server
/// says <c>Connection: close</c>; a reused connection that the server closed while idle, before
/// any byte of the answer, is the race every keep-alive client meets when a server drains
/// (RFC 9112 §9.3.1 lets a client retry then): such a request is counted apart
/// (<see cref="IdleClosed"/>) and sent again on a new connection, not hidden among the served.
/// </summary>
internal sealed partial class HelloLoad : IDisposable
{
    private readonly int _port;
    private readonly bool _keepAlive;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread[] _threads;
    private readonly ConcurrentDictionary<int, long> _firstAnswerByPid = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private int _served, _refused, _reset, _shortRead, _wrong, _stalled, _idleClosed, _connections;

    [GeneratedRegex(@"^Hello, world! \(pid (\d+)\)\n$")]
    private static partial Regex HelloBody();

    /// <summary>Starts <paramref name="loops"/> request loops against 127.0.0.1:<paramref name="port"/>.</summary>
    public HelloLoad(int port, bool keepAlive, int loops, TimeSpan stallLimit)
    {
        _port = port;
        _keepAlive = keepAlive;
        StallLimit = stallLimit;
        _threads = new Thread[loops];
        for (int i = 0; i < loops; i++)
        {
            _threads[i] = new Thread(Loop) { IsBackground = true, Name = (keepAlive ? "keep-alive load " : "close load ") + i };
            _threads[i].Start();
        }
    }

    /// <summary>How long a request may go without a byte of its answer before it counts as stalled.</summary>
    public TimeSpan StallLimit { get; }

    /// <summary>Requests answered with the right 200 so far.</summary>
    public int Served => Volatile.Read(ref _served);

    /// <summary>Every failed request so far (refused, reset, short read, wrong answer, stalled).</summary>
    public int Failed => Volatile.Read(ref _refused) + Volatile.Read(ref _reset) + Volatile.Read(ref _shortRead) +
                         Volatile.Read(ref _wrong) + Volatile.Read(ref _stalled);

    /// <summary>Requests on a reused keep-alive connection that the server closed before any byte of the answer (sent again).</summary>
    public int IdleClosed => Volatile.Read(ref _idleClosed);

    /// <summary>Connections opened so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>When (a <see cref="Stopwatch"/> timestamp) a process first answered, by its pid.</summary>
    public IReadOnlyDictionary<int, long> FirstAnswerByPid => _firstAnswerByPid;

    /// <summary>The counts, and the first few failures as they happened.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{(_keepAlive ? "keep-alive" : "close")}: served={Served} failed={Failed} (refused={_refused} reset={_reset} short={_shortRead} " +
        $"wrong={_wrong} stalled={_stalled}) idle-closed-and-resent={IdleClosed} connections={Connections}") +
        (_failures.IsEmpty ? "" : "\n  " + string.Join("\n  ", _failures.Take(10)));

    /// <summary>Waits until <paramref name="more"/> requests beyond the current count were answered.</summary>
    public bool ServesMore(int more, TimeSpan patience)
    {
        int from = Served;
        return ServerProcess.Eventually(() => Served >= from + more, patience);
    }

    private void Loop()
    {
        byte[] request = Encoding.ASCII.GetBytes(
            "GET / HTTP/1.1\r\nHost: load.test\r\n" + (_keepAlive ? "" : "Connection: close\r\n") + "\r\n");
        var buffer = new byte[4096];
        Socket? socket = null;
        int usedFor = 0;   // answers already read on this connection
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                if (socket is null)
                {
                    socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
                    {
                        NoDelay = true,
                        ReceiveTimeout = (int)StallLimit.TotalMilliseconds,
                        SendTimeout = (int)StallLimit.TotalMilliseconds,
                    };
                    usedFor = 0;
                    try
                    {
                        socket.Connect(new IPEndPoint(IPAddress.Loopback, _port));
                        Interlocked.Increment(ref _connections);
                    }
                    catch (SocketException e)
                    {
                        Fail(ref _refused, $"connect: {e.SocketErrorCode}");
                        Drop(ref socket);
                        continue;
                    }
                }
                (Outcome outcome, string detail, bool close) = Exchange(socket, request, buffer, usedFor);
                switch (outcome)
                {
                    case Outcome.Ok:
                        Interlocked.Increment(ref _served);
                        usedFor++;
                        if (close || !_keepAlive) Drop(ref socket);
                        break;
                    case Outcome.IdleClosed:
                        Interlocked.Increment(ref _idleClosed);
                        Drop(ref socket);
                        break;
                    case Outcome.Reset: Fail(ref _reset, detail); Drop(ref socket); break;
                    case Outcome.Short: Fail(ref _shortRead, detail); Drop(ref socket); break;
                    case Outcome.Stalled: Fail(ref _stalled, detail); Drop(ref socket); break;
                    default: Fail(ref _wrong, detail); Drop(ref socket); break;
                }
            }
        }
        finally
        {
            socket?.Dispose();
        }
    }

    private static void Drop(ref Socket? socket)
    {
        socket?.Dispose();
        socket = null;
    }

    private void Fail(ref int counter, string detail)
    {
        Interlocked.Increment(ref counter);
        if (_failures.Count < 50) _failures.Enqueue(FormattableString.Invariant($"{DateTime.UtcNow:HH:mm:ss.fff} {detail}"));
    }

    private enum Outcome { Ok, IdleClosed, Reset, Short, Stalled, Wrong }

    /// <summary>Sends one request and reads its whole answer (to the end of the connection when it closes).</summary>
    private (Outcome, string, bool Close) Exchange(Socket socket, byte[] request, byte[] buffer, int usedFor)
    {
        bool reused = usedFor > 0;
        var received = new List<byte>(256);
        try
        {
            socket.Send(request);
            int headEnd = -1;
            while (headEnd < 0)
            {
                int n = socket.Receive(buffer);
                if (n == 0)
                {
                    return received.Count == 0 && reused
                        ? (Outcome.IdleClosed, "", true)
                        : (Outcome.Short, $"end of connection after {received.Count} bytes of the head (answer {usedFor + 1} on it)", true);
                }
                received.AddRange(buffer.AsSpan(0, n));
                headEnd = IndexOfHeadEnd(received);
            }
            string head = Encoding.ASCII.GetString(received.GetRange(0, headEnd).ToArray());
            string[] lines = head.Split("\r\n");
            if (!lines[0].StartsWith("HTTP/1.1 200 ", StringComparison.Ordinal)) return (Outcome.Wrong, "status line: " + lines[0], true);
            int length = -1;
            bool close = false;
            foreach (string line in lines.Skip(1))
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0) return (Outcome.Wrong, "header line: " + line, true);
                string name = line[..colon], value = line[(colon + 1)..].Trim();
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) length = int.Parse(value, CultureInfo.InvariantCulture);
                if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase) && value.Equals("close", StringComparison.OrdinalIgnoreCase)) close = true;
            }
            if (length < 0) return (Outcome.Wrong, "no Content-Length", true);
            int bodyStart = headEnd + 4;
            while (received.Count < bodyStart + length)
            {
                int n = socket.Receive(buffer);
                if (n == 0) return (Outcome.Short, $"end of connection after {received.Count - bodyStart} of {length} body bytes", true);
                received.AddRange(buffer.AsSpan(0, n));
            }
            if (received.Count > bodyStart + length) return (Outcome.Wrong, $"{received.Count - bodyStart - length} bytes after the body", true);
            string body = Encoding.ASCII.GetString(received.GetRange(bodyStart, length).ToArray());
            Match m = HelloBody().Match(body);
            if (!m.Success) return (Outcome.Wrong, "body: " + body, true);
            _firstAnswerByPid.TryAdd(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), Stopwatch.GetTimestamp());
            if (close || !_keepAlive)
            {
                // The server must close after this answer, and send nothing more.
                int n = socket.Receive(buffer);
                if (n != 0) return (Outcome.Wrong, $"{n} bytes after an answer that closes the connection", true);
            }
            return (Outcome.Ok, "", close);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
            return (Outcome.Stalled, $"no byte for {StallLimit.TotalSeconds} s after {received.Count} bytes", true);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown or SocketError.ConnectionAborted)
        {
            return received.Count == 0 && reused
                ? (Outcome.IdleClosed, "", true)
                : (Outcome.Reset, $"{e.SocketErrorCode} after {received.Count} bytes (answer {usedFor + 1} on the connection)", true);
        }
        catch (SocketException e)
        {
            return (Outcome.Reset, $"{e.SocketErrorCode} after {received.Count} bytes", true);
        }
    }

    private static int IndexOfHeadEnd(List<byte> bytes)
    {
        for (int i = 0; i + 3 < bytes.Count; i++)
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n') return i;
        return -1;
    }

    /// <summary>Stops every loop after its request in flight.</summary>
    public void Stop()
    {
        _stop.Cancel();
        foreach (Thread t in _threads) t.Join();
    }

    public void Dispose()
    {
        if (!_stop.IsCancellationRequested) Stop();
        _stop.Dispose();
    }
}
