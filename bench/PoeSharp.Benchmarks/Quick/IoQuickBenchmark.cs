using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PoeSharp.Filters;
using PoeSharp.Os;
using PoeSharp.Wheels;

namespace PoeSharp.Benchmarks.Quick;

/// <summary>
/// I/O figures: a Line-filter echo server built from SocketFactoryWheel + ReadWriteWheel on the
/// real kernel and epoll loop, driven over loopback TCP by a plain blocking C# client on a
/// second thread; then the same client against POE 1.370's equivalent server
/// (bench/poe/echo_server.pl) in the same run. Also the accept batch size: a burst of pending
/// connections drained with 1 accept per readiness (POE) versus the default batch.
/// </summary>
/// <remarks>
/// <para><c>echo_roundtrips_per_s</c>: one connection, the client sends a 34-byte line and waits for
/// its echo. <c>echo_connections_per_s</c>: connect, one line, its echo, close. The client is
/// identical for both servers, so the ratio compares the servers.</para>
/// <para><c>echo_pair_*</c>: the same two protocols with the client written in the framework
/// too: server and client sessions in one kernel, one thread (PoeSharp), against one POE kernel
/// doing the same (bench/poe/echo_pair.pl) and the same protocol in bare system calls
/// (bench/native/echo_pair_ceiling.c, the ceiling), all in the same run.</para>
/// </remarks>
public sealed class IoQuickBenchmark : IQuickBenchmark
{
    private static readonly byte[] Line = "hello world, this is an echo line\n"u8.ToArray();
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(1);
    private const int Rounds = 3;
    private static readonly TimeSpan PairWarmUp = TimeSpan.FromSeconds(2);

    /// <inheritdoc />
    public int Order => 300;

    /// <inheritdoc />
    public void Run(QuickReport report)
    {
        var warm = TimeSpan.FromMilliseconds(300);
        WithPoeSharpServer(port => RoundTrips(port, warm));
        WithPoeSharpServer(port => Pipelined(port, warm));
        WithPoeSharpServer(port => Connections(port, warm));
        using var poe = PoeServer.Start(report);
        if (poe is not null)
        {
            RoundTrips(poe.Port, warm);
            Pipelined(poe.Port, warm);
        }

        // Best of three, PoeSharp and POE runs interleaved so both see the same machine load.
        double rt = 0, cpuPerTrip = double.MaxValue, piped = 0, conns = 0;
        double poeRt = 0, poeCpuPerTrip = double.MaxValue, poePiped = 0, poeConns = 0;
        double cpuPerConn = double.MaxValue, poeCpuPerConn = double.MaxValue;
        for (int round = 0; round < Rounds; round++)
        {
            long trips = 0;
            rt = Math.Max(rt, WithPoeSharpServer(port => RoundTrips(port, Duration, out trips), out var cpu));
            cpuPerTrip = Math.Min(cpuPerTrip, cpu.TotalMicroseconds / trips);
            piped = Math.Max(piped, WithPoeSharpServer(port => Pipelined(port, Duration)));
            long made = 0;
            conns = Math.Max(conns, WithPoeSharpServer(port => Connections(port, Duration, out made), out var connCpu));
            cpuPerConn = Math.Min(cpuPerConn, connCpu.TotalMicroseconds / made);
            if (poe is null) continue;
            var poeCpu0 = ProcessCpuTime(poe.Pid);
            poeRt = Math.Max(poeRt, RoundTrips(poe.Port, Duration, out long poeTrips));
            poeCpuPerTrip = Math.Min(poeCpuPerTrip, (ProcessCpuTime(poe.Pid) - poeCpu0).TotalMicroseconds / poeTrips);
            poePiped = Math.Max(poePiped, Pipelined(poe.Port, Duration));
            poeCpu0 = ProcessCpuTime(poe.Pid);
            poeConns = Math.Max(poeConns, Connections(poe.Port, Duration, out long poeMade));
            poeCpuPerConn = Math.Min(poeCpuPerConn, (ProcessCpuTime(poe.Pid) - poeCpu0).TotalMicroseconds / poeMade);
        }

        report.Figure("echo_roundtrips_per_s", rt, "roundtrips/s");
        report.Figure("echo_server_cpu_us_per_roundtrip", cpuPerTrip, "us");
        report.Figure("echo_pipelined_lines_per_s", piped, "lines/s");
        report.Figure("echo_connections_per_s", conns, "connections/s");
        report.Figure("echo_server_cpu_us_per_connection", cpuPerConn, "us");
        if (poe is not null)
        {
            report.Figure("poe_echo_roundtrips_per_s", poeRt, "roundtrips/s");
            report.Figure("echo_roundtrip_ratio_vs_poe", rt / poeRt, "x");
            report.Figure("poe_echo_server_cpu_us_per_roundtrip", poeCpuPerTrip, "us");
            report.Figure("echo_server_cpu_ratio_vs_poe", poeCpuPerTrip / cpuPerTrip, "x");
            report.Figure("poe_echo_pipelined_lines_per_s", poePiped, "lines/s");
            report.Figure("echo_pipelined_ratio_vs_poe", piped / poePiped, "x");
            report.Figure("poe_echo_connections_per_s", poeConns, "connections/s");
            report.Figure("echo_connections_ratio_vs_poe", conns / poeConns, "x");
            report.Figure("poe_echo_server_cpu_us_per_connection", poeCpuPerConn, "us");
            report.Figure("echo_server_cpu_per_connection_ratio_vs_poe", poeCpuPerConn / cpuPerConn, "x");
        }

        PairFigures(report);

        foreach (int batch in new[] { 1, SocketFactoryOptions.DefaultMaxAcceptsPerReady })
        {
            AcceptBurst(200, batch);
            var wall = new List<double>();
            var cpu = new List<double>();
            for (int i = 0; i < 9; i++)
            {
                var (w, c) = AcceptBurst(1000, batch);
                wall.Add(w);
                cpu.Add(c);
            }
            wall.Sort();
            cpu.Sort();
            report.Figure($"accept_burst_us_per_conn_batch{batch}", wall[wall.Count / 2], "us");
            report.Figure($"accept_burst_cpu_us_per_conn_batch{batch}", cpu[cpu.Count / 2], "us");
        }
    }

