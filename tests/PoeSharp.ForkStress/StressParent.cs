using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PoeSharp.Loop;
using PoeSharp.Os;

namespace PoeSharp.ForkStress;

/// <summary>
/// Keeps N children alive, respawning each as it exits until the respawn budget or the duration
/// is spent, while sending them requests; reaps with pidfds; counts crashes, hangs, leaks.
/// </summary>
internal sealed class StressParent
{
    private readonly StressOptions _o;
    private readonly LoopHost _loop = new();
    private readonly Dictionary<int, (long Deadline, bool Hung)> _alive = new();
    private readonly HashSet<ClientConnection> _clients = new();
    private readonly List<double> _forkMs = new();
    private Socket _listener = null!;
    private ReportReader _reports = null!;
    private int _reportWrite;
    private int _spawned, _ok, _crashed, _hung, _forkFailures, _answered, _dropped, _stalled;
    private bool _stopping;

    private static readonly bool NoFin = Environment.GetEnvironmentVariable("FORKSTRESS_NOFIN") == "1";

    public StressParent(StressOptions o) => _o = o;

    public int Run()
    {
        var total = Stopwatch.StartNew();
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1024);
        _listener.Blocking = false;
        var (r, w) = Native.Pipe();
        _reportWrite = w;
        _reports = new ReportReader(r);
        _loop.Watch(r, IoMode.Read, _reports);
        _loop.ChildExited = OnChildExit;
        ForkSafety.WarmUp();
        int fdsAtStart = ProcScan.OpenFds();
        if (_o.Verbose) Console.Error.WriteLine("forkstress: open fds at start: " + string.Join(" ", Directory.GetFiles("/proc/self/fd").Select(f => Path.GetFileName(f) + "->" + new FileInfo(f).LinkTarget)));
        int budget = _o.Children + _o.Respawns;
        long hangTicks = (long)(_o.HangSeconds * Stopwatch.Frequency);
        var garbage = new List<Finalizable>();

        while (true)
        {
            bool timeUp = total.Elapsed.TotalSeconds >= _o.DurationSeconds;
            if (!_stopping && (timeUp || _spawned >= budget || _forkFailures > 3)) _stopping = true;
            while (!_stopping && _alive.Count < _o.Children && _spawned < budget) Spawn();
            if (_stopping && _alive.Count == 0) break;
            while (!_stopping && _clients.Count < _o.Clients)
                _clients.Add(new ClientConnection(_loop, _listener.LocalEndPoint!, OnAnswered));

            _loop.RunOnce(TimeSpan.FromMilliseconds(10));

            long now = Stopwatch.GetTimestamp();
            foreach (var (pid, info) in _alive.ToArray())
            {
                if (info.Hung || now < info.Deadline) continue;
                Console.Error.WriteLine($"forkstress: child {pid} did not exit within {_o.HangSeconds} s: killing it");
                Native.Kill(pid, Signals.KILL);
                _alive[pid] = (info.Deadline, true);
            }
            foreach (var c in _clients.ToArray())
            {
                if (now - c.Started < hangTicks) continue;
                _stalled++;
                c.Abort();
                _clients.Remove(c);
            }
            // Finalizable garbage: the finalizer thread has work whenever we fork.
            garbage.Clear();
            for (int i = 0; i < (NoFin ? 0 : 50); i++) garbage.Add(new Finalizable());
        }

        foreach (var c in _clients) c.Abort();
        _clients.Clear();
        _loop.RunOnce(TimeSpan.FromMilliseconds(50));
        _reports.OnReady(_reports.ReadFd, IoMode.Read);
        var leftovers = ProcScan.ChildrenOf(Native.GetPid());
        foreach (int pid in leftovers) Native.Kill(pid, Signals.KILL);
        _loop.Unwatch(r, IoMode.Read);
        Native.Close(r);
        Native.Close(w);
        int fdsAtEnd = ProcScan.OpenFds();
        if (_o.Verbose) Console.Error.WriteLine("forkstress: open fds at end: " + string.Join(" ", Directory.GetFiles("/proc/self/fd").Select(f => Path.GetFileName(f) + "->" + new FileInfo(f).LinkTarget)));
        int fdLeak = Math.Max(0, fdsAtEnd - fdsAtStart);

