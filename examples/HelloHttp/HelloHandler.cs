using System.Globalization;
using PoeSharp.Components.Http;
using PoeSharp.Filters.Http;

namespace PoeSharp.Examples.HelloHttp;

/// <summary>The example's handler: one answer at once, one later, one that blocks, one that throws.</summary>
internal static class HelloHandler
{
    public static HttpResponse? Handle(Kernel kernel, HttpRequest request, HttpResponder responder)
    {
        switch (request.Path)
        {
            case "/":
                return new HttpResponse(200, $"Hello, world! (pid {kernel.ProcessId})\n");
            case "/later":
                // Keep the responder; a small session answers when its timer fires. The worker
                // serves other requests meanwhile.
                kernel.Create(responder, s => s
                    .On("_start", c => c.Kernel.Delay("answer", TimeSpan.FromMilliseconds(Milliseconds(request))))
                    .On("answer", c => c.Heap.Respond(new HttpResponse(200, $"Later, world! (pid {c.Kernel.ProcessId})\n"))));
                return null;
            case "/sleep":
                // Deliberately blocks the worker's loop: what --worker-timeout is for.
                Thread.Sleep(Milliseconds(request));
                return new HttpResponse(200, $"Slept. (pid {kernel.ProcessId})\n");
            case "/boom":
                throw new InvalidOperationException("boom: this handler always fails");
            default:
                return new HttpResponse(404, "Not found\n");
        }
    }

    private static int Milliseconds(HttpRequest request)
    {
        foreach (string pair in request.Query.TrimStart('?').Split('&'))
            if (pair.StartsWith("ms=", StringComparison.Ordinal) &&
                int.TryParse(pair.AsSpan(3), NumberStyles.None, CultureInfo.InvariantCulture, out int ms))
                return Math.Min(ms, 600_000);
        return 1000;
    }
}