    /// <summary>
    /// The echo pair: client and server both written with the framework, in one process and one
    /// kernel (PoeSharp) or one POE kernel (bench/poe/echo_pair.pl), best of three interleaved runs;
    /// and, when a C compiler is there, the same protocol in bare system calls
    /// (bench/native/echo_pair_ceiling.c): the ceiling any framework's figure is bounded by.
    /// </summary>
    private static void PairFigures(QuickReport report)
    {
        // Steady state: after 0.3 s the hot paths still run tier-0 and instrumented (PGO) code,
        // and a 1-second run then measured 30-55% fewer round trips than with the JIT's final
        // code. POE has no JIT to warm, so PoeSharp is warmed for 2 s per mode first.
        EchoPair(PairMode.RoundTrips, PairWarmUp);
        EchoPair(PairMode.Connections, PairWarmUp);
        string? script = FindBenchFile("poe", "echo_pair.pl");
        if (script is null) report.Note("POE echo pair skipped: bench/poe/echo_pair.pl not found");
        string? ceiling = BuildCeiling(report);
        PairResult rt = default, conns = default, poeRt = default, poeConns = default, cRt = default, cConns = default;
        try
        {
            for (int round = 0; round < Rounds; round++)
            {
                rt = PairResult.Best(rt, EchoPair(PairMode.RoundTrips, Duration));
                if (script is not null) poeRt = PairResult.Best(poeRt, PeerPair("perl", [script], PairMode.RoundTrips, report));
                if (ceiling is not null) cRt = PairResult.Best(cRt, PeerPair(ceiling, [], PairMode.RoundTrips, report));
                conns = PairResult.Best(conns, EchoPair(PairMode.Connections, Duration));
                if (script is not null) poeConns = PairResult.Best(poeConns, PeerPair("perl", [script], PairMode.Connections, report));
                if (ceiling is not null) cConns = PairResult.Best(cConns, PeerPair(ceiling, [], PairMode.Connections, report));
            }
        }
        finally
        {
            if (ceiling is not null) File.Delete(ceiling);
        }

        report.Figure("echo_pair_roundtrips_per_s", rt.PerSecond, "roundtrips/s");
        report.Figure("echo_pair_bytes_allocated_per_roundtrip", rt.BytesPerItem, "bytes");
        report.Figure("echo_pair_connections_per_s", conns.PerSecond, "connections/s");
        report.Figure("echo_pair_bytes_allocated_per_connection", conns.BytesPerItem, "bytes");
        if (poeRt.Count > 0)
        {
            report.Figure("poe_echo_pair_roundtrips_per_s", poeRt.PerSecond, "roundtrips/s");
            report.Figure("echo_pair_roundtrips_ratio_vs_poe", rt.PerSecond / poeRt.PerSecond, "x");
        }
        if (poeConns.Count > 0)
        {
            report.Figure("poe_echo_pair_connections_per_s", poeConns.PerSecond, "connections/s");
            report.Figure("echo_pair_connections_ratio_vs_poe", conns.PerSecond / poeConns.PerSecond, "x");
        }
        if (cRt.Count > 0)
        {
            report.Figure("c_echo_pair_roundtrips_per_s", cRt.PerSecond, "roundtrips/s");
            report.Figure("echo_pair_roundtrips_fraction_of_c", rt.PerSecond / cRt.PerSecond, "x");
            if (poeRt.Count > 0) report.Figure("c_echo_pair_roundtrips_ratio_vs_poe", cRt.PerSecond / poeRt.PerSecond, "x");
        }
        if (cConns.Count > 0)
        {
            report.Figure("c_echo_pair_connections_per_s", cConns.PerSecond, "connections/s");
            report.Figure("echo_pair_connections_fraction_of_c", conns.PerSecond / cConns.PerSecond, "x");
            if (poeConns.Count > 0) report.Figure("c_echo_pair_connections_ratio_vs_poe", cConns.PerSecond / poeConns.PerSecond, "x");
        }
    }

