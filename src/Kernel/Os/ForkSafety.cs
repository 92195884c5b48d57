using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime;
using System.Runtime.CompilerServices;

namespace PoeSharp.Os;

/// <summary>
/// The rules a .NET process must follow to fork and keep running managed code in the child
/// (docs/FORK-SAFETY.md): the readiness check the kernel runs before every fork, the warm-up,
/// the signal-mask bootstrap, and a child-safe exit.
/// </summary>
/// <remarks>
/// PoeSharp.Kernel.props (brought by the packages to every executable, or imported by path with
/// <c>&lt;PoeSharpForkSafe&gt;true&lt;/PoeSharpForkSafe&gt;</c>) sets tiered compilation off,
/// concurrent and server GC off and W^X off, all in runtimeconfig.json. Environment variables (<c>DOTNET_</c>/<c>COMPlus_</c>) override it,
/// so the check reads both and, where the runtime exposes it, the effective state.
/// </remarks>
public static partial class ForkSafety
{
    private static bool s_warmedUp;
    private static bool s_ready;   // a positive ThrowIfNotReady verdict (never a negative one)
    private static volatile bool s_forkedChild;

    /// <summary>
    /// True in a process created by <c>fork()</c> from this runtime. <see cref="Environment.ProcessId"/>
    /// is cached on first use, so it keeps the parent's pid in a child; the host also marks its children.
    /// </summary>
    public static bool IsForkedChild => s_forkedChild || ProcessInterop.GetPid() != StartPid;

    /// <summary>The runtime's cached pid, read in the parent before any fork.</summary>
    private static int StartPid { get; } = Environment.ProcessId;

    /// <summary>
    /// Incremented in the forking process just before each <c>fork()</c> (so a child starts with the
    /// new value too). A descriptor this process made while the value was the same as now has no
    /// copy in another process (<see cref="FileDescriptor.IsProcessPrivate"/>).
    /// </summary>
    internal static int ForkEpoch => Volatile.Read(ref s_forkEpoch);

    private static int s_forkEpoch = 1;

    /// <summary>Called by the process host just before it forks, and by <see cref="PosixSpawn"/> just before it spawns (any thread).</summary>
    internal static void NoteFork() => Interlocked.Increment(ref s_forkEpoch);

    /// <summary>Called by the process host first thing in a child.</summary>
    internal static void MarkForkedChild()
    {
        s_forkedChild = true;
        ForkGeneration++;
    }

    /// <summary>
    /// Incremented in every child the process host forks, first thing after the fork. Code that
    /// caches per-process state compares it with the value it saw: an epoll loop that sees a new
    /// value knows its epoll instance is the parent's and rebuilds before touching it, and a
    /// wheel drops output the parent will write. (For releasing a session's resources in a child,
    /// register an <see cref="IForkAware"/> with <c>Kernel.AddForkAware</c> instead.)
    /// </summary>
    public static int ForkGeneration { get; private set; }

