using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PoeSharp.Components.Tests.Http;

/// <summary>A blocking HTTP/1.1 client on a raw socket, to send exactly the bytes a test needs (pipelining, half a request).</summary>
internal sealed class RawHttpClient : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<byte> _buffer = [];

    public RawHttpClient(int port)
    {
        // A guard against a hang, not a wait: every read returns as soon as data or EOF arrives.
        _socket.ReceiveTimeout = 20_000;
        _socket.Connect(IPAddress.Loopback, port);
    }

    public void Send(string text) => _socket.Send(Encoding.ASCII.GetBytes(text));

    /// <summary>Bytes received and not yet read as a response (what the server wrote so far).</summary>
    public int Available => _socket.Available + _buffer.Count;

    /// <summary>Reads one response: status, headers, and a Content-Length body.</summary>
    public (int Status, Dictionary<string, string> Headers, string Body) Read()
    {
        int end;
        while ((end = IndexOfHeadEnd()) < 0)
            if (!Fill()) throw new IOException("The server closed the connection before a whole response head. Got: " + Encoding.ASCII.GetString([.. _buffer]));
        string head = Encoding.ASCII.GetString(_buffer.GetRange(0, end).ToArray());
        _buffer.RemoveRange(0, end + 4);
        string[] lines = head.Split("\r\n");
        int status = int.Parse(lines[0].Split(' ')[1]);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':');
            headers[line[..colon]] = line[(colon + 1)..].Trim();
        }
        int length = headers.TryGetValue("Content-Length", out string? cl) ? int.Parse(cl) : 0;
        while (_buffer.Count < length)
            if (!Fill()) throw new IOException("The server closed the connection inside a body.");
        string body = Encoding.UTF8.GetString(_buffer.GetRange(0, length).ToArray());
        _buffer.RemoveRange(0, length);
        return (status, headers, body);
    }

    /// <summary>True when the server has closed the connection (reads until EOF; nothing else may arrive).</summary>
    public bool ReadsEndOfStream()
    {
        while (Fill()) { }
        return _buffer.Count == 0;
    }

    private bool Fill()
    {
        var chunk = new byte[4096];
        int n;
        try
        {
            n = _socket.Receive(chunk);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return false;
        }
        if (n == 0) return false;
        _buffer.AddRange(chunk.AsSpan(0, n).ToArray());
        return true;
    }

    private int IndexOfHeadEnd()
    {
        for (int i = 0; i + 3 < _buffer.Count; i++)
            if (_buffer[i] == '\r' && _buffer[i + 1] == '\n' && _buffer[i + 2] == '\r' && _buffer[i + 3] == '\n') return i;
        return -1;
    }

    public void Dispose() => _socket.Dispose();
}
