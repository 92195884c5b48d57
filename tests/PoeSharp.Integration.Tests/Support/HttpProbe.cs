using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace PoeSharp.Integration.Tests.Support;

/// <summary>One parsed response: status line, headers in order, body, and the PID row of the page.</summary>
internal sealed record HttpAnswer(string StatusLine, int Status, List<KeyValuePair<string, string>> Headers, string Body)
{
    public string? Header(string name) =>
        Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    public int Pid => int.Parse(HttpProbe.PidRow().Match(Body).Groups[1].Value, CultureInfo.InvariantCulture);

    /// <summary>The page's header table rows (name, value), in order, without the PID and time rows.</summary>
    public List<(string Name, string Value)> Rows() =>
        HttpProbe.Row().Matches(Body).Select(m => (m.Groups[1].Value, m.Groups[2].Value))
            .Where(r => r.Item1 is not "PID" and not "time").ToList();
}

/// <summary>A minimal HTTP client over a raw socket, so tests see exactly what the server sends.</summary>
internal static partial class HttpProbe
{
    [GeneratedRegex(@"<tr><td>PID</td><td>(\d+)</td></tr>")]
    internal static partial Regex PidRow();

    [GeneratedRegex(@"<tr><td>([^<]*)</td><td>([^<]*)</td></tr>")]
    internal static partial Regex Row();

    public static string Request(string path = "/", params (string Name, string Value)[] headers)
    {
        var sb = new StringBuilder($"GET {path} HTTP/1.1\r\n");
        foreach ((string n, string v) in headers) sb.Append(n).Append(": ").Append(v).Append("\r\n");
        return sb.Append("\r\n").ToString();
    }

    public static Socket Connect(int port, TimeSpan? timeout = null)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        s.ReceiveTimeout = (int)(timeout ?? TimeSpan.FromSeconds(10)).TotalMilliseconds;
        s.Connect(new IPEndPoint(IPAddress.Loopback, port));
        return s;
    }

    /// <summary>
    /// True once a server process has accepted <paramref name="client"/>'s connection: in
    /// /proc/net/tcp the server's end has no inode while it waits in the listen backlog.
    /// </summary>
    public static bool IsAccepted(Socket client)
    {
        static string Hex(IPEndPoint ep) =>
            BitConverter.ToUInt32(ep.Address.GetAddressBytes()).ToString("X8", CultureInfo.InvariantCulture) + ":" +
            ep.Port.ToString("X4", CultureInfo.InvariantCulture);
        string local = Hex((IPEndPoint)client.RemoteEndPoint!), remote = Hex((IPEndPoint)client.LocalEndPoint!);
        foreach (string line in File.ReadLines("/proc/net/tcp").Skip(1))
        {
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length > 9 && f[1] == local && f[2] == remote) return f[9] != "0";
        }
        return false;
    }

    /// <summary>Sends <paramref name="request"/> and reads until the server closes; returns every byte as text.</summary>
    public static string Exchange(int port, string request, TimeSpan? timeout = null)
    {
        using Socket s = Connect(port, timeout);
        s.Send(Encoding.ASCII.GetBytes(request));
        return ReadToEnd(s);
    }

    public static string ReadToEnd(Socket s)
    {
        var data = new MemoryStream();
        var buffer = new byte[16384];
        int n;
        while ((n = s.Receive(buffer)) > 0) data.Write(buffer, 0, n);
        return Encoding.UTF8.GetString(data.ToArray());
    }

    /// <summary>GET with the given headers; the whole connection must hold exactly one response.</summary>
    public static HttpAnswer Get(int port, params (string Name, string Value)[] headers)
    {
        string raw = Exchange(port, Request("/", headers));
        List<HttpAnswer> answers = ParseAll(raw);
        if (answers.Count != 1) throw new InvalidDataException($"Expected one response, got {answers.Count}:\n{raw}");
        return answers[0];
    }

    /// <summary>Splits concatenated responses framed by Content-Length (the last may run to the end).</summary>
    public static List<HttpAnswer> ParseAll(string raw)
    {
        var list = new List<HttpAnswer>();
        int at = 0;
        while (at < raw.Length)
        {
            int headEnd = raw.IndexOf("\r\n\r\n", at, StringComparison.Ordinal);
            if (headEnd < 0) throw new InvalidDataException($"Incomplete response head at {at}:\n{raw[at..]}");
            string[] lines = raw[at..headEnd].Split("\r\n");
            var headers = new List<KeyValuePair<string, string>>();
            foreach (string line in lines.Skip(1))
            {
                int colon = line.IndexOf(':');
                headers.Add(new(line[..colon], line[(colon + 1)..].Trim()));
            }
            string status = lines[0];
            int code = int.Parse(status.Split(' ')[1], CultureInfo.InvariantCulture);
            string? cl = headers.FirstOrDefault(h => h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Value;
            int bodyStart = headEnd + 4;
            int bodyEnd = cl is null ? raw.Length : bodyStart + int.Parse(cl, CultureInfo.InvariantCulture);
            if (bodyEnd > raw.Length) throw new InvalidDataException($"Short body: {raw.Length - bodyStart} of {cl}:\n{raw}");
            list.Add(new HttpAnswer(status, code, headers, raw[bodyStart..bodyEnd]));
            at = bodyEnd;
        }
        return list;
    }
}