    /// <summary>Lists what stops this process from forking safely; allocates, so call it before the quiesce step.</summary>
    public static ForkReadiness Check()
    {
        var problems = new List<string>();
        var warnings = new List<string>();

        if (IsTestHost())
            problems.Add("This process is a test host: never fork inside it (children crash even with every setting). Start the forking program as a separate process.");

        if (RuntimeFeature.IsDynamicCodeSupported)
        {
            CheckFlag(problems, "TieredCompilation", "System.Runtime.TieredCompilation", defaultOn: true,
                "tiered compilation is on (its background JIT thread dies at fork)", "<TieredCompilation>false</TieredCompilation>");
            CheckFlag(problems, "EnableWriteXorExecute", "System.Runtime.EnableWriteXorExecute", defaultOn: true,
                "W^X is on (JIT code is mapped shared with the parent, so a child's JIT corrupts the parent)",
                "<RuntimeHostConfigurationOption Include=\"System.Runtime.EnableWriteXorExecute\" Value=\"false\" />");
            if (!problems.Any(p => p.Contains("W^X", StringComparison.Ordinal)) && HasDoubleMappedCode())
                problems.Add($"W^X is on (/proc/self/maps shows /memfd:doublemapper): {HowToGetSettings()}, and unset DOTNET_EnableWriteXorExecute.");
        }

        CheckFlag(problems, "gcConcurrent", "System.GC.Concurrent", defaultOn: true,
            "concurrent GC is on (its background GC thread dies at fork)", "<ConcurrentGarbageCollection>false</ConcurrentGarbageCollection>");
        if (!problems.Any(p => p.Contains("concurrent GC", StringComparison.Ordinal)) && GCSettings.LatencyMode != GCLatencyMode.Batch && !GCSettings.IsServerGC)
            problems.Add($"concurrent GC is effectively on (GC latency mode {GCSettings.LatencyMode}): {HowToGetSettings()}, and do not change GCSettings.LatencyMode.");
        CheckFlag(problems, "gcServer", "System.GC.Server", defaultOn: false,
            "server GC is on (its GC threads die at fork)", "<ServerGarbageCollection>false</ServerGarbageCollection>");
        if (!problems.Any(p => p.Contains("server GC", StringComparison.Ordinal)) && GCSettings.IsServerGC)
            problems.Add($"server GC is effectively on: {HowToGetSettings()} (or set <ServerGarbageCollection>false</ServerGarbageCollection>), and unset DOTNET_gcServer.");

        if (!SignalMaskBootstrap.IsActive)
            warnings.Add("OS signals are not blocked process-wide: call ForkSafety.EnsureSignalMask(args) first thing in Main so that signal watchers (TERM, INT, HUP, ...) receive them.");

        return new ForkReadiness(problems, warnings);
    }

    /// <summary>Throws when <see cref="Check"/> finds a problem; the message says exactly what to change.</summary>
    /// <remarks>
    /// A positive verdict is remembered: what <see cref="Check"/> reads (runtimeconfig, the
    /// environment the runtime read at start-up, the W^X mapping mode, the GC flavour) is fixed
    /// for the life of the process and inherited by a child, so later calls only re-read the one
    /// setting code can change while running, <see cref="GCSettings.LatencyMode"/> (a field read).
    /// Re-reading /proc/self/maps cost 0.4-12 ms per fork.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The process cannot fork safely.</exception>
    public static void ThrowIfNotReady()
    {
        if (s_ready && GCSettings.LatencyMode == GCLatencyMode.Batch) return;
        var readiness = Check();
        if (!readiness.IsReady)
            throw new InvalidOperationException("This process cannot fork safely: " + string.Join(" ", readiness.Problems) +
                                                " See docs/FORK-SAFETY.md in the PoeSharp repository.");
        s_ready = true;
    }

    /// <summary>
    /// Creates, once, the runtime's lazily started threads and caches (Console, the socket
    /// engine, the local time zone) so that a child never has to create them.
    /// </summary>
    public static void WarmUp()
    {
        if (s_warmedUp) return;
        _ = StartPid;   // caches Environment.ProcessId in the parent
        _ = ChildCost.Enabled;   // reads the environment in the parent
        Console.Out.Flush();
        Console.Error.Flush();
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            socket.Blocking = false;
        _ = TimeZoneInfo.Local;
        _ = DateTime.Now;
        s_warmedUp = true;
    }

    /// <summary>
    /// Ends the process with <paramref name="code"/>. In a forked child it flushes Console and calls
    /// <c>_exit</c>, because <see cref="Environment.Exit"/>, returning from Main and finalizers hang
    /// there; in an ordinary process it is <see cref="Environment.Exit"/>.
    /// </summary>
    [DoesNotReturn]
    public static void Exit(int code)
    {
        if (!IsForkedChild) Environment.Exit(code);
        ChildCost.AtChildExit(code);
        if (s_warmedUp)
        {
            try
            {
                Console.Out.Flush();
                Console.Error.Flush();
            }
            catch (IOException)
            {
                // A closed stdout must not stop the exit.
            }
        }
        ProcessInterop.Exit(code);
        throw new UnreachableException();
    }

