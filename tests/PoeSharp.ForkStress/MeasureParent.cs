using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using PoeSharp.Loop;
using PoeSharp.Os;

namespace PoeSharp.ForkStress;

/// <summary>
/// Fork latency and copy-on-write figures: forks children one at a time and times fork() and
/// fork-to-first-accept; then reads every idle child's PSS, asks each (SIGUSR1, through the
/// child's signalfd) for a full compacting GC, reads PSS again, and ends them with SIGTERM,
/// which must kill them (default action applied by the child's host) and be reported by pidfd.
/// </summary>
internal sealed class MeasureParent
{
    private readonly StressOptions _o;
    private readonly LoopHost _loop = new();

    public MeasureParent(StressOptions o) => _o = o;

    public int Run()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(64);
        listener.Blocking = false;
        var (r, w) = Native.Pipe();
        var reports = new ReportReader(r);
        _loop.Watch(r, IoMode.Read, reports);
        var exits = new Dictionary<int, int>();
        _loop.ChildExited = (pid, status) => exits[pid] = status;
        ForkSafety.WarmUp();
        // JIT the child's accept path in the parent, as a server would have.
        Roundtrip(listener, warm: true);
        // Its own child path is compiled here too, as a server's is (FORKSTRESS_PREJIT=0: not).
        if (Environment.GetEnvironmentVariable("FORKSTRESS_PREJIT") != "0") PreJit.Types(typeof(LoopHost), typeof(OneShotServer), typeof(MeasureParent), typeof(ReportReader));

        string burst = _o.Burst > 0 ? MeasureBurst(_o.Burst) : "";
        var forkMs = new List<double>();
        var checkMs = new List<double>();
        var quiesceSamples = new List<double>();
        var acceptMs = new List<double>();
        var childMs = new List<double>();
        var pids = new List<int>();
        bool ok = true;
        for (int i = 0; i < _o.Samples; i++)
        {
            // The request waits in the listen backlog, so the child's first accept measures the child alone.
            var client = Connect(listener);
            // The readiness check alone (Fork() runs it again; a cached verdict makes that free).
            long checkStart = Stopwatch.GetTimestamp();
            ForkSafety.ThrowIfNotReady();
            checkMs.Add((Stopwatch.GetTimestamp() - checkStart) * 1000.0 / Stopwatch.Frequency);
            long start = Stopwatch.GetTimestamp();
            var result = _loop.Host.Fork();
            if (result.IsChild) IdleChild(listener, w, start, Stopwatch.GetTimestamp());
            if (result.Failed)
            {
                Console.Error.WriteLine($"measure: {result.Error}");
                ok = false;
                break;
            }
            forkMs.Add((Stopwatch.GetTimestamp() - start) * 1000.0 / Stopwatch.Frequency);
            quiesceSamples.Add(_loop.Host.LastQuiesceSamples);
            pids.Add(result.Pid);
            _loop.Host.WatchChild(result.Pid);
            string reply = ReadReply(client);
            client.Dispose();
            var parts = reply.Split(' ');
            if (parts.Length < 4 || parts[0] != "OK") { ok = false; Console.Error.WriteLine($"measure: bad reply '{reply}'"); continue; }
            acceptMs.Add(long.Parse(parts[2], CultureInfo.InvariantCulture) / 1000.0);
            childMs.Add(long.Parse(parts[3], CultureInfo.InvariantCulture) / 1000.0);
        }

        Thread.Sleep(300);   // let the children settle into their idle poll
        int self = Native.GetPid();
        long parentRss = ProcScan.RollupKb(self, "Rss"), parentPss = ProcScan.RollupKb(self, "Pss");
        var idlePss = pids.Select(p => ProcScan.RollupKb(p, "Pss")).ToList();
        var idlePriv = pids.Select(p => ProcScan.RollupKb(p, "Private_Dirty")).ToList();