    /// <summary>Compiles bench/native/echo_pair_ceiling.c with cc into a temporary file; null (and a note) when it cannot.</summary>
    private static string? BuildCeiling(QuickReport report)
    {
        string? source = FindBenchFile("native", "echo_pair_ceiling.c");
        if (source is null)
        {
            report.Note("C echo pair skipped: bench/native/echo_pair_ceiling.c not found");
            return null;
        }
        string binary = Path.Combine(Path.GetTempPath(), $"poesharp-echo-pair-ceiling-{Environment.ProcessId}");
        try
        {
            using var cc = Process.Start(new ProcessStartInfo("cc", ["-O2", "-o", binary, source]) { RedirectStandardError = true })!;
            string err = cc.StandardError.ReadToEnd();
            cc.WaitForExit();
            if (cc.ExitCode == 0) return binary;
            report.Note($"C echo pair skipped: cc exited {cc.ExitCode}: {err.Trim()}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            report.Note("C echo pair skipped: no C compiler: " + e.Message);
        }
        return null;
    }

    private enum PairMode { RoundTrips, Connections }

    /// <summary>One run of an echo pair: how many round trips (or connections), in how long, allocating how much.</summary>
    private readonly record struct PairResult(long Count, double Seconds, double BytesPerItem)
    {
        public double PerSecond => Seconds > 0 ? Count / Seconds : 0;

        /// <summary>The faster run; the allocation figure is the lower of the two (steady state).</summary>
        public static PairResult Best(PairResult a, PairResult b)
        {
            var best = a.PerSecond >= b.PerSecond ? a : b;
            double bytes = a.Count == 0 ? b.BytesPerItem : b.Count == 0 ? a.BytesPerItem : Math.Min(a.BytesPerItem, b.BytesPerItem);
            return best with { BytesPerItem = bytes };
        }
    }

    /// <summary>
    /// A line of 32 characters; the Line filter appends "\r\n" (POE's default too): 34 bytes on the wire.
    /// </summary>
    private const string PairLine = "hello world, this is a ping line";

    private sealed class PairClientHeap
    {
        public required PairMode Mode;
        public required int Port;
        public required TimeSpan Duration;
        public SocketFactoryWheel? Connector;
        public ReadWriteWheel? Server;
        public long Start;
        public long End;
        public long Count;
        public long Allocated0;
        public PairResult Result;
    }

    /// <summary>
    /// The echo pair in PoeSharp: one kernel on the epoll loop runs the echo server session
    /// (as in <see cref="WithPoeSharpServer(Func{int, double}, out TimeSpan)"/>) and a client
    /// session (SocketFactoryWheel in client mode + ReadWriteWheel with the Line filter).
    /// Round trips: one connection, a line, its echo, the next line. Connections: connect, a
    /// line, its echo, close, repeat. Bytes allocated are counted from the first echo on.
    /// </summary>
    private static PairResult EchoPair(PairMode mode, TimeSpan duration)
    {
        using var kernel = new Kernel();
        var server = new EchoHeap();
        CreateEchoServer(kernel, server);

        var client = new PairClientHeap { Mode = mode, Port = server.Listener!.BoundPort, Duration = duration };
        kernel.Create(client, s => s
            .On("_start", c =>
            {
                c.Heap.Start = Stopwatch.GetTimestamp();
                c.Heap.End = c.Heap.Start + (long)(c.Heap.Duration.TotalSeconds * Stopwatch.Frequency);
                PairConnect(c);
            })
            .On("connected", c =>
            {
                var h = c.Heap;
                h.Connector!.Dispose();
                h.Connector = null;
                h.Server = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
                {
                    Handle = c.Arg<FileDescriptor>(0), Filter = new LineFilter(), InputEvent = "echo", ErrorEvent = "failed",
                });
                h.Server.Put(PairLine);
            })
            .On("echo", c =>
            {
                var h = c.Heap;
                if (++h.Count == 1) h.Allocated0 = GC.GetAllocatedBytesForCurrentThread();
                long now = Stopwatch.GetTimestamp();
                if (h.Mode == PairMode.Connections)
                {
                    h.Server!.Dispose();
                    h.Server = null;
                    if (now < h.End)
                    {
                        PairConnect(c);
                        return;
                    }
                }
                else if (now < h.End)
                {
                    h.Server!.Put(PairLine);
                    return;
                }
                long allocated = GC.GetAllocatedBytesForCurrentThread() - h.Allocated0;
                h.Server?.Dispose();
                h.Server = null;
                h.Result = new PairResult(h.Count, (double)(now - h.Start) / Stopwatch.Frequency,
                                          h.Count > 1 ? (double)allocated / (h.Count - 1) : 0);
                c.Kernel.Post("server", "shutdown");
            })
            .On("failed", c => throw new InvalidOperationException($"client {c[0]} failed: {c[2]}")));
        kernel.Run();
        return client.Result;
    }

