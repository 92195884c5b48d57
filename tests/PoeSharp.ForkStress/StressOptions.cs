using System.Globalization;

namespace PoeSharp.ForkStress;

/// <summary>Command line of the fork stress program.</summary>
internal sealed class StressOptions
{
    public string Mode { get; private set; } = "stress";
    public int Children { get; private set; } = 4;
    public int Respawns { get; private set; } = 40;
    public double DurationSeconds { get; private set; } = 60;
    public int ChildLifeMs { get; private set; } = 150;
    public double HangSeconds { get; private set; } = 10;
    public int Clients { get; private set; } = 8;
    public int Samples { get; private set; } = 10;
    public int Burst { get; private set; }
    public bool Bootstrap { get; private set; }
    public bool Verbose { get; private set; }
    public string Scenario { get; private set; } = "default";
    public string Signal { get; private set; } = "TERM";
    public int Port { get; private set; }
    public int ServerPid { get; private set; }

    public const string Usage =
        "usage: PoeSharp.ForkStress [stress|measure|signal-probe|kernel|kernel-signals|deferred-fork|accept-exhaustion|public-api|wheels-fork|fork-churn|churn-client] [--children N] [--respawns N] [--duration S]\n" +
        "       [--child-life MS] [--hang S] [--clients N] [--samples N] [--burst N] [--bootstrap] [--verbose]\n" +
        "       kernel-signals: [--scenario default|handled|unhandled|child] [--signal TERM|INT|...]\n" +
        "       accept-exhaustion: --scenario listen-accept|socket-factory|socket-factory-no-delay\n" +
        "       fork-churn: [--clients N] [--respawns N] [--child-life MS]; churn-client (run by fork-churn): --port P --server-pid PID [--clients N]";

    public static StressOptions Parse(string[] args)
    {
        var o = new StressOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value.\n{Usage}");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            double Dbl() => double.Parse(Next(), CultureInfo.InvariantCulture);
            switch (a)
            {
                case "stress" or "measure" or "signal-probe" or "kernel" or "kernel-signals" or "deferred-fork" or "accept-exhaustion" or "public-api" or "wheels-fork" or "fork-churn" or "churn-client": o.Mode = a; break;
                case "--children": o.Children = Int(); break;
                case "--respawns": o.Respawns = Int(); break;
                case "--duration": o.DurationSeconds = Dbl(); break;
                case "--child-life": o.ChildLifeMs = Int(); break;
                case "--hang": o.HangSeconds = Dbl(); break;
                case "--clients": o.Clients = Int(); break;
                case "--samples": o.Samples = Int(); break;
                case "--burst": o.Burst = Int(); break;
                case "--bootstrap": o.Bootstrap = true; break;
                case "--verbose": o.Verbose = true; break;
                case "--scenario": o.Scenario = Next(); break;
                case "--signal": o.Signal = Next(); break;
                case "--port": o.Port = Int(); break;
                case "--server-pid": o.ServerPid = Int(); break;
                default: throw new ArgumentException($"Unknown argument '{a}'.\n{Usage}");
            }
        }
        return o;
    }
}
