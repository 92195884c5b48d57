using System.Buffers.Text;
using System.Text;

namespace PoeSharp.LoadClient;

/// <summary>Checks that bytes from the server are exactly one 200 response carrying the example page.</summary>
internal static class HttpCheck
{
    private static ReadOnlySpan<byte> HeaderEnd => "\r\n\r\n"u8;
    private static ReadOnlySpan<byte> HtmlEnd => "</html>"u8;
    private static ReadOnlySpan<byte> PidCell => "<tr><td>PID</td><td>"u8;
    private static ReadOnlySpan<byte> StatusStart => "HTTP/"u8;

    /// <summary>Index just past the blank line that ends the head, or -1.</summary>
    public static int FindHeadEnd(ReadOnlySpan<byte> data)
    {
        int i = data.IndexOf(HeaderEnd);
        return i < 0 ? -1 : i + HeaderEnd.Length;
    }

    /// <summary>Parses the status code, Content-Length (-1 when absent) and "Connection: close" of a head.</summary>
    public static bool TryParseHead(ReadOnlySpan<byte> head, out int status, out int contentLength, out bool close)
    {
        status = 0;
        contentLength = -1;
        close = false;
        if (!head.StartsWith(StatusStart)) return false;
        int sp = head.IndexOf((byte)' ');
        if (sp < 0 || head.Length < sp + 4 || !Utf8Parser.TryParse(head.Slice(sp + 1, 3), out status, out _)) return false;
        string text = Encoding.ASCII.GetString(head);
        foreach (string line in text.Split("\r\n"))
        {
            int colon = line.IndexOf(':');
            if (colon <= 0) continue;
            string name = line[..colon].Trim();
            string value = line[(colon + 1)..].Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && int.TryParse(value, out int cl))
                contentLength = cl;
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase) && value.Equals("close", StringComparison.OrdinalIgnoreCase))
                close = true;
        }
        return true;
    }

    /// <summary>Classifies everything read on a connection that the server then closed.</summary>
    public static Outcome ClassifyClosed(ReadOnlySpan<byte> data, out int pid)
    {
        pid = 0;
        if (data.IsEmpty) return Outcome.ShortRead;
        int headEnd = FindHeadEnd(data);
        if (headEnd < 0) return data.StartsWith(StatusStart) ? Outcome.ShortRead : Outcome.BadStatus;
        if (!TryParseHead(data[..headEnd], out int status, out int contentLength, out _)) return Outcome.BadStatus;
        if (status != 200) return Outcome.BadStatus;
        ReadOnlySpan<byte> rest = data[headEnd..];
        ReadOnlySpan<byte> body = rest;
        if (contentLength >= 0)
        {
            if (rest.Length < contentLength) return Outcome.ShortRead;
            if (rest.Length > contentLength)
                return rest[contentLength..].IndexOf(StatusStart) >= 0 ? Outcome.Duplicate : Outcome.BadBody;
            body = rest[..contentLength];
        }
        else if (rest.IndexOf(StatusStart) >= 0)
        {
            return Outcome.Duplicate;
        }
        return CheckBody(body, out pid);
    }

    /// <summary>Checks one page body: one closing html tag and a PID row.</summary>
    public static Outcome CheckBody(ReadOnlySpan<byte> body, out int pid)
    {
        pid = 0;
        int end = body.IndexOf(HtmlEnd);
        if (end < 0) return Outcome.ShortRead;
        if (body[(end + HtmlEnd.Length)..].IndexOf(HtmlEnd) >= 0) return Outcome.Duplicate;
        int cell = body.IndexOf(PidCell);
        if (cell < 0 || !Utf8Parser.TryParse(body[(cell + PidCell.Length)..], out pid, out _) || pid <= 0)
            return Outcome.BadBody;
        return Outcome.Ok;
    }
}