    private static void PairConnect(EventContext<PairClientHeap> c) =>
        c.Heap.Connector = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
        {
            RemoteAddress = "127.0.0.1", RemotePort = c.Heap.Port, SuccessEvent = "connected", FailureEvent = "failed",
        });

    /// <summary>
    /// One run of a peer that prints "MODE COUNT SECONDS": bench/poe/echo_pair.pl under perl
    /// (POE 1.370) or the C ceiling; a zero result (and a note) when it fails.
    /// </summary>
    private static PairResult PeerPair(string program, string[] args, PairMode mode, QuickReport report)
    {
        string name = mode == PairMode.RoundTrips ? "roundtrips" : "connections";
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var psi = new ProcessStartInfo(program, [.. args, name, Duration.TotalSeconds.ToString(inv)])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        try
        {
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            string output = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            var fields = output.Trim().Split(' ');
            if (p.ExitCode != 0 || fields.Length != 3 || fields[0] != name)
            {
                report.Note($"{Path.GetFileName(args.Length > 0 ? args[0] : program)} {name} failed: exit {p.ExitCode}: {output.Trim()} {stderr.Result.Trim()}");
                return default;
            }
            return new PairResult(long.Parse(fields[1], inv), double.Parse(fields[2], inv), double.NaN);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            report.Note($"{program} not runnable: {e.Message}");
            return default;
        }
    }

    private static string? FindBenchFile(string folder, string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "bench", folder, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private sealed class EchoHeap
    {
        public SocketFactoryWheel? Listener;
        public readonly Dictionary<int, ReadWriteWheel> Clients = [];
    }

    /// <summary>CPU time (user + system) of the calling thread, from getrusage(RUSAGE_THREAD).</summary>
    private static TimeSpan ThreadCpuTime()
    {
        var usage = new long[18]; // struct rusage: two timevals, then 14 longs
        if (GetRUsage(1, usage) != 0) return TimeSpan.Zero;
        long micros = usage[0] * 1_000_000 + usage[1] + usage[2] * 1_000_000 + usage[3];
        return TimeSpan.FromMicroseconds(micros);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "getrusage")]
    private static extern int GetRUsage(int who, [System.Runtime.InteropServices.Out] long[] usage);

    /// <summary>CPU time (user + system) of process <paramref name="pid"/>, from /proc/pid/stat.</summary>
    private static TimeSpan ProcessCpuTime(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture)
                   + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
    }

    /// <summary>
    /// The Line-filter echo server session (alias "server"; post it "shutdown" to end it): one
    /// listening SocketFactoryWheel on 127.0.0.1 and one ReadWriteWheel per connection.
    /// </summary>
    private static void CreateEchoServer(Kernel kernel, EchoHeap heap) =>
        kernel.Create(heap, s => s
            .On("_start", c =>
            {
                c.Kernel.AliasSet("server");
                c.Heap.Listener = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
                {
                    BindAddress = "127.0.0.1", Reuse = true, SuccessEvent = "accepted", FailureEvent = "failed",
                });
            })
            .On("accepted", c =>
            {
                var wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
                {
                    Handle = c.Arg<FileDescriptor>(0), Filter = new LineFilter(), InputEvent = "input", ErrorEvent = "error",
                });
                c.Heap.Clients[wheel.Id] = wheel;
            })
            // A statement body: an expression lambda would return Put's bool, boxed per line.
            .On("input", c => { c.Heap.Clients[c.Arg<int>(1)].Put(c[0]!); })
            .On("error", c =>
            {
                if (c.Heap.Clients.Remove(c.Arg<int>(3), out var wheel)) wheel.Dispose();
            })
            .On("failed", c => throw new InvalidOperationException($"{c[0]} failed: {c[2]}"))
            .On("shutdown", c =>
            {
                c.Heap.Listener!.Dispose();
                foreach (var wheel in c.Heap.Clients.Values) wheel.Dispose();
                c.Heap.Clients.Clear();
                c.Kernel.AliasRemove("server");
            }));

    /// <summary>Runs the PoeSharp echo server on this thread while <paramref name="client"/> runs on another.</summary>
    private static double WithPoeSharpServer(Func<int, double> client) => WithPoeSharpServer(client, out _);

    /// <summary>As above; <paramref name="serverCpu"/> is the CPU time the server's thread used.</summary>
    private static double WithPoeSharpServer(Func<int, double> client, out TimeSpan serverCpu)
    {
        using var kernel = new Kernel();
        var heap = new EchoHeap();
        CreateEchoServer(kernel, heap);
        int port = heap.Listener!.BoundPort;
        double result = 0;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = client(port);
            }
            catch (Exception ex)
            {
                failure = ex;
            }
            kernel.PostFromAnyThread("server", "shutdown");
        }) { IsBackground = true, Name = "echo client" };
        var cpu0 = ThreadCpuTime();
        thread.Start();
        kernel.Run();
        serverCpu = ThreadCpuTime() - cpu0;
        thread.Join();
        if (failure is not null) throw new InvalidOperationException("echo client failed", failure);
        return result;
    }

    /// <summary>Round trips per second on one connection.</summary>
    private static double RoundTrips(int port, TimeSpan duration) => RoundTrips(port, duration, out _);

    /// <summary>Round trips per second on one connection; <paramref name="count"/> = how many.</summary>
    private static double RoundTrips(int port, TimeSpan duration, out long count)
    {
        using var socket = Connect(port);
        var buffer = new byte[4096];
        count = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < duration)
        {
            for (int i = 0; i < 100; i++)
            {
                socket.Send(Line);
                ReadLine(socket, buffer);
            }
            count += 100;
        }
        return count / sw.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Echoed lines per second on one connection with <paramref name="window"/> lines in flight:
    /// the client sends a new line for every echo it receives, so the server sees several lines
    /// per read (throughput, where the ping-pong figure measures latency).
    /// </summary>
    private static double Pipelined(int port, TimeSpan duration, int window = 64)
    {
        using var socket = Connect(port);
        var batch = new byte[Line.Length * window];
        for (int i = 0; i < window; i++) Line.CopyTo(batch, i * Line.Length);
        var buffer = new byte[64 * 1024];
        socket.Send(batch);
        long echoed = 0;
        int inFlight = window;
        var sw = Stopwatch.StartNew();
        while (inFlight > 0)
        {
            int n = socket.Receive(buffer);
            if (n == 0) throw new InvalidOperationException("the server closed the connection");
            int lines = buffer.AsSpan(0, n).Count((byte)'\n');
            echoed += lines;
            inFlight -= lines;
            if (lines > 0 && sw.Elapsed < duration)
            {
                socket.Send(batch, 0, lines * Line.Length, SocketFlags.None);
                inFlight += lines;
            }
        }
        return echoed / sw.Elapsed.TotalSeconds;
    }

    /// <summary>Connections per second, each: connect, one line, its echo, close.</summary>
    private static double Connections(int port, TimeSpan duration) => Connections(port, duration, out _);

    /// <summary>As above; <paramref name="count"/> = how many connections were made.</summary>
    private static double Connections(int port, TimeSpan duration, out long count)
    {
        var buffer = new byte[4096];
        count = 0;
        var sw = Stopwatch.StartNew();
        // Bounded, so TIME_WAIT sockets cannot exhaust the ephemeral ports.
        while (sw.Elapsed < duration && count < 20_000)
        {
            using var socket = Connect(port);
            socket.Send(Line);
            ReadLine(socket, buffer);
            count++;
        }
        return count / sw.Elapsed.TotalSeconds;
    }

    private static Socket Connect(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(IPAddress.Loopback, port);
        return socket;
    }

    private static void ReadLine(Socket socket, byte[] buffer)
    {
        int total = 0;
        while (true)
        {
            int n = socket.Receive(buffer, total, buffer.Length - total, SocketFlags.None);
            if (n == 0) throw new InvalidOperationException("the server closed the connection");
            total += n;
            if (buffer.AsSpan(0, total).IndexOf((byte)'\n') >= 0) return;
        }
    }

    private sealed class BurstHeap
    {
        public SocketFactoryWheel? Listener;
        public readonly List<FileDescriptor> Pending = [];
        public int Accepted;
        public int Target;
        public TimeSpan Start;
        public long WallStart;
        public double CpuPerConnection;
        public double WallPerConnection;
    }

    /// <summary>
    /// Wall-clock and server-thread CPU microseconds per connection accepted (and closed) from a
    /// backlog of <paramref name="count"/> pending connections, <paramref name="batch"/> accepts
    /// per readiness (POE: 1).
    /// </summary>
    private static (double Wall, double Cpu) AcceptBurst(int count, int batch)
    {
        using var kernel = new Kernel();
        var heap = new BurstHeap { Target = count };
        kernel.Create(heap, s => s
            .On("_start", c =>
            {
                var h = c.Heap;
                h.Listener = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
                {
                    BindAddress = "127.0.0.1", Reuse = true, MaxAcceptsPerReady = batch,
                    SuccessEvent = "accepted", FailureEvent = "failed",
                });
                var target = SocketEndPoint.Inet(IPAddress.Loopback, h.Listener.BoundPort);
                for (int i = 0; i < h.Target; i++)
                {
                    var fd = PosixSocket.Socket(AddressFamily.InterNetwork).Value;
                    PosixSocket.Connect(fd, target);
                    h.Pending.Add(fd);
                }
                h.Start = ThreadCpuTime();
                h.WallStart = Stopwatch.GetTimestamp();
            })
            .On("accepted", c =>
            {
                var h = c.Heap;
                c.Arg<FileDescriptor>(0).Dispose();
                if (++h.Accepted < h.Target) return;
                h.CpuPerConnection = (ThreadCpuTime() - h.Start).TotalMicroseconds / h.Target;
                h.WallPerConnection = Stopwatch.GetElapsedTime(h.WallStart).TotalMicroseconds / h.Target;
                h.Listener!.Dispose();
                foreach (var fd in h.Pending) fd.Dispose();
            })
            .On("failed", c => throw new InvalidOperationException($"{c[0]} failed: {c[2]}")));
        kernel.Run();
        return (heap.WallPerConnection, heap.CpuPerConnection);
    }

    /// <summary>The POE 1.370 echo server as a child process, stopped by closing its stdin (then by its pid).</summary>
    private sealed class PoeServer : IDisposable
    {
        private readonly Process _process;

        private PoeServer(Process process, int port)
        {
            _process = process;
            Port = port;
        }

        public int Port { get; }

        public int Pid => _process.Id;

        public static PoeServer? Start(QuickReport report)
        {
            string? script = FindScript();
            if (script is null)
            {
                report.Note("POE peer skipped: bench/poe/echo_server.pl not found");
                return null;
            }
            try
            {
                var psi = new ProcessStartInfo("perl", [script])
                {
                    RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
                };
                var p = Process.Start(psi)!;
                string? line = p.StandardOutput.ReadLine();
                if (line is null || !line.StartsWith("port ", StringComparison.Ordinal))
                {
                    string err = p.StandardError.ReadToEnd();
                    p.WaitForExit();
                    report.Note($"POE peer skipped: perl exited {p.ExitCode}: {err.Trim()}");
                    p.Dispose();
                    return null;
                }
                return new PoeServer(p, int.Parse(line[5..], System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                report.Note("POE peer skipped: perl not runnable: " + e.Message);
                return null;
            }
        }

        public void Dispose()
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(5000)) _process.Kill(); // our own child, by its pid
            _process.WaitForExit();
            _process.Dispose();
        }

        private static string? FindScript()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "bench", "poe", "echo_server.pl");
                if (File.Exists(candidate)) return candidate;
            }
            return null;
        }
    }
}
