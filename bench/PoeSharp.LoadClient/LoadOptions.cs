using System.Globalization;
using System.Net;

namespace PoeSharp.LoadClient;

/// <summary>Command-line settings of the load client.</summary>
internal sealed class LoadOptions
{
    public string Name { get; private set; } = "server";
    public IPEndPoint Target { get; private set; } = new(IPAddress.Loopback, 8888);
    public int Connections { get; private set; } = 32;
    public double DurationSeconds { get; private set; } = 5;
    public double WarmupSeconds { get; private set; } = 1;
    public bool KeepAlive { get; private set; }
    public double StallSeconds { get; private set; } = 5;
    public string Path { get; private set; } = "/";
    public bool Once { get; private set; }

    public const string Usage = """
        Usage: PoeSharp.LoadClient [options]
          --name NAME          label printed with the results (default server)
          --host ADDR          server address (default 127.0.0.1)
          --port N             server port (default 8888)
          --connections N      concurrent connections, one thread each (default 32)
          --duration S         measured seconds (default 5)
          --warmup S           unmeasured seconds before (default 1)
          --keep-alive         reuse connections (responses need Content-Length); default: one request
                               per connection, read until the server closes it
          --stall S            a response with no progress for S seconds is "stalled" (default 5)
          --path P             request path (default /)
          --once               fetch one page, print it, exit 0 if it is valid
        Prints a human-readable summary and one line "RESULT key=value ..." for scripts.
        """;

    public static LoadOptions Parse(string[] args)
    {
        var o = new LoadOptions();
        string host = "127.0.0.1";
        int port = 8888;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value.");
            switch (a)
            {
                case "--name": o.Name = Next(); break;
                case "--host": host = Next(); break;
                case "--port": port = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--connections": o.Connections = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--duration": o.DurationSeconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--warmup": o.WarmupSeconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--keep-alive": o.KeepAlive = true; break;
                case "--stall": o.StallSeconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--path": o.Path = Next(); break;
                case "--once": o.Once = true; break;
                case "-h" or "--help": Console.WriteLine(Usage); Environment.Exit(0); break;
                default: throw new ArgumentException($"Unknown option '{a}'. Try --help.");
            }
        }
        if (o.Connections < 1) throw new ArgumentException("--connections must be at least 1.");
        if (o.DurationSeconds <= 0) throw new ArgumentException("--duration must be positive.");
        o.Target = new IPEndPoint(IPAddress.Parse(host), port);
        return o;
    }
}
