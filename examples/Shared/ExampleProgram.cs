using System.Buffers;
using PoeSharp.Filters.Http;
using PoeSharp.Loop;
using PoeSharp.Os;

namespace PoeSharp.Examples;

/// <summary>
/// What both example programs do around their sessions: options, the fork-safety set-up
/// (signal mask, readiness check, warm-up), running the kernel, and leaving a forked child with
/// <c>_exit</c> (returning from Main hangs there).
/// </summary>
internal static class ExampleProgram
{
    /// <summary>
    /// Runs an example. <paramref name="createListener"/> creates the listener session on the
    /// kernel and returns a function that tells, after the run, whether the server failed to listen.
    /// </summary>
    public static int Run(string[] args, ExampleKind kind, string name,
                          Func<Kernel, ServerOptions, Func<bool>> createListener)
    {
        OptionsParseResult parsed = ServerOptions.Parse(args, kind);
        if (parsed.HelpRequested)
        {
            Console.Error.WriteLine(ServerOptions.HelpText(kind));
            return 0;
        }
        if (parsed.Error is not null)
        {
            Console.Error.WriteLine($"{name}: {parsed.Error}");
            Console.Error.WriteLine($"Try '{name} --help'.");
            return 2;
        }
        ServerOptions options = parsed.Options!;

        // Signals must be blocked before the runtime starts its threads: this re-executes the
        // program once with the mask set (the options are parsed again there).
        ForkSafety.EnsureSignalMask(args);
        ForkReadiness readiness = ForkSafety.Check();
        if (!readiness.IsReady)
        {
            Console.Error.WriteLine($"{name}: this process cannot fork safely.\n{readiness}");
            return 1;
        }
        ForkSafety.WarmUp();
        WarmUpHotPath();

        Func<bool> failed;
        var loop = new ForkOnceLoop(new EpollLoop());
        var host = new ForkOrderedHost(new PosixProcessHost(), loop);
        using (var kernel = new Kernel(loop, TimeProvider.System, host))
        {
            failed = createListener(kernel, options);
            kernel.Run();
        }
        host.Dispose();
        loop.Dispose();

        // A child must not return from Main (the runtime's shutdown waits for threads it no longer has).
        if (ForkSafety.IsForkedChild) ForkSafety.Exit(0);
        return failed() ? 1 : 0;
    }

    /// <summary>
    /// JIT-compiles the request path in the parent, so every child starts with it compiled
    /// (tiered compilation is off: what the parent compiled, the children share).
    /// </summary>
    private static void WarmUpHotPath()
    {
        var filter = new HttpdFilter();
        byte[] request = "GET / HTTP/1.1\r\nHost: warm.up\r\nUser-Agent: warm-up\r\nConnection: close\r\n\r\n"u8.ToArray();
        if (filter.TryGetOne(request, out HttpMessage? message, out _) != Filters.DecodeStatus.Record || message is not HttpRequest r)
            return;
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (HttpField field in r.Headers) pairs.Add(new(field.Name, field.Value));
        var response = new HttpResponse(200) { Request = r };
        response.SetBody(ExamplePage.Render(pairs, Environment.ProcessId, DateTimeOffset.UtcNow), "text/html");
        HttpKeepAlive.Decide(r, response);
        var output = new ArrayBufferWriter<byte>(1024);
        filter.Put(response, output);
    }
}
