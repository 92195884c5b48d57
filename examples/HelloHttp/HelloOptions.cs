using System.Globalization;
using System.Net;

namespace PoeSharp.Examples.HelloHttp;

/// <summary>HelloHttp's command line.</summary>
internal sealed record HelloOptions
{
    public string Address { get; init; } = "0.0.0.0";

    public int Port { get; init; } = 8888;

    public int Workers { get; init; } = 4;

    public int MaxRequests { get; init; }

    public int MaxRequestsJitter { get; init; }

    public TimeSpan? WorkerTimeout { get; init; }

    public string? AccessLog { get; init; }

    public string? StatusFile { get; init; }

    public bool ReusePort { get; init; }

    public bool Help { get; init; }

    public const string Usage = """
        Usage: HelloHttp [options]
        A small HTTP server on PoeSharp's HttpServer, run by a pre-forked worker pool.

          --port N               port to listen on (default 8888; 0 = any free port)
          --address ADDR         address to listen on (default 0.0.0.0)
          --workers N            worker processes (default 4; 0 = serve in one process, no fork)
          --max-requests N       replace a worker after N requests (default 0 = never)
          --max-requests-jitter N  add up to N random requests to each worker's limit
          --worker-timeout SECS  kill and replace a worker whose handler runs longer (default: never)
          --access-log PATH      access lines to PATH, reopened on SIGUSR1 (default: stdout)
          --status-file PATH     the parent keeps the pool's state in PATH (one line per worker)
          --reuseport            each worker accepts on its own SO_REUSEPORT socket on the port
                                 (default: all workers accept on one shared socket)
          --help                 this text

        Paths: /            hello, with the worker's pid
               /later?ms=N  answered N ms later without blocking the worker (a kept responder)
               /sleep?ms=N  blocks the worker N ms (shows --worker-timeout)
               /boom        the handler throws: the client gets a 500, the server keeps serving
        Signals to the parent: TERM/INT/QUIT stop gracefully (twice: at once), HUP replaces the
        workers one by one, USR1 reopens the access log, TTIN/TTOU add or remove a worker,
        WINCH stops the workers but keeps the parent (HUP brings them back), USR2 starts the
        program again on the same socket (binary upgrade; then QUIT the old parent).
        With LISTEN_FDS/LISTEN_PID (socket activation) it serves the socket passed instead of binding;
        with --reuseport the sockets passed must have SO_REUSEPORT (systemd: ReusePort=yes).
        """;

    /// <summary>Parses <paramref name="args"/>; an error names the option and what it wants.</summary>
    public static (HelloOptions? Options, string? Error) Parse(string[] args)
    {
        var o = new HelloOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name is "--help" or "-h") return (o with { Help = true }, null);
            if (name == "--reuseport")
            {
                o = o with { ReusePort = true };
                continue;
            }
            if (i + 1 >= args.Length) return (null, $"{name} needs a value, or is not an option.");
            string value = args[++i];
            bool Int(int min, int max, out int v) =>
                int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out v) && v >= min && v <= max;
            switch (name)
            {
                case "--port" when Int(0, 65535, out int port): o = o with { Port = port }; break;
                case "--port": return (null, $"--port wants 0 to 65535, not '{value}'.");
                case "--address" when IPAddress.TryParse(value, out _): o = o with { Address = value }; break;
                case "--address": return (null, $"--address wants an IP address, not '{value}'.");
                case "--workers" when Int(0, 1024, out int workers): o = o with { Workers = workers }; break;
                case "--workers": return (null, $"--workers wants 0 to 1024, not '{value}'.");
                case "--max-requests" when Int(0, int.MaxValue, out int max): o = o with { MaxRequests = max }; break;
                case "--max-requests": return (null, $"--max-requests wants a count (0 = never), not '{value}'.");
                case "--max-requests-jitter" when Int(0, int.MaxValue, out int jitter): o = o with { MaxRequestsJitter = jitter }; break;
                case "--max-requests-jitter": return (null, $"--max-requests-jitter wants a count, not '{value}'.");
                case "--worker-timeout" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s >= 0.05:
                    o = o with { WorkerTimeout = TimeSpan.FromSeconds(s) };
                    break;
                case "--worker-timeout": return (null, $"--worker-timeout wants seconds, at least 0.05, not '{value}'.");
                case "--access-log": o = o with { AccessLog = value }; break;
                case "--status-file": o = o with { StatusFile = value }; break;
                default: return (null, $"unknown option '{name}'.");
            }
        }
        return (o, null);
    }
}
