using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using PoeSharp.LoadClient;

LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"PoeSharp.LoadClient: {e.Message}");
    return 2;
}

if (options.Once) return FetchOnce(options);

long now = Stopwatch.GetTimestamp();
long measureFrom = now + (long)(options.WarmupSeconds * Stopwatch.Frequency);
long measureUntil = measureFrom + (long)(options.DurationSeconds * Stopwatch.Frequency);

var workers = new Worker[options.Connections];
var threads = new Thread[options.Connections];
for (int i = 0; i < workers.Length; i++)
{
    workers[i] = new Worker(options, measureFrom, measureUntil);
    threads[i] = new Thread(workers[i].Run) { IsBackground = true, Name = $"load-{i}" };
    threads[i].Start();
}

Thread.Sleep(TimeSpan.FromSeconds(options.WarmupSeconds + options.DurationSeconds));
foreach (Worker w in workers) w.Stop();
var joinDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(options.StallSeconds + 2);
foreach (Thread t in threads) t.Join(TimeSpan.FromTicks(Math.Max(0, (joinDeadline - DateTime.UtcNow).Ticks)));

var latencies = new List<long>();
var counts = new long[Enum.GetValues<Outcome>().Length];
var pids = new HashSet<int>();
var samples = new List<string>();
foreach (Worker w in workers)
{
    latencies.AddRange(w.LatencyTicks);
    for (int i = 0; i < counts.Length; i++) counts[i] += w.Counts[i];
    pids.UnionWith(w.Pids);
    samples.AddRange(w.Samples);
}
latencies.Sort();

long ok = counts[(int)Outcome.Ok];
long failed = counts.Sum() - ok;
double rps = ok / options.DurationSeconds;
double p50 = Percentile(latencies, 0.50);
double p99 = Percentile(latencies, 0.99);
// The project runs with invariant globalization, so numbers print with a dot.

Console.WriteLine(
    $"{options.Name}: {ok} ok in {options.DurationSeconds:0.#} s = {rps:0} req/s, p50 {p50:0.00} ms, p99 {p99:0.00} ms, " +
    $"failed {failed}, distinct server pids {pids.Count}, {options.Connections} connections, " +
    (options.KeepAlive ? "keep-alive" : "close per request"));
if (failed > 0)
{
    var parts = new StringBuilder();
    foreach (Outcome o in Enum.GetValues<Outcome>())
        if (o != Outcome.Ok && counts[(int)o] > 0) parts.Append($" {o}={counts[(int)o]}");
    Console.WriteLine($"  failures:{parts}");
    foreach (string s in samples.Take(5)) Console.WriteLine($"  e.g. {s}");
}
Console.WriteLine(
    $"RESULT name={options.Name} ok={ok} rps={rps:0.0} p50_ms={p50:0.000} p99_ms={p99:0.000} failed={failed} " +
    $"connect={counts[(int)Outcome.Connect]} reset={counts[(int)Outcome.Reset]} short={counts[(int)Outcome.ShortRead]} " +
    $"dup={counts[(int)Outcome.Duplicate]} stalled={counts[(int)Outcome.Stalled]} status={counts[(int)Outcome.BadStatus]} " +
    $"body={counts[(int)Outcome.BadBody]} pids={pids.Count}");
return 0;

static double Percentile(List<long> sorted, double q)
{
    if (sorted.Count == 0) return double.NaN;
    int index = (int)Math.Min(sorted.Count - 1, Math.Ceiling(q * sorted.Count) - 1);
    return sorted[Math.Max(0, index)] * 1000.0 / Stopwatch.Frequency;
}

static int FetchOnce(LoadOptions options)
{
    using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    s.ReceiveTimeout = (int)(options.StallSeconds * 1000);
    s.Connect(options.Target);
    s.Send(Encoding.ASCII.GetBytes($"GET {options.Path} HTTP/1.1\r\nHost: {options.Target}\r\nConnection: close\r\n\r\n"));
    var data = new MemoryStream();
    var buffer = new byte[65536];
    int n;
    while ((n = s.Receive(buffer)) > 0) data.Write(buffer, 0, n);
    Console.Write(Encoding.UTF8.GetString(data.ToArray()));
    Outcome o = HttpCheck.ClassifyClosed(data.ToArray(), out int pid);
    Console.Error.WriteLine($"\n-- {o}, pid {pid}");
    return o == Outcome.Ok ? 0 : 1;
}
