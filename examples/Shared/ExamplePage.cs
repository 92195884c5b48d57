using System.Globalization;
using System.Text;
using PoeSharp.Filters.Http;

namespace PoeSharp.Examples;

/// <summary>
/// The original's page: a table of the request headers, the PID and the time. Headers come in
/// arrival order; a repeated field is one row whose value joins every occurrence with ", ", as
/// Perl's <c>$request-&gt;header($_)</c> does. Unlike the original, names and values are
/// HTML-escaped, so a header cannot inject markup into the page.
/// </summary>
/// <remarks>Single-threaded like the kernel: one builder is reused for every page.</remarks>
internal static class ExamplePage
{
    private const string Head =
        "<html>" +
        "<head><title>POE Pre-Forking Server Example</title></head>" +
        "<body><table border=1>";

    private static readonly StringBuilder s_page = new(1024);
    private static long s_timeSecond = long.MinValue;
    private static string s_timeText = "";

    /// <summary>Renders the page for <paramref name="headers"/> as UTF-8 bytes.</summary>
    public static byte[] RenderUtf8(HttpHeaderCollection headers, int pid, DateTimeOffset now)
    {
        StringBuilder page = s_page.Clear();
        page.Append(Head);
        int count = headers.Count;
        for (int i = 0; i < count; i++)
        {
            HttpField field = headers[i];
            if (SeenBefore(headers, i)) continue;
            page.Append("<tr><td>");
            AppendEscaped(page, field.Name);
            page.Append("</td><td>");
            AppendEscaped(page, field.Value);
            for (int j = i + 1; j < count; j++)
            {
                if (!string.Equals(headers[j].Name, field.Name, StringComparison.OrdinalIgnoreCase)) continue;
                page.Append(", ");
                AppendEscaped(page, headers[j].Value);
            }
            page.Append("</td></tr>");
        }
        AppendTail(page, pid, now);
        return Utf8(page);
    }

    /// <summary>Renders the page for <paramref name="headers"/>, served by <paramref name="pid"/> at <paramref name="now"/>.</summary>
    public static string Render(IEnumerable<KeyValuePair<string, string>> headers, int pid, DateTimeOffset now)
    {
        var collection = new HttpHeaderCollection();
        foreach ((string name, string value) in headers) collection.Add(name, value);
        return Encoding.UTF8.GetString(RenderUtf8(collection, pid, now));
    }

    /// <summary>Perl's <c>scalar(gmtime)</c>: "Sat Nov 21 20:45:39 2026" (day of month padded with a space).</summary>
    public static string PerlGmtime(DateTimeOffset now)
    {
        DateTime t = now.UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture, $"{t:ddd MMM} {t.Day,2} {t:HH:mm:ss yyyy}");
    }

    /// <summary>An HTTP date (RFC 9110 IMF-fixdate) for the Date header.</summary>
    public static string HttpDate(DateTimeOffset now) => now.UtcDateTime.ToString("r", CultureInfo.InvariantCulture);

    private static bool SeenBefore(HttpHeaderCollection headers, int index)
    {
        string name = headers[index].Name;
        for (int k = 0; k < index; k++)
            if (string.Equals(headers[k].Name, name, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    private static void AppendTail(StringBuilder page, int pid, DateTimeOffset now)
    {
        // The time has one-second resolution: format it once per second.
        long second = now.ToUnixTimeSeconds();
        if (second != s_timeSecond)
        {
            s_timeText = PerlGmtime(now);
            s_timeSecond = second;
        }
        page.Append("<tr><td>PID</td><td>").Append(pid).Append("</td></tr>");
        page.Append("<tr><td>time</td><td>").Append(s_timeText).Append(" GMT</td></tr>");
        page.Append("</table></body>");
        page.Append("</html>");
    }

    private static byte[] Utf8(StringBuilder page)
    {
        int length = 0;
        foreach (ReadOnlyMemory<char> chunk in page.GetChunks()) length += Encoding.UTF8.GetByteCount(chunk.Span);
        var bytes = new byte[length];
        int at = 0;
        foreach (ReadOnlyMemory<char> chunk in page.GetChunks()) at += Encoding.UTF8.GetBytes(chunk.Span, bytes.AsSpan(at));
        return bytes;
    }

    private static void AppendEscaped(StringBuilder sb, string text)
    {
        if (text.AsSpan().IndexOfAny("<>&\"") < 0)
        {
            sb.Append(text);
            return;
        }
        foreach (char c in text)
        {
            switch (c)
            {
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                case '"': sb.Append("&quot;"); break;
                default: sb.Append(c); break;
            }
        }
    }
}