        var stats = Sum(_reports.Lines);
        int missingReports = _ok - _reports.Lines.Count(l => l.StartsWith("CHILD ", StringComparison.Ordinal));
        bool pass = _crashed == 0 && _hung == 0 && leftovers.Count == 0 && _forkFailures == 0 && _dropped == 0
                    && _stalled == 0 && missingReports <= 0 && fdLeak == 0 && _ok == _spawned && _spawned > 0;
        var acceptMs = stats.AcceptUs.Select(u => u / 1000.0).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"forkstress: children={_o.Children} spawned={_spawned} ok={_ok} crashed={_crashed} hung={_hung} fork_failures={_forkFailures} " +
            $"leftover_processes={leftovers.Count} fd_leak={fdLeak} requests={_answered} dropped={_dropped} stalled={_stalled} " +
            $"child_requests={stats.Requests} gcs={stats.Gcs} gen2={stats.Gen2} exceptions={stats.Exceptions} jitted={stats.Jitted} " +
            $"fork_ms_median={ProcScan.Percentile(_forkMs, 50):F2} fork_ms_p95={ProcScan.Percentile(_forkMs, 95):F2} fork_ms_p99={ProcScan.Percentile(_forkMs, 99):F2} " +
            $"fork_to_accept_ms_median={ProcScan.Percentile(acceptMs, 50):F2} " +
            $"parent_finalized={Finalizable.Finalized} elapsed_s={total.Elapsed.TotalSeconds:F1} result={(pass ? "PASS" : "FAIL")}"));
        _loop.Dispose();
        _listener.Dispose();
        return pass ? 0 : 1;
    }

    private void Spawn()
    {
        long start = Stopwatch.GetTimestamp();
        var result = _loop.Host.Fork();
        if (result.IsChild)
        {
            new ChildWorker(_loop, _listener, _reportWrite, start, _o.ChildLifeMs).Run();
            return;   // not reached
        }
        if (result.Failed)
        {
            _forkFailures++;
            Console.Error.WriteLine($"forkstress: {result.Error}");
            return;
        }
        _forkMs.Add((Stopwatch.GetTimestamp() - start) * 1000.0 / Stopwatch.Frequency);
        _spawned++;
        long deadline = Stopwatch.GetTimestamp() + (long)(((_o.ChildLifeMs / 1000.0) + _o.HangSeconds) * Stopwatch.Frequency);
        _alive[result.Pid] = (deadline, false);
        if (!_loop.Host.WatchChild(result.Pid))
            Console.Error.WriteLine($"forkstress: cannot watch child {result.Pid}");
        if (_o.Verbose) Console.Error.WriteLine($"forkstress: spawned {result.Pid}");
    }

    private void OnChildExit(int pid, int status)
    {
        if (!_alive.Remove(pid, out var info)) return;
        if (info.Hung) _hung++;
        else if ((status & 0x7f) == 0 && ((status >> 8) & 0xff) == 0) _ok++;
        else
        {
            _crashed++;
            Console.Error.WriteLine((status & 0x7f) != 0
                ? $"forkstress: child {pid} killed by signal {status & 0x7f}{((status & 0x80) != 0 ? " (core dumped)" : "")}"
                : $"forkstress: child {pid} exited with {(status >> 8) & 0xff}");
        }
    }

    private void OnAnswered(ClientConnection c, bool answered)
    {
        _clients.Remove(c);
        if (answered) _answered++;
        else if (!_stopping) _dropped++;
    }

    private static (long Requests, long Gcs, long Gen2, long Exceptions, long Jitted, List<double> AcceptUs) Sum(List<string> lines)
    {
        long req = 0, gcs = 0, gen2 = 0, exc = 0, jit = 0;
        var accept = new List<double>();
        foreach (string line in lines)
        {
            if (!line.StartsWith("CHILD ", StringComparison.Ordinal)) continue;
            foreach (string part in line.Split(' '))
            {
                int eq = part.IndexOf('=');
                if (eq < 0) continue;
                long v = long.Parse(part[(eq + 1)..], CultureInfo.InvariantCulture);
                switch (part[..eq])
                {
                    case "requests": req += v; break;
                    case "gcs": gcs += v; break;
                    case "gen2": gen2 += v; break;
                    case "exceptions": exc += v; break;
                    case "jitted": jit += v; break;
                    case "accept_us" when v >= 0: accept.Add(v); break;
                }
            }
        }
        return (req, gcs, gen2, exc, jit, accept);
    }
}
