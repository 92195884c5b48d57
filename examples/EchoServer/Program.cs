using System.Globalization;
using PoeSharp;
using PoeSharp.Examples;
using PoeSharp.Os;

// EchoServer [--port N] [--workers N] [--reuseport]: a line echo server on TcpServer (POE::Component::Server::TCP's job).
// With workers, the parent takes the pool's signals, USR2 (binary upgrade: the new program gets the
// listening socket through LISTEN_FDS) included.
const string Usage = "Usage: EchoServer [--port N] [--workers N] [--reuseport]\n"
                   + "  --port N     the TCP port to listen on (default 7777; 0 = any free port)\n"
                   + "  --workers N  pre-forked worker processes (default 0 = one process, no fork)\n"
                   + "  --reuseport  with workers: each worker accepts on its own SO_REUSEPORT socket on the port\n"
                   + "               (default: all workers accept on one shared socket)\n"
                   + "  --help       this text";
int port = 7777;
int workers = 0;
bool reusePort = false;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] is "--help" or "-h")
    {
        Console.WriteLine(Usage);
        return 0;
    }
    bool valid = args[i] switch
    {
        "--port" => i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out port) && port <= 65535,
        "--workers" => i + 1 < args.Length && int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out workers) && workers <= 1024,
        "--reuseport" => reusePort = true,
        _ => false,
    };
    if (!valid)
    {
        Console.Error.WriteLine($"EchoServer: invalid arguments '{string.Join(' ', args)}'; use --port N (0..65535), --workers N (0..1024), --reuseport or --help.");
        return 2;
    }
}

if (workers > 0)
{
    // Signals must be blocked before the runtime starts its threads: this re-executes the program
    // once with the mask set, so that TERM and INT reach the pool's watchers.
    ForkSafety.EnsureSignalMask(args);
    ForkReadiness readiness = ForkSafety.Check();
    if (!readiness.IsReady)
    {
        Console.Error.WriteLine($"EchoServer: this process cannot fork safely.\n{readiness}");
        return 1;
    }
    ForkSafety.WarmUp();
}

// The old master of a binary upgrade (SIGUSR2 to the parent), or a service manager, may have
// passed the listening socket (LISTEN_FDS): accept on it instead of binding.
FileDescriptor? listenSocket = null;
if (SocketActivation.IsActivated)
{
    try
    {
        IReadOnlyList<ActivatedSocket> passed = SocketActivation.Take();
        ActivatedSocket? listening = passed.FirstOrDefault(s => s.IsListening);
        foreach (ActivatedSocket other in passed)
            if (!ReferenceEquals(other, listening)) other.Handle.Dispose();
        listenSocket = listening?.Handle ?? throw new InvalidOperationException(
            $"Socket activation passed {passed.Count} socket(s) but none is a listening stream socket.");
    }
    catch (InvalidOperationException e)
    {
        Console.Error.WriteLine($"EchoServer: {e.Message}");
        return 1;
    }
}

try
{
    using var kernel = new Kernel();
    EchoServer.Start(kernel, port, Console.Out, workers, listenSocket, reusePort && workers > 0);
    kernel.Run();
}
catch (Exception e) when (ForkSafety.IsForkedChild)
{
    // An exception must not unwind out of Main in a worker: that hangs instead of exiting.
    Console.Error.WriteLine($"EchoServer (worker): {e}");
    ForkSafety.Exit(70);
}

// A worker must not return from Main (the runtime's shutdown waits for threads it no longer has).
if (ForkSafety.IsForkedChild) ForkSafety.Exit(0);
return 0;
