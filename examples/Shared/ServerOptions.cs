using System.Globalization;
using System.Net;

namespace PoeSharp.Examples;

/// <summary>
/// The example servers' settings. The defaults are the Perl original's constants (DEBUG 1,
/// MAX_PROCESSES 10, SERVER_PORT 8888, TESTING_CHURN 1); the rest are additions that keep the
/// original's behaviour unless asked for.
/// </summary>
internal sealed record ServerOptions
{
    /// <summary>SERVER_PORT. 0 picks a free port; the server then prints it.</summary>
    public int Port { get; init; } = 8888;

    /// <summary>The address to listen on (the original binds INADDR_ANY).</summary>
    public IPAddress Address { get; init; } = IPAddress.Any;

    /// <summary>MAX_PROCESSES: how many children the listener keeps forked (PreforkHttpd: 0 = the parent serves alone).</summary>
    public int MaxProcesses { get; init; } = 10;

    /// <summary>TESTING_CHURN: a child stops listening after a connection with probability <see cref="ChurnProbability"/>.</summary>
    public bool Churn { get; init; } = true;

    /// <summary>The original's <c>rand() &lt; 0.25</c>.</summary>
    public double ChurnProbability { get; init; } = 0.25;

    /// <summary>DEBUG: the original's messages on stderr.</summary>
    public bool Debug { get; init; } = true;

    /// <summary>Persistent connections with pipelining (the original closes after each response).</summary>
    public bool KeepAlive { get; init; }

    /// <summary>How long a persistent connection may sit idle between requests.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Requests served on one persistent connection before it is closed: nginx's keepalive_requests
    /// default. With 100, a client reconnected every 100 requests, and with churn on every new
    /// connection may end a child (bench/README.md, "Default request limit per connection").
    /// </summary>
    public int MaxRequests { get; init; } = 1000;

    /// <summary>How long a client may take to send a complete request before it is dropped.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// One of the processes that share the listening socket is woken per pending connection instead
    /// of every idle one (<see cref="PoeSharp.Wheels.SocketFactoryOptions.ExclusiveAccept"/>). On by
    /// default: at 11 accepting processes it took the context switches per request from 5.2 to 1.0
    /// and the CPU per request down by a fifth at light load; at 2 the runs disagreed within the
    /// machine's noise (bench/README.md, "Exclusive wake-up of a shared listener").
    /// </summary>
    public bool ExclusiveAccept { get; init; } = true;

    /// <summary>After SIGINT/SIGTERM, how long in-flight requests may take before everything is killed.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Parses <paramref name="args"/>; see <see cref="HelpText"/>.</summary>
    public static OptionsParseResult Parse(string[] args, ExampleKind kind)
    {
        var o = new ServerOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string name = arg;
            string? inline = null;
            int eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 2)
            {
                name = arg[..eq];
                inline = arg[(eq + 1)..];
            }

            string? error = null;
            string Value()
            {
                if (inline is not null) return inline;
                if (i + 1 < args.Length) return args[++i];
                error = $"{name} needs a value.";
                return "";
            }

