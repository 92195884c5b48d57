using System.Globalization;
using System.Net;
using System.Text;

// The PreforkHttpd page (title, request headers, PID, time) from a minimal API, written the way a
// typical ASP.NET Core user would. Usage: KestrelPeer [PORT] (default 8888); listens on 127.0.0.1.
// Kestrel's defaults stay: persistent connections with no per-connection request limit, and
// "Connection: close" from the client closes the connection after the response.
int port = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 8888;

var builder = WebApplication.CreateBuilder();
// Information-level logging of every request would make the console the bottleneck.
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();
int pid = Environment.ProcessId;

app.MapGet("/", (HttpRequest request) =>
{
    var page = new StringBuilder(1024);
    page.Append("<html><head><title>POE Pre-Forking Server Example</title></head><body><table border=1>");
    // Kestrel's header dictionary lists known headers in its own order, then the others in
    // arrival order; a repeated field is one row with its values joined by ",".
    foreach (var (name, values) in request.Headers)
    {
        page.Append("<tr><td>").Append(WebUtility.HtmlEncode(name))
            .Append("</td><td>").Append(WebUtility.HtmlEncode(values.ToString())).Append("</td></tr>");
    }
    DateTime t = DateTime.UtcNow;
    page.Append("<tr><td>PID</td><td>").Append(pid).Append("</td></tr>");
    page.Append("<tr><td>time</td><td>")
        .Append(string.Create(CultureInfo.InvariantCulture, $"{t:ddd MMM} {t.Day,2} {t:HH:mm:ss yyyy}"))
        .Append(" GMT</td></tr></table></body></html>");
    return Results.Content(page.ToString(), "text/html");
});

app.Run($"http://127.0.0.1:{port}");
