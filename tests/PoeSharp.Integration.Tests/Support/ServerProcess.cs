using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace PoeSharp.Integration.Tests.Support;

/// <summary>
/// An example server started as its own process in its own session and process group (through
/// setsid), so a test can signal the whole group without touching the test host. It keeps every
/// process of its tree it has seen (pid + start time), so leftovers, orphans included, can be
/// found and killed by pid.
/// </summary>
internal sealed partial class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly HashSet<ProcInfo> _seen = [];
    private readonly Lock _seenLock = new();
    private readonly Timer _sampler;
    private int _openStreams = 2;   // stdout and stderr, until their readers see the end

    private ServerProcess(Process process)
    {
        _process = process;
        _sampler = new Timer(_ => Sample(), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(25));
    }

    public int Pid => _process.Id;

    public int Port { get; private set; }

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Waits until the process has exited and its last output has been read (for a check of what a
    /// process that ends by itself printed); false on timeout. Not for a master whose successor
    /// inherited its output pipes: their end never comes while the successor runs.
    /// </summary>
    public bool WaitForExit(TimeSpan timeout) => Eventually(() => _process.HasExited, timeout) && ExitedWithOutputRead();

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the server wrote on stderr so far.</summary>
    public string[] StderrLines => [.. _stderr];

    public string Stderr => string.Join('\n', _stderr);

    public static string DllPath(string example) =>
        typeof(ServerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == example + "Dll").Value!;

    /// <summary>Starts <paramref name="example"/> (an example project's name, such as "PreforkHttpd") with <paramref name="args"/>.</summary>
    public static ServerProcess Start(string example, params string[] args) => Start(example, [], args);

    /// <summary>Starts <paramref name="example"/> with <paramref name="args"/> and extra <paramref name="environment"/> variables.</summary>
    public static ServerProcess Start(string example, (string Name, string Value)[] environment, params string[] args) =>
        Start(example, environment, descriptorLimit: null, args);

    /// <summary>As <see cref="Start(string, (string Name, string Value)[], string[])"/>; a <paramref name="descriptorLimit"/> runs the tree under that RLIMIT_NOFILE (prlimit).</summary>
    private static ServerProcess Start(string example, (string Name, string Value)[] environment, int? descriptorLimit, string[] args)
    {
        string dll = DllPath(example);
        if (!File.Exists(dll)) throw new FileNotFoundException($"Build {example} first; expected {dll}.");
        return StartProgram(dll, environment, descriptorLimit, args);
    }

    /// <summary>Starts the program <paramref name="dll"/> (run with <c>dotnet</c>) in a session of its own.</summary>
    public static ServerProcess StartProgram(string dll, (string Name, string Value)[] environment, int? descriptorLimit, string[] args) =>
        StartProgram(dll, environment, descriptorLimit, launcher: [], args);

    /// <summary>
    /// As <see cref="StartProgram(string, (string Name, string Value)[], int?, string[])"/>, started
    /// through <paramref name="launcher"/> (a program that execs the rest of its command line, such as
    /// <c>systemd-socket-activate</c>), so the pid stays the server's.
    /// </summary>
    public static ServerProcess StartProgram(string dll, (string Name, string Value)[] environment, int? descriptorLimit, string[] launcher, string[] args)
    {
        var psi = new ProcessStartInfo("setsid")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment) psi.Environment[name] = value;
        if (descriptorLimit is int limit)
        {
            // prlimit execs the program, so the pid stays the server's.
            psi.ArgumentList.Add("prlimit");
            psi.ArgumentList.Add(FormattableString.Invariant($"--nofile={limit}:{limit}"));
        }
        foreach (string a in launcher) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("dotnet");
        psi.ArgumentList.Add(dll);
        foreach (string a in args) psi.ArgumentList.Add(a);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start " + dll);
        var server = new ServerProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) server._stderr.Enqueue(e.Data);
            else Interlocked.Decrement(ref server._openStreams);
        };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null) server._stderr.Enqueue("stdout: " + e.Data);
            else Interlocked.Decrement(ref server._openStreams);
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return server;
    }

    /// <summary>Starts a server with <c>--port 0</c> and waits until it prints the port it listens on.</summary>
    public static ServerProcess StartListening(string example, params string[] args) => StartListening(example, [], args);

    /// <summary>As <see cref="StartListening(string, string[])"/>, with extra <paramref name="environment"/> variables.</summary>
    public static ServerProcess StartListening(string example, (string Name, string Value)[] environment, params string[] args) =>
        StartListening(example, environment, descriptorLimit: null, args);

    /// <summary>As <see cref="StartListening(string, string[])"/>, with at most <paramref name="descriptorLimit"/> open descriptors per process.</summary>
    public static ServerProcess StartListeningWithDescriptorLimit(string example, int descriptorLimit, params string[] args) =>
        StartListening(example, [], descriptorLimit, args);

    private static ServerProcess StartListening(string example, (string Name, string Value)[] environment, int? descriptorLimit, string[] args)
    {
        ServerProcess server = Start(example, environment, descriptorLimit, ["--port", "0", "--address", "127.0.0.1", .. args]);
        try
        {
            string line = server.WaitForLine(ListeningLine(), TimeSpan.FromSeconds(20));
            server.Port = int.Parse(ListeningLine().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);
        }
        catch
        {
            server.Dispose();
            throw;
        }
        return server;
    }

    [GeneratedRegex(@"has begun listening on port (\d+)")]
    internal static partial Regex ListeningLine();

    /// <summary>Waits for a stderr line matching <paramref name="pattern"/>; returns it.</summary>
    public string WaitForLine(Regex pattern, TimeSpan timeout, int skip = 0)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            // Read first: once the process has exited and both pipes are at their end, every line is in.
            bool drained = _process.HasExited && Volatile.Read(ref _openStreams) == 0;
            string? line = _stderr.Where(l => pattern.IsMatch(l)).Skip(skip).FirstOrDefault();
            if (line is not null) return line;
            if (drained)
                throw new InvalidOperationException($"The server exited ({_process.ExitCode}) before /{pattern}/. Stderr:\n{Tail()}");
            if (sw.Elapsed > timeout)
                throw new TimeoutException($"No line matching /{pattern}/ after {timeout.TotalSeconds} s. Stderr:\n{Tail()}");
            Thread.Sleep(20);
        }
    }

    /// <summary>Polls <paramref name="condition"/> until true or <paramref name="timeout"/>.</summary>
    public static bool Eventually(Func<bool> condition, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > timeout) return false;
            Thread.Sleep(20);
        }
        return true;
    }

    public int Count(Regex pattern) => _stderr.Count(l => pattern.IsMatch(l));

    public string Tail(int lines = 40) => string.Join('\n', _stderr.TakeLast(lines));

    /// <summary>The server's live descendants now (not the server itself).</summary>
    public List<ProcInfo> Children()
    {
        List<ProcInfo> tree = ProcessTree.Snapshot(Pid);
        Record(tree);
        return tree.Where(p => p.Pid != Pid).ToList();
    }

    /// <summary>Every process of the tree seen so far, alive or not.</summary>
    public ProcInfo[] Seen
    {
        get
        {
            lock (_seenLock) return [.. _seen];
        }
    }

    /// <summary>Processes of the tree that still exist (including zombies and orphans).</summary>
    public ProcInfo[] Alive() => Seen.Where(p => p.IsAlive).ToArray();

    public void Signal(int signal) => ProcessTree.Kill(Pid, signal);

    public void SignalGroup(int signal) => ProcessTree.Kill(-Pid, signal);

    /// <summary>Waits until every process ever seen in the tree is gone; false on timeout.</summary>
    public bool WaitAllGone(TimeSpan timeout)
    {
        Sample();
        return Eventually(() =>
        {
            Sample();
            // One snapshot: a process can die between two calls, and the second would be empty.
            ProcInfo[] alive = Alive();
            return alive.Length == 0 || (alive.Length == 1 && alive[0].Pid == Pid && _process.HasExited);
        }, timeout) && ExitedWithOutputRead();
    }

    /// <summary>
    /// WaitForExit(int) does not wait for the asynchronous stdout/stderr readers: the last lines
    /// may still be on their way. The overload without a timeout does; bounded here in case a
    /// process outside the tree still holds the pipes.
    /// </summary>
    private bool ExitedWithOutputRead() =>
        _process.WaitForExit(5000) && Task.Run(() => _process.WaitForExit()).Wait(TimeSpan.FromSeconds(30));

    private void Sample()
    {
        try
        {
            if (_process.HasExited) return;
            Record(ProcessTree.Snapshot(_process.Id));
        }
        catch (InvalidOperationException)
        {
        }
    }

    private void Record(List<ProcInfo> tree)
    {
        lock (_seenLock) _seen.UnionWith(tree);
    }

    /// <summary>
    /// Kills (SIGKILL, by pid) whatever of the tree is still alive and returns what it found, so a
    /// test can assert that nothing was left.
    /// </summary>
    public ProcInfo[] KillLeftovers()
    {
        Sample();
        ProcInfo[] left = Alive().Where(p => p.Pid != Pid || !_process.HasExited).ToArray();
        foreach (ProcInfo p in left) ProcessTree.Kill(p.Pid, ProcessTree.SIGKILL);
        if (left.Length > 0) Eventually(() => left.All(p => !p.IsAlive || p.IsZombie), TimeSpan.FromSeconds(30));
        return left;
    }

    public void Dispose()
    {
        _sampler.Dispose();
        KillLeftovers();
        if (!_process.WaitForExit(5000)) ProcessTree.Kill(_process.Id, ProcessTree.SIGKILL);
        _process.WaitForExit(5000);
        _process.Dispose();
    }
}