            bool churnApplies = kind == ExampleKind.Prefork;
            switch (name)
            {
                case "-h" or "--help":
                    return OptionsParseResult.Help;
                case "-p" or "--port":
                    if (TryInt(Value(), 0, 65535, out int port)) o = o with { Port = port };
                    else error ??= $"--port must be a whole number from 0 to 65535 (0 picks a free port), not '{Last(args, i, inline)}'.";
                    break;
                case "--address":
                    if (IPAddress.TryParse(Value(), out IPAddress? address)) o = o with { Address = address };
                    else error ??= $"--address must be an IP address such as 127.0.0.1 or 0.0.0.0, not '{Last(args, i, inline)}'.";
                    break;
                case "-n" or "--max-processes":
                    if (TryInt(Value(), kind == ExampleKind.Prefork ? 0 : 1, 1024, out int max)) o = o with { MaxProcesses = max };
                    else error ??= $"--max-processes must be a whole number from {(kind == ExampleKind.Prefork ? 0 : 1)} to 1024, not '{Last(args, i, inline)}'.";
                    break;
                case "--churn" when churnApplies:
                    o = o with { Churn = true };
                    break;
                case "--no-churn" when churnApplies:
                    o = o with { Churn = false };
                    break;
                case "--exclusive-accept" when churnApplies:
                    o = o with { ExclusiveAccept = true };
                    break;
                case "--no-exclusive-accept" when churnApplies:
                    o = o with { ExclusiveAccept = false };
                    break;
                case "--debug":
                    o = o with { Debug = true };
                    break;
                case "-q" or "--quiet":
                    o = o with { Debug = false };
                    break;
                case "--keep-alive":
                    o = o with { KeepAlive = true };
                    break;
                case "--keep-alive-timeout":
                    if (TrySeconds(Value(), out TimeSpan idle)) o = o with { KeepAliveTimeout = idle };
                    else error ??= SecondsError(name, args, i, inline);
                    break;
                case "--max-requests":
                    if (TryInt(Value(), 1, 1_000_000, out int requests)) o = o with { MaxRequests = requests };
                    else error ??= $"--max-requests must be a whole number from 1 to 1000000, not '{Last(args, i, inline)}'.";
                    break;
                case "--read-timeout":
                    if (TrySeconds(Value(), out TimeSpan read)) o = o with { ReadTimeout = read };
                    else error ??= SecondsError(name, args, i, inline);
                    break;
                case "--shutdown-timeout":
                    if (TrySeconds(Value(), out TimeSpan grace)) o = o with { ShutdownTimeout = grace };
                    else error ??= SecondsError(name, args, i, inline);
                    break;
                default:
                    error = name is "--churn" or "--no-churn" or "--exclusive-accept" or "--no-exclusive-accept"
                        ? $"{name} applies to PreforkHttpd only."
                        : $"unknown option '{arg}'.";
                    break;
            }
            if (error is not null) return OptionsParseResult.Fail(error);
        }
        return OptionsParseResult.Ok(o);
    }

    /// <summary>The text printed by <c>--help</c>.</summary>
    public static string HelpText(ExampleKind kind) => kind == ExampleKind.Prefork
        ? """
          Usage: PreforkHttpd [options]

          The POE pre-forking web server: a listener forks --max-processes children that all accept
          on one port; each connection gets an interactor session that answers with a page listing
          the request headers, the PID that served it and the time.

            -p, --port N             listen port (SERVER_PORT, default 8888); 0 picks a free one
                --address IP         listen address (default 0.0.0.0)
            -n, --max-processes N    children to keep forked (MAX_PROCESSES, default 10); with 0
                                     the parent serves alone and forks nothing (one accepting
                                     process)
                --churn, --no-churn  children randomly stop after a connection to test respawning
                                     (TESTING_CHURN, default on)
                --debug, -q, --quiet the original's messages on stderr (DEBUG, default on)
                --exclusive-accept, --no-exclusive-accept  wake one process per pending
                                     connection instead of every idle one (default on)
                --keep-alive         persistent connections and pipelining (default: close after
                                     each response, as the original)
                --keep-alive-timeout S  idle time allowed between requests (default 5)
                --max-requests N     requests per persistent connection (default 1000)
                --read-timeout S     time allowed to send a request (default 10)
                --shutdown-timeout S after SIGINT/SIGTERM, time in-flight requests get (default 5)
            -h, --help               this text

          Signals to the parent: INT or TERM stop accepting, finish in-flight requests, stop the
          children and exit 0 (a second one stops at once); HUP replaces the children one by one.
          Exit codes: 0 after a clean stop, 1 when the server cannot listen, 2 for a bad option.
          """
        : """
          Usage: ForkPerConnection [options]

          The fork-per-connection web server: the parent accepts, forks a child for each
          connection, the child answers it and exits; the parent reaps each child by its pid.
          Same page as PreforkHttpd.

            -p, --port N             listen port (default 8888); 0 picks a free one
                --address IP         listen address (default 0.0.0.0)
            -n, --max-processes N    children alive at once; accepting pauses at the limit (default 10)
                --debug, -q, --quiet messages on stderr (default on)
                --keep-alive         persistent connections and pipelining (default: close)
                --keep-alive-timeout S  idle time allowed between requests (default 5)
                --max-requests N     requests per persistent connection (default 1000)
                --read-timeout S     time allowed to send a request (default 10)
                --shutdown-timeout S after SIGINT/SIGTERM, time in-flight requests get (default 5)
            -h, --help               this text

          Exit codes: 0 after a clean stop, 1 when the server cannot listen, 2 for a bad option.
          """;

    private static string Last(string[] args, int i, string? inline) => inline ?? (i < args.Length ? args[i] : "");

    private static string SecondsError(string name, string[] args, int i, string? inline) =>
        $"{name} must be a number of seconds greater than 0 and at most 3600, not '{Last(args, i, inline)}'.";

    private static bool TryInt(string text, int min, int max, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;

    private static bool TrySeconds(string text, out TimeSpan value)
    {
        value = default;
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double s) || s <= 0 || s > 3600)
            return false;
        value = TimeSpan.FromSeconds(s);
        return true;
    }
}
