// HelloHttp: an HTTP server on PoeSharp's HttpServer, pre-forked. The parent binds, forks the
// workers and supervises them; each worker accepts on the shared socket and answers.
using Microsoft.Extensions.Logging;
using PoeSharp;
using PoeSharp.Components.Http;
using PoeSharp.Examples.HelloHttp;
using PoeSharp.Logging;
using PoeSharp.Os;

var (options, error) = HelloOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine($"HelloHttp: {error}");
    Console.Error.WriteLine("Try 'HelloHttp --help'.");
    return 2;
}
if (options.Help)
{
    Console.Out.WriteLine(HelloOptions.Usage);
    return 0;
}

// Signals must be blocked before the runtime starts its threads: this re-executes the program
// once with the mask set, so that TERM, INT, HUP and USR1 reach the kernel's watchers.
ForkSafety.EnsureSignalMask(args);
if (options.Workers > 0)
{
    ForkReadiness readiness = ForkSafety.Check();
    if (!readiness.IsReady)
    {
        Console.Error.WriteLine($"HelloHttp: this process cannot fork safely.\n{readiness}");
        return 1;
    }
    ForkSafety.WarmUp();
    // The handlers run only in workers: compile them once here, not in every worker.
    ForkSafety.PrepareForChildren(typeof(HelloHandler).Assembly);
}

// A service manager (systemd socket activation) or the old master of a binary upgrade (SIGUSR2)
// may have passed the listening socket: serve on it instead of binding.
// With --reuseport (an upgrade of a --reuseport server passes one socket per worker slot), the
// first is slot 0's and the others go to slots 1, 2, ...
FileDescriptor? listenSocket = null;
List<FileDescriptor> slotSockets = [];
if (SocketActivation.IsActivated)
{
    try
    {
        IReadOnlyList<ActivatedSocket> passed = SocketActivation.Take();
        List<ActivatedSocket> listening = passed.Where(s => s.IsListening).ToList();
        int keep = options.ReusePort ? listening.Count : Math.Min(1, listening.Count);
        foreach (ActivatedSocket other in passed)
        {
            int index = listening.IndexOf(other);
            if (index < 0 || index >= keep) other.Handle.Dispose();
        }
        listenSocket = listening.Count > 0 ? listening[0].Handle : throw new InvalidOperationException(
            $"Socket activation passed {passed.Count} socket(s) but none is a listening stream socket; pass one with ListenStream= and Accept=no.");
        slotSockets.AddRange(listening.Skip(1).Take(keep - 1).Select(s => s.Handle));
    }
    catch (InvalidOperationException e)
    {
        Console.Error.WriteLine($"HelloHttp: {e.Message}");
        return 1;
    }
}

int exitCode = 0;
try
{
    using var kernel = new Kernel();
    var logger = new TextLogger("HelloHttp", Console.Error, LogLevel.Information);
    TextWriter accessLog = options.AccessLog is { } path ? new ReopenableFileWriter(path) : Console.Out;
    var server = new HttpServer(kernel, new HttpServerOptions
    {
        Address = options.Address,
        Port = options.Port,
        ListenSocket = listenSocket,
        ReusePort = options.ReusePort,
        ReusePortSockets = options.ReusePort && slotSockets.Count > 0 ? slotSockets : null,
        Workers = options.Workers,
        MaxRequests = options.MaxRequests,
        MaxRequestsJitter = options.MaxRequestsJitter,
        WorkerTimeout = options.WorkerTimeout,
        Handler = (request, responder) => HelloHandler.Handle(kernel, request, responder),
        AccessLog = accessLog,
        StatusFile = options.StatusFile,
        Logger = logger,
    });
    if (server.Failed)
    {
        Console.Error.WriteLine($"HelloHttp: {server.ListenError ?? "cannot listen"}");
        exitCode = 1;
    }
    else
    {
        string workers = options.Workers == 0 ? "no workers (one process)"
            : $"{options.Workers} workers{(options.ReusePort ? " (SO_REUSEPORT)" : "")}";
        Console.Error.WriteLine($"HelloHttp {kernel.ProcessId} has begun listening on port {server.Port} with {workers}");
    }
    kernel.Run();
    if (server.Failed) exitCode = 1;
}
catch (Exception e) when (ForkSafety.IsForkedChild)
{
    // An exception must not unwind out of Main in a worker: that hangs instead of exiting.
    Console.Error.WriteLine($"HelloHttp (worker): {e}");
    ForkSafety.Exit(70);
}

// A worker must not return from Main (the runtime's shutdown waits for threads it no longer has).
if (ForkSafety.IsForkedChild) ForkSafety.Exit(0);
return exitCode;
