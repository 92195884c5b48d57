using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace PoeSharp.Integration.Tests.Support;

/// <summary>
/// A real HAProxy in front of a backend port, run in the foreground (<c>-db</c>) from a config in a
/// temporary folder. It logs one line per request (or per rejected connection) on stdout, which
/// this class keeps, so a test knows what the proxy forwarded and what it stopped.
/// </summary>
internal sealed partial class HaproxyProcess : IDisposable
{
    private readonly Process _process;
    private readonly string _dir;
    private readonly ConcurrentQueue<string> _lines = new();

    private HaproxyProcess(Process process, string dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    /// <summary>The frontend port on 127.0.0.1.</summary>
    public int Port { get; }

    public int Pid => _process.Id;

    /// <summary>The parsed request log lines so far, in the order HAProxy wrote them.</summary>
    public List<HaproxyLogLine> Log() => LogSince(0);

    /// <summary>How many lines HAProxy has written so far: a mark for <see cref="LogSince"/>.</summary>
    public int LineCount => _lines.Count;

    /// <summary>The parsed request log lines written after the first <paramref name="mark"/> lines (a <see cref="LineCount"/>).</summary>
    public List<HaproxyLogLine> LogSince(int mark) => _lines.Skip(mark).Select(HaproxyLogLine.TryParse).OfType<HaproxyLogLine>().ToList();

    public string Output => string.Join('\n', _lines);

    /// <summary>
    /// The haproxy executable. When it is missing and the tests run as root on a Debian-like system,
    /// it is installed with apt-get (the suite's setup stays one command); otherwise the test fails
    /// with a message that says how to install it.
    /// </summary>
    public static string EnsureInstalled()
    {
        if (Find() is string found) return found;
        if (geteuid() != 0 || Find("apt-get") is null)
        {
            Assert.Fail("haproxy is not installed, and the tests cannot install it (that needs root and apt-get). " +
                        "Install it with `sudo apt-get install -y haproxy`, or run the tests as root.");
        }
        string log = Run("apt-get", "update", "-qq") + Run("apt-get", "install", "-y", "-qq", "haproxy");
        return Find() ?? throw new InvalidOperationException("apt-get install haproxy did not provide haproxy:\n" + log);
    }

    /// <summary>
    /// Starts haproxy on a free port in front of <paramref name="backendPort"/>. HAProxy cannot bind
    /// port 0, so a free port is found by binding one and closing it; if another process takes it in
    /// between, haproxy fails to bind and exits, and another port is tried.
    /// </summary>
    public static HaproxyProcess Start(string executable, int backendPort, string backendOptions) =>
        StartWithConfig(executable, port => Config(port, backendPort, backendOptions));

    /// <summary>
    /// Starts haproxy with the configuration <paramref name="config"/> makes for a free frontend
    /// port (its argument), on 127.0.0.1; tried again on another port if that one was taken.
    /// </summary>
    public static HaproxyProcess StartWithConfig(string executable, Func<int, string> config)
    {
        for (int attempt = 1; ; attempt++)
        {
            int port = FreePort();
            string dir = Directory.CreateTempSubdirectory("poesharp-haproxy-").FullName;
            string configFile = Path.Combine(dir, "haproxy.cfg");
            File.WriteAllText(configFile, config(port));
            var psi = new ProcessStartInfo(executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string a in (string[])["-db", "-f", configFile]) psi.ArgumentList.Add(a);
            var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start haproxy.");
            var proxy = new HaproxyProcess(process, dir, port);
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) proxy._lines.Enqueue(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) proxy._lines.Enqueue("stderr: " + e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (proxy.WaitListening(TimeSpan.FromSeconds(30))) return proxy;
            string output = proxy.Output;
            proxy.Dispose();
            if (attempt == 5) throw new InvalidOperationException($"haproxy did not start after {attempt} attempts:\n{output}");
        }
    }

    private static string Config(int port, int backendPort, string backendOptions) =>
        string.Create(CultureInfo.InvariantCulture, $$"""
            global
                nbthread 1
                log stdout format raw local0

            defaults
                mode http
                log global
                option dontlognull
                timeout connect 5s
                timeout client 10s
                timeout server 10s
                timeout http-request 10s

            frontend fe
                bind 127.0.0.1:{{port}}
                capture request header X-Vector-Id len 100
                log-format "request cp=%cp st=%ST srv=%s ts=%ts vid=%hr line=%{+Q}r"
                default_backend be

            backend be
                {{backendOptions}}
                server s1 127.0.0.1:{{backendPort}}

            """);

    /// <summary>Connects until the frontend answers; false when haproxy exited (a port taken under it).</summary>
    private bool WaitListening(TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            if (_process.HasExited) return false;
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                probe.Connect(new IPEndPoint(IPAddress.Loopback, Port));
                // Connected: to haproxy, unless it lost the port to another process and is exiting.
                return !_process.WaitForExit(100);
            }
            catch (SocketException)
            {
                Thread.Sleep(20);
            }
        }
        return false;
    }

    private static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    private static string? Find(string name = "haproxy")
    {
        // /usr/sbin is where Debian puts haproxy, and it is not on every user's PATH.
        IEnumerable<string> dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/local/sbin", "/usr/sbin", "/sbin"]);
        return dirs.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
    }

    private static string Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("Could not start " + program);
        var output = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            ProcessTree.Kill(p.Id, ProcessTree.SIGKILL);
            Assert.Fail($"{program} {string.Join(' ', args)} did not finish within 10 minutes:\n{output}");
        }
        p.WaitForExit();
        if (p.ExitCode != 0) Assert.Fail($"{program} {string.Join(' ', args)} failed with exit code {p.ExitCode} while installing haproxy:\n{output}");
        return output.ToString();
    }

    [LibraryImport("libc")]
    private static partial uint geteuid();

    /// <summary>Stops haproxy (by its pid) and removes its config folder.</summary>
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            ProcessTree.Kill(_process.Id, ProcessTree.SIGTERM);
            if (!_process.WaitForExit(10_000)) ProcessTree.Kill(_process.Id, ProcessTree.SIGKILL);
        }
        _process.WaitForExit();
        _process.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
