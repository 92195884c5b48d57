using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PoeSharp.LoadClient;

/// <summary>
/// One client connection slot on its own thread: close mode connects, sends one GET and reads to
/// end of file; keep-alive mode sends GETs one at a time on a connection and frames each response
/// by its Content-Length, reconnecting when the server closes.
/// </summary>
internal sealed class Worker
{
    private readonly LoadOptions _options;
    private readonly byte[] _request;
    private readonly long _measureFrom;
    private readonly long _measureUntil;
    private readonly byte[] _buffer = new byte[256 * 1024];
    private volatile bool _stop;

    public Worker(LoadOptions options, long measureFrom, long measureUntil)
    {
        _options = options;
        _measureFrom = measureFrom;
        _measureUntil = measureUntil;
        string connection = options.KeepAlive ? "keep-alive" : "close";
        _request = Encoding.ASCII.GetBytes(
            $"GET {options.Path} HTTP/1.1\r\nHost: {options.Target}\r\nUser-Agent: PoeSharp.LoadClient\r\n" +
            $"Accept: */*\r\nConnection: {connection}\r\n\r\n");
    }

    public List<long> LatencyTicks { get; } = new(1 << 16);
    public long[] Counts { get; } = new long[Enum.GetValues<Outcome>().Length];
    public HashSet<int> Pids { get; } = [];
    public List<string> Samples { get; } = [];

    public void Stop() => _stop = true;

    public void Run()
    {
        if (_options.KeepAlive) RunKeepAlive();
        else RunClose();
    }

    private void Record(long start, Outcome outcome, int pid, string? detail = null)
    {
        long end = Stopwatch.GetTimestamp();
        // A success counts when it ends inside the window; a failure when it starts there, so a
        // stall that outlasts the run is still reported.
        if (start < _measureFrom || start > _measureUntil) return;
        if (outcome == Outcome.Ok && end > _measureUntil) return;
        Counts[(int)outcome]++;
        if (outcome == Outcome.Ok)
        {
            LatencyTicks.Add(end - start);
            Pids.Add(pid);
        }
        else if (Samples.Count < 3)
        {
            Samples.Add($"{outcome}: {detail}");
        }
    }

    private Socket NewSocket()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = (int)(_options.StallSeconds * 1000),
            SendTimeout = (int)(_options.StallSeconds * 1000),
        };
        return s;
    }

    private bool TryConnect(Socket s, long start)
    {
        try
        {
            // Blocking connect: on loopback it fails at once when refused; a full backlog shows up as latency.
            s.Connect(_options.Target);
            return true;
        }
        catch (SocketException e)
        {
            Record(start, Outcome.Connect, 0, e.SocketErrorCode.ToString());
            return false;
        }
    }

    private void RunClose()
    {
        while (!_stop)
        {
            long start = Stopwatch.GetTimestamp();
            using Socket s = NewSocket();
            if (!TryConnect(s, start)) { s.Dispose(); continue; }
            int length = 0;
            try
            {
                s.Send(_request);
                while (true)
                {
                    if (length == _buffer.Length) { Record(start, Outcome.BadBody, 0, "response too large"); break; }
                    int n = s.Receive(_buffer, length, _buffer.Length - length, SocketFlags.None);
                    if (n == 0)
                    {
                        Outcome o = HttpCheck.ClassifyClosed(_buffer.AsSpan(0, length), out int pid);
                        Record(start, o, pid, Preview(length));
                        break;
                    }
                    length += n;
                }
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                Record(start, Outcome.Stalled, 0, Preview(length));
            }
            catch (SocketException e)
            {
                // A reset after a complete page still answered the request; count only what the client lost.
                Outcome o = HttpCheck.ClassifyClosed(_buffer.AsSpan(0, length), out int pid);
                Record(start, o == Outcome.Ok ? Outcome.Ok : Outcome.Reset, pid, $"{e.SocketErrorCode} after {length} bytes");
            }
        }
    }

    private void RunKeepAlive()
    {
        while (!_stop)
        {
            long start = Stopwatch.GetTimestamp();
            using Socket s = NewSocket();
            if (!TryConnect(s, start)) continue;
            int length = 0;
            bool open = true;
            while (open && !_stop)
            {
                start = Stopwatch.GetTimestamp();
                try
                {
                    s.Send(_request);
                    open = ReadOneResponse(s, start, ref length);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
                {
                    Record(start, Outcome.Stalled, 0, Preview(length));
                    open = false;
                }
                catch (SocketException e)
                {
                    // The server may close an idle persistent connection just as a request is sent:
                    // only a request that got part of an answer is a reset; otherwise retry on a new one.
                    if (length > 0) Record(start, Outcome.Reset, 0, $"{e.SocketErrorCode} after {length} bytes");
                    open = false;
                }
            }
        }
    }

    /// <summary>Reads one framed response; returns false when the connection is finished.</summary>
    private bool ReadOneResponse(Socket s, long start, ref int length)
    {
        while (true)
        {
            int headEnd = HttpCheck.FindHeadEnd(_buffer.AsSpan(0, length));
            if (headEnd > 0)
            {
                if (!HttpCheck.TryParseHead(_buffer.AsSpan(0, headEnd), out int status, out int cl, out bool close))
                {
                    Record(start, Outcome.BadStatus, 0, Preview(length));
                    return false;
                }
                if (cl < 0)
                {
                    // No length: the response ends at end of file.
                    while (length < _buffer.Length)
                    {
                        int m = s.Receive(_buffer, length, _buffer.Length - length, SocketFlags.None);
                        if (m == 0) break;
                        length += m;
                    }
                    Outcome o = HttpCheck.ClassifyClosed(_buffer.AsSpan(0, length), out int p);
                    Record(start, o, p, Preview(length));
                    return false;
                }
                if (length >= headEnd + cl)
                {
                    int pid = 0;
                    Outcome o = status != 200 ? Outcome.BadStatus
                        : length > headEnd + cl ? Outcome.Duplicate
                        : HttpCheck.CheckBody(_buffer.AsSpan(headEnd, cl), out pid);
                    Record(start, o, pid, Preview(length));
                    length = 0;
                    return o == Outcome.Ok && !close;
                }
            }
            if (length == _buffer.Length) { Record(start, Outcome.BadBody, 0, "response too large"); return false; }
            int n = s.Receive(_buffer, length, _buffer.Length - length, SocketFlags.None);
            if (n == 0)
            {
                // Closed between responses is normal for keep-alive (idle timeout, request limit).
                if (length > 0) Record(start, Outcome.ShortRead, 0, Preview(length));
                return false;
            }
            length += n;
        }
    }

    private string Preview(int length)
    {
        string text = Encoding.ASCII.GetString(_buffer, 0, Math.Min(length, 120));
        return $"{length} bytes: {text.ReplaceLineEndings("\\n")}";
    }
}