    /// <summary>
    /// The signal-mask bootstrap: when the process has not done so yet, blocks HUP, INT, QUIT,
    /// TERM, USR1 and USR2 and re-executes itself with the same command line and environment, so
    /// every thread of the new runtime starts with them blocked and the event loop can read them
    /// from a signalfd. Call it first thing in Main. Returns true when the mask is in place; false
    /// (without re-executing) inside a test host or when exec failed. It costs one extra runtime
    /// start-up (about 130 ms).
    /// </summary>
    /// <param name="args">Main's arguments (only checked; the exact argv is read from /proc/self/cmdline).</param>
    public static bool EnsureSignalMask(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return SignalMaskBootstrap.Ensure();
    }

    /// <summary>True when the bootstrap's signal mask is in place in this process.</summary>
    public static bool SignalMaskActive => SignalMaskBootstrap.IsActive;

    /// <summary>
    /// The fix for missing runtime settings that fits how the program references PoeSharp, read
    /// from what PoeSharp.Kernel.props recorded in runtimeconfig.json.
    /// </summary>
    internal static string HowToGetSettings() =>
        HowToGetSettings(AppContext.GetData(ForkSafeSourceKey) as string, AppContext.GetData(ForkSafeKey) is not null);

    /// <summary>The name runtimeconfig.json gives to how PoeSharp.Kernel.props reached the program ("package" or "import").</summary>
    internal const string ForkSafeSourceKey = "PoeSharp.ForkSafe.Source";

    /// <summary>Present in runtimeconfig.json when PoeSharp.Kernel.props applied the settings.</summary>
    internal const string ForkSafeKey = "PoeSharp.ForkSafe";

    /// <summary>The fix for a given way of referencing PoeSharp (see <see cref="HowToGetSettings()"/>).</summary>
    /// <param name="source">"package" (a NuGet reference), "import" (the props imported by path), or null (neither).</param>
    /// <param name="applied">Whether the props applied the settings at build time.</param>
    internal static string HowToGetSettings(string? source, bool applied) => (source, applied) switch
    {
        ("package", false) =>
            "the program references PoeSharp's packages, which apply the fork-safe settings only to executables that are not test " +
            "projects; set <PoeSharpForkSafe>true</PoeSharpForkSafe> in the program's project (and remove any " +
            "<PoeSharpForkSafe>false</PoeSharpForkSafe>), then rebuild",
        ("package", true) or ("import", true) =>
            "the settings were applied at build time but something overrides them at run time: check the DOTNET_ and COMPlus_ " +
            "environment variables and the runtimeconfig.json next to the program",
        ("import", false) =>
            "the program imports PoeSharp.Kernel.props but did not turn the settings on: set " +
            "<PoeSharpForkSafe>true</PoeSharpForkSafe> in the program's project, then rebuild",
        _ =>
            "reference PoeSharp's NuGet packages (they bring the settings to every executable), or, when building against a " +
            "checkout with ProjectReference, import src/Kernel/build/PoeSharp.Kernel.props in the program's project and set " +
            "<PoeSharpForkSafe>true</PoeSharpForkSafe>",
    };

    internal static bool IsTestHost()
    {
        string? name = System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name;
        return name is not null && name.StartsWith("testhost", StringComparison.OrdinalIgnoreCase);
    }

    private static void CheckFlag(List<string> problems, string envName, string configName, bool defaultOn, string what, string msbuild)
    {
        foreach (string prefix in (ReadOnlySpan<string>)["DOTNET_", "COMPlus_"])
        {
            string? env = Environment.GetEnvironmentVariable(prefix + envName);
            if (env is null) continue;
            if (ParseClrFlag(env) != false)
                problems.Add($"{what}: unset {prefix}{envName} (it is '{env}') or set it to 0.");
            return;   // the environment wins over runtimeconfig.json
        }
        bool on = AppContext.GetData(configName) switch
        {
            bool b => b,
            string s when bool.TryParse(s, out bool b) => b,
            string s when int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) => i != 0,
            _ => defaultOn,
        };
        if (on)
            problems.Add($"{what}: {HowToGetSettings()} (or add {msbuild}).");
    }

    /// <summary>CLR config values from the environment are hexadecimal numbers.</summary>
    private static bool? ParseClrFlag(string value) =>
        uint.TryParse(value.Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint n) ? n != 0 : null;

    private static bool HasDoubleMappedCode()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/maps"))
                if (line.Contains("doublemapper", StringComparison.Ordinal)) return true;
        }
        catch (IOException)
        {
        }
        return false;
    }
}
