using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using PoeSharp.Loop;
using PoeSharp.Os;

namespace PoeSharp.ForkStress;

/// <summary>
/// A stress child: accepts and answers on the shared listener, allocates, collects (gen2,
/// compacting), throws and catches (including hardware faults), JITs new generic code, then
/// reports its figures on the report pipe and ends with _exit.
/// </summary>
internal sealed class ChildWorker : IReadyHandler
{
    private readonly LoopHost _loop;
    private readonly Socket _listener;
    private readonly int _listenFd;
    private readonly int _reportFd;
    private readonly long _forkStart;
    private readonly int _lifeMs;
    private readonly Dictionary<int, Socket> _conns = new();
    private readonly byte[] _buffer = new byte[256];
    private readonly object?[] _retained = new object?[512];
    private readonly HashSet<int> _seen = new();
    private int _requests, _exceptions, _jitted;
    private long _acceptTicks = -1;
    private bool _listening;
    private int _pid;
    private int? _zero;
    private string? _nullString;

    public ChildWorker(LoopHost loop, Socket listener, int reportFd, long forkStart, int lifeMs)
    {
        _loop = loop;
        _listener = listener;
        _listenFd = (int)listener.Handle;
        _reportFd = reportFd;
        _forkStart = forkStart;
        _lifeMs = lifeMs;
        _zero = null;
        _nullString = null;
    }

    /// <summary>Runs the child to its end; never returns.</summary>
    public void Run()
    {
        _pid = _loop.Host.ProcessId;
        Trace("start");
        _loop.AfterForkInChild(fd => fd == _reportFd);
        Trace("afterfork");
        int gen2Before = GC.CollectionCount(2), gen0Before = GC.CollectionCount(0);
        _loop.Watch(_listenFd, IoMode.Read, this);
        _listening = true;
        var rnd = new Random();
        var life = Stopwatch.StartNew();
        int iteration = 0;
        while (true)
        {
            double left = _lifeMs - life.Elapsed.TotalMilliseconds;
            if (left <= 0 && _listening)
            {
                _loop.Unwatch(_listenFd, IoMode.Read);
                _listening = false;
            }
            if (!_listening && (_conns.Count == 0 || left < -2000)) break;
            _loop.RunOnce(TimeSpan.FromMilliseconds(Math.Clamp(left, 1, 5)));
            Trace("poll");
            Work(rnd, ++iteration);
        }
        foreach (var s in _conns.Values) s.Dispose();
        int status = _conns.Count == 0 ? 0 : 3;
        long acceptUs = _acceptTicks < 0 ? -1 : _acceptTicks * 1_000_000 / Stopwatch.Frequency;
        Native.WriteLine(_reportFd, string.Create(CultureInfo.InvariantCulture,
            $"CHILD {_pid} requests={_requests} gcs={GC.CollectionCount(0) - gen0Before} gen2={GC.CollectionCount(2) - gen2Before} exceptions={_exceptions} jitted={_jitted} accept_us={acceptUs}"));
        ForkSafety.Exit(status);
    }

    private static readonly bool Tracing = Environment.GetEnvironmentVariable("FORKSTRESS_TRACE") == "1";

    private static readonly bool NoAlloc = Environment.GetEnvironmentVariable("FORKSTRESS_NOALLOC") == "1";
    private static readonly bool NoJit = Environment.GetEnvironmentVariable("FORKSTRESS_NOJIT") == "1";

    private void Trace(string what)
    {
        if (Tracing) Native.WriteLine(2, $"child {_pid}: {what}");
    }

    public void OnReady(int fd, IoMode mode)
    {
        Trace("ready " + fd + " " + mode);
        if (fd == _listenFd)
        {
            Accept();
            return;
        }
        if (!_conns.TryGetValue(fd, out var conn)) return;
        int n;
        try
        {
            n = conn.Receive(_buffer);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
        {
            return;
        }
        catch (SocketException)
        {
            n = 0;
        }
        if (n > 0 && Array.IndexOf(_buffer, (byte)'\n', 0, n) < 0) return;   // the rest comes later
        if (n > 0)
        {
            _requests++;
            Trace("received");
            string reply = string.Create(CultureInfo.InvariantCulture, $"OK {_pid} {_requests}\n");
            conn.Send(Encoding.ASCII.GetBytes(reply));
        }
        Trace("replied");
        _loop.Unwatch(fd, IoMode.Read);
        _conns.Remove(fd);
        conn.Dispose();
        Trace("disposed");
    }

    private void Accept()
    {
        while (true)
        {
            Socket s;
            try
            {
                s = _listener.Accept();
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
            {
                _exceptions++;
                return;   // a sibling took it
            }
            Trace("accepted");
            if (_acceptTicks < 0) _acceptTicks = Stopwatch.GetTimestamp() - _forkStart;
            s.Blocking = false;
            Trace("nonblocking");
            int fd = (int)s.Handle;
            _conns[fd] = s;
            _loop.Watch(fd, IoMode.Read, this);
        }
    }

    private void Work(Random rnd, int iteration)
    {
        // Allocation with survivors, so collections promote and compact real data.
        for (int i = 0; i < (NoAlloc ? 0 : 20); i++)
        {
            object o = rnd.Next(4) switch
            {
                0 => new byte[rnd.Next(16, 16_000)],
                1 => new string('x', rnd.Next(1, 200)),
                2 => new List<int>(Enumerable.Range(0, rnd.Next(1, 100))),
                _ => new Dictionary<int, string> { [i] = i.ToString(CultureInfo.InvariantCulture) },
            };
            _retained[rnd.Next(_retained.Length)] = o;
        }
        Trace("alloc");
        if (iteration % 4 == 1) GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        Trace("throw");
        try
        {
            switch (iteration % 3)
            {
                case 0: throw new InvalidOperationException("managed throw " + iteration);
                case 1: _ = 10 / _zero!.Value; break;            // null Nullable: InvalidOperationException
                default: _ = _nullString!.Length; break;          // hardware fault: NullReferenceException
            }
        }
        catch (Exception)
        {
            _exceptions++;
        }
        try
        {
            int zero = iteration - iteration;
            _ = 100 / zero;                                       // hardware fault: DivideByZeroException
        }
        catch (DivideByZeroException)
        {
            _exceptions++;
        }
        Trace("jit");
        if (NoJit || iteration % 4 != 2) return;
        JitFodder.Instantiate(rnd, out bool fresh, _seen);
        if (fresh) _jitted++;
    }
}
