using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace PoeSharp.Integration.Tests.Support;

/// <summary>
/// One client connection: the bytes sent (then a half-close, so the peer knows nothing more comes),
/// every byte received until the peer closes, and the responses split out of them.
/// </summary>
internal sealed partial class ProxiedExchange
{
    private ProxiedExchange(int localPort, byte[] received, bool timedOut)
    {
        LocalPort = localPort;
        TimedOut = timedOut;
        Responses = Split(received);
    }

    /// <summary>The client's port, as the proxy logs it.</summary>
    public int LocalPort { get; }

    /// <summary>True when the peer had not closed within the wait.</summary>
    public bool TimedOut { get; }

    /// <summary>The responses in arrival order: status and the X-Vector-Id values the page echoes.</summary>
    public List<(int Status, string[] VectorIds)> Responses { get; }

    public IEnumerable<string> EchoedIds => Responses.SelectMany(r => r.VectorIds);

    /// <summary>Sends <paramref name="bytes"/> on a new connection to <paramref name="port"/> and reads until close.</summary>
    public static ProxiedExchange Run(int port, byte[] bytes, TimeSpan patience)
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        s.Connect(new IPEndPoint(IPAddress.Loopback, port));
        int localPort = ((IPEndPoint)s.LocalEndPoint!).Port;
        try
        {
            s.Send(bytes);
            s.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // The proxy may reject and close before it has read everything: what it sent is still read.
        }
        var received = new MemoryStream();
        var buffer = new byte[65536];
        var sw = Stopwatch.StartNew();
        bool timedOut = false;
        while (true)
        {
            TimeSpan left = patience - sw.Elapsed;
            if (left <= TimeSpan.Zero || !s.Poll((int)Math.Min(left.TotalMicroseconds, int.MaxValue), SelectMode.SelectRead))
            {
                timedOut = true;
                break;
            }
            int n;
            try
            {
                n = s.Receive(buffer);
            }
            catch (SocketException)
            {
                break;   // a reset ends the exchange like a close
            }
            if (n == 0) break;
            received.Write(buffer, 0, n);
        }
        return new ProxiedExchange(localPort, received.ToArray(), timedOut);
    }

    [GeneratedRegex(@"<tr><td>x-vector-id</td><td>([^<]*)</td></tr>", RegexOptions.IgnoreCase)]
    private static partial Regex VectorIdRow();

    [GeneratedRegex(@"^content-length:\s*(\d+)\s*$", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex ContentLength();

    private static List<(int, string[])> Split(byte[] data)
    {
        var list = new List<(int, string[])>();
        string text = Encoding.Latin1.GetString(data);
        int at = 0;
        while (at < text.Length)
        {
            int end = text.IndexOf("\r\n\r\n", at, StringComparison.Ordinal);
            if (end < 0 || !text.AsSpan(at).StartsWith("HTTP/"))
            {
                list.Add((-1, []));   // something that is not a response
                break;
            }
            string head = text[at..end];
            int status = int.TryParse(head.AsSpan(9, Math.Min(3, Math.Max(0, head.Length - 9))), NumberStyles.None, CultureInfo.InvariantCulture, out int st) ? st : -1;
            Match cl = ContentLength().Match(head);
            int bodyStart = end + 4;
            int bodyEnd = status is >= 100 and < 200 or 204 or 304 ? bodyStart
                : cl.Success ? Math.Min(text.Length, bodyStart + int.Parse(cl.Groups[1].Value, CultureInfo.InvariantCulture))
                : text.Length;
            string body = text[bodyStart..bodyEnd];
            // A repeated X-Vector-Id is one row of ", "-joined values.
            string[] ids = VectorIdRow().Matches(body).SelectMany(m => m.Groups[1].Value.Split(", ")).ToArray();
            list.Add((status, ids));
            at = bodyEnd;
        }
        return list;
    }
}
