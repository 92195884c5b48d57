using System.Globalization;
using System.Text;

namespace PoeSharp.Examples;

/// <summary>
/// The original's page: a table of the request headers, the PID and the time. Headers come in
/// arrival order; a repeated field is one row whose value joins every occurrence with ", ", as
/// Perl's <c>$request-&gt;header($_)</c> does. Unlike the original, names and values are
/// HTML-escaped, so a header cannot inject markup into the page.
/// </summary>
internal static class ExamplePage
{
    private const string Head =
        "<html>" +
        "<head><title>POE Pre-Forking Server Example</title></head>" +
        "<body><table border=1>";

    /// <summary>Renders the page for a request with <paramref name="headers"/>, served by <paramref name="pid"/> at <paramref name="now"/>.</summary>
    public static string Render(IEnumerable<KeyValuePair<string, string>> headers, int pid, DateTimeOffset now)
    {
        var rows = new List<KeyValuePair<string, StringBuilder>>();
        foreach ((string name, string value) in headers)
        {
            int at = rows.FindIndex(r => string.Equals(r.Key, name, StringComparison.OrdinalIgnoreCase));
            if (at < 0) rows.Add(new(name, new StringBuilder(value)));
            else rows[at].Value.Append(", ").Append(value);
        }

        var page = new StringBuilder(512);
        page.Append(Head);
        foreach ((string name, StringBuilder value) in rows)
        {
            page.Append("<tr><td>");
            AppendEscaped(page, name);
            page.Append("</td><td>");
            AppendEscaped(page, value.ToString());
            page.Append("</td></tr>");
        }
        page.Append("<tr><td>PID</td><td>").Append(pid.ToString(CultureInfo.InvariantCulture)).Append("</td></tr>");
        page.Append("<tr><td>time</td><td>").Append(PerlGmtime(now)).Append(" GMT</td></tr>");
        page.Append("</table></body>");
        page.Append("</html>");
        return page.ToString();
    }

    /// <summary>Perl's <c>scalar(gmtime)</c>: "Sat Nov 21 20:45:39 2026" (day of month padded with a space).</summary>
    public static string PerlGmtime(DateTimeOffset now)
    {
        DateTime t = now.UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture, $"{t:ddd MMM} {t.Day,2} {t:HH:mm:ss yyyy}");
    }

    /// <summary>An HTTP date (RFC 9110 IMF-fixdate) for the Date header.</summary>
    public static string HttpDate(DateTimeOffset now) => now.UtcDateTime.ToString("r", CultureInfo.InvariantCulture);

    private static void AppendEscaped(StringBuilder sb, string text)
    {
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