        foreach (int pid in pids) Native.Kill(pid, Signals.USR1);
        var sw = Stopwatch.StartNew();
        while (reports.Lines.Count(l => l.StartsWith("GCDONE", StringComparison.Ordinal)) < pids.Count && sw.Elapsed.TotalSeconds < _o.HangSeconds)
            _loop.RunOnce(TimeSpan.FromMilliseconds(50));
        int gcDone = reports.Lines.Count(l => l.StartsWith("GCDONE", StringComparison.Ordinal));
        long parentPssAfter = ProcScan.RollupKb(self, "Pss");
        var gcPss = pids.Select(p => ProcScan.RollupKb(p, "Pss")).ToList();

        foreach (int pid in pids) Native.Kill(pid, Signals.TERM);
        sw.Restart();
        while (exits.Count < pids.Count && sw.Elapsed.TotalSeconds < _o.HangSeconds) _loop.RunOnce(TimeSpan.FromMilliseconds(50));
        int termed = exits.Values.Count(s => (s & 0x7f) == Signals.TERM);
        foreach (int pid in pids.Where(p => !exits.ContainsKey(p))) Native.Kill(pid, Signals.KILL);
        var leftovers = ProcScan.ChildrenOf(self);
        ok &= (burst.Length == 0 || burst.Contains("burst_failures=0 burst_bad_exits=0", StringComparison.Ordinal)) && gcDone == pids.Count && termed == pids.Count && leftovers.Count == 0 && pids.Count == _o.Samples;

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"measure: samples={pids.Count} fork_ms_median={ProcScan.Percentile(forkMs, 50):F2} fork_ms_p95={ProcScan.Percentile(forkMs, 95):F2} fork_ms_p99={ProcScan.Percentile(forkMs, 99):F2} check_ms_median={ProcScan.Percentile(checkMs, 50):F3} quiesce_samples_avg={(quiesceSamples.Count == 0 ? 0 : quiesceSamples.Average()):F1} " +
            $"fork_to_accept_ms_median={ProcScan.Percentile(acceptMs, 50):F2} fork_to_accept_ms_p95={ProcScan.Percentile(acceptMs, 95):F2} " +
            $"child_return_to_accept_ms_median={ProcScan.Percentile(childMs, 50):F2} " +
            $"parent_rss_kb={parentRss} parent_pss_kb={parentPss} child_idle_pss_kb_avg={Avg(idlePss):F0} child_idle_private_dirty_kb_avg={Avg(idlePriv):F0} " +
            $"child_after_full_gc_pss_kb_avg={Avg(gcPss):F0} parent_pss_after_kb={parentPssAfter} total_pss_idle_kb={parentPss + idlePss.Sum()} " +
            $"total_pss_after_gc_kb={parentPssAfter + gcPss.Sum()} gc_done={gcDone} term_killed={termed} leftover_processes={leftovers.Count} " +
            $"{burst}result={(ok ? "PASS" : "FAIL")}"));
        _loop.Dispose();
        listener.Dispose();
        return ok ? 0 : 1;
    }

    private static readonly bool Tracing = Environment.GetEnvironmentVariable("FORKSTRESS_TRACE") == "1";

    private static void Mark(string what, long since)
    {
        if (Tracing) Native.WriteLine(2, string.Create(CultureInfo.InvariantCulture, $"{what}: {(Stopwatch.GetTimestamp() - since) * 1000.0 / Stopwatch.Frequency:F2} ms"));
    }

    /// <summary>
    /// A prefork loop's cost: <paramref name="n"/> forks in a row whose children exit at once,
    /// next to the bare clone() of this process (a raw fork() whose child calls _exit at once).
    /// </summary>
    private unsafe string MeasureBurst(int n)
    {
        var cloneMs = new List<double>();
        var burstMs = new List<double>();
        int collected = 0, failures = 0, bad = 0;
        for (int i = 0; i < n; i++)
        {
            long t = Stopwatch.GetTimestamp();
            int pid = Native.Fork();
            if (pid == 0) Native.ExitNow(0);
            cloneMs.Add((Stopwatch.GetTimestamp() - t) * 1000.0 / Stopwatch.Frequency);
            int status;
            if (pid < 0 || Native.WaitPid(pid, &status, 0) != pid || status != 0) bad++;
        }
        var pids = new List<int>();
        for (int i = 0; i < n; i++)
        {
            long t = Stopwatch.GetTimestamp();
            var r = _loop.Host.Fork();
            if (r.IsChild) ForkSafety.Exit(0);
            burstMs.Add((Stopwatch.GetTimestamp() - t) * 1000.0 / Stopwatch.Frequency);
            if (r.Failed) failures++;
            else pids.Add(r.Pid);
            if (_loop.Host.LastQuiesceSamples > 1) collected++;
        }
        foreach (int pid in pids)
        {
            int status;
            if (Native.WaitPid(pid, &status, 0) != pid || status != 0) bad++;
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"clone_ms_median={ProcScan.Percentile(cloneMs, 50):F2} clone_ms_p99={ProcScan.Percentile(cloneMs, 99):F2} " +
            $"burst_fork_ms_median={ProcScan.Percentile(burstMs, 50):F2} burst_fork_ms_p99={ProcScan.Percentile(burstMs, 99):F2} " +
            $"burst_multi_sample_quiesces={collected} burst_failures={failures} burst_bad_exits={bad} ");
    }

    private static double Avg(List<long> v) => v.Count == 0 ? double.NaN : v.Average();

    /// <summary>Connects, sends one request and reads the reply with blocking calls (the parent has no other work then).</summary>
    private static Socket Connect(Socket listener)
    {
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.ReceiveTimeout = 10_000;
        client.Connect(listener.LocalEndPoint!);
        client.Send("REQ\n"u8);
        return client;
    }

    private static string ReadReply(Socket client)
    {
        var reply = new byte[128];
        int n = 0;
        while (n == 0 || reply[n - 1] != '\n')
        {
            int got = client.Receive(reply, n, reply.Length - n, SocketFlags.None);
            if (got == 0) break;
            n += got;
        }
        return Encoding.ASCII.GetString(reply, 0, n).Trim();
    }

    private static string Roundtrip(Socket listener, bool warm)
    {
        using var client = Connect(listener);
        if (warm)
        {
            // Serve it ourselves once so Accept/Receive/Send are compiled before the first fork.
            Socket? s = null;
            while (s is null)
            {
                try { s = listener.Accept(); }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock) { Thread.Sleep(1); }
            }
            using (s)
            {
                var buf = new byte[64];
                s.Blocking = false;
                while (true)
                {
                    try { s.Receive(buf); break; }
                    catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock) { Thread.Sleep(1); }
                }
                s.Send(Encoding.ASCII.GetBytes("OK 0 0\n"));
            }
        }
        return ReadReply(client);
    }

    /// <summary>The measured child: answers one request with its fork-to-accept time, then idles until told otherwise.</summary>
    private void IdleChild(Socket listener, int reportFd, long forkStart, long childStart)
    {
        int pid = _loop.Host.ProcessId;
        Mark("child start", childStart);
        _loop.AfterForkInChild(_ => false);
        Mark("after fork rebuild", childStart);
        _loop.Host.WatchSignal("USR1");
        Mark("watch signal", childStart);
        _loop.SignalArrived = name =>
        {
            if (name != "USR1") return;
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            Native.WriteLine(reportFd, $"GCDONE {pid}");
        };
        var handler = new OneShotServer(_loop, listener, forkStart, childStart, pid);
        _loop.Watch((int)listener.Handle, IoMode.Read, handler);
        Mark("watching", childStart);
        while (true) _loop.RunOnce(Timeout.InfiniteTimeSpan);   // ends by SIGTERM (default action via the signalfd)
    }
}
