using System.Text;

namespace PoeSharp.Os;

/// <summary>
/// Re-executes the process with HUP/INT/QUIT/TERM/USR1/USR2/TTIN/TTOU/WINCH blocked before the runtime starts
/// (the signal mask survives execve and every runtime thread inherits it), so those signals
/// wait for the event loop's signalfd instead of reaching the runtime's own handlers on some
/// other thread. SIGCHLD stays unblocked: System.Diagnostics.Process needs it, and PoeSharp
/// learns of child exits from pidfds.
/// </summary>
internal static unsafe class SignalMaskBootstrap
{
    /// <summary>Set in the re-executed process; guards against exec loops.</summary>
    internal const string MarkerVariable = "POESHARP_SIGNAL_MASK";

    /// <summary>The signals the bootstrap blocks.</summary>
    internal static ReadOnlySpan<int> BlockedSignals => [Signals.HUP, Signals.INT, Signals.QUIT, Signals.TERM, Signals.USR1, Signals.USR2, Signals.TTIN, Signals.TTOU, Signals.WINCH];

    /// <summary>True when the calling thread has every bootstrap signal blocked and the marker is set.</summary>
    internal static bool IsActive
    {
        get
        {
            if (Environment.GetEnvironmentVariable(MarkerVariable) is null) return false;
            SignalSet current;
            if (SignalInterop.PthreadSigmask(SignalInterop.SIG_BLOCK, null, &current) != 0) return false;
            foreach (int s in BlockedSignals)
                if (!current.Contains(s)) return false;
            return true;
        }
    }

    internal static bool Ensure()
    {
        if (Environment.GetEnvironmentVariable(MarkerVariable) is not null) return IsActive;
        if (ForkSafety.IsTestHost() || ForkSafety.IsForkedChild) return false;

        byte[] cmdline = File.ReadAllBytes("/proc/self/cmdline");
        byte[] environ = File.ReadAllBytes("/proc/self/environ");
        string? exe = ResolveExecutable();
        if (exe is null || cmdline.Length == 0) return false;

        var argv = Split(cmdline);
        var envp = Split(environ);
        AddStartupEnvironment(envp, AppContext.GetData(StartupEnvironmentKey) as string);
        envp.Add(Encoding.UTF8.GetBytes(MarkerVariable + "=1\0"));
        byte[] path = Encoding.UTF8.GetBytes(exe + "\0");
        DeleteDiagnosticSocket();

        var blocked = SignalSet.Of(BlockedSignals);
        SignalSet old;
        SignalInterop.PthreadSigmask(SignalInterop.SIG_BLOCK, &blocked, &old);

        var handles = new List<System.Runtime.InteropServices.GCHandle>();
        try
        {
            byte** argvPtr = stackalloc byte*[argv.Count + 1];
            byte** envPtr = stackalloc byte*[envp.Count + 1];
            for (int i = 0; i < argv.Count; i++) argvPtr[i] = Pin(argv[i], handles);
            for (int i = 0; i < envp.Count; i++) envPtr[i] = Pin(envp[i], handles);
            argvPtr[argv.Count] = null;
            envPtr[envp.Count] = null;
            byte* p = Pin(path, handles);
            ProcessInterop.Execve(p, argvPtr, envPtr);   // returns only on failure
        }
        finally
        {
            foreach (var h in handles) h.Free();
        }
        SignalInterop.PthreadSigmask(SignalInterop.SIG_SETMASK, &old, null);
        return false;
    }

    /// <summary>
    /// The runtimeconfig.json property whose <c>NAME=VALUE;NAME=VALUE</c> pairs the re-executed
    /// runtime finds in its environment: for runtime settings that runtimeconfig.json cannot carry
    /// (the GC's <c>GCgen0size</c> has no runtimeconfig name and is read from <c>DOTNET_GCgen0size</c> only).
    /// </summary>
    internal const string StartupEnvironmentKey = "PoeSharp.StartupEnvironment";

    /// <summary>
    /// Adds each <c>NAME=VALUE</c> of <paramref name="pairs"/> (separated by ';') to
    /// <paramref name="envp"/> (NUL-terminated entries) unless the environment already names it:
    /// what the user set wins.
    /// </summary>
    internal static void AddStartupEnvironment(List<byte[]> envp, string? pairs)
    {
        if (string.IsNullOrWhiteSpace(pairs)) return;
        foreach (string pair in pairs.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) continue;
            byte[] prefix = Encoding.UTF8.GetBytes(pair[..(eq + 1)]);
            if (envp.Exists(e => e.AsSpan().StartsWith(prefix))) continue;
            envp.Add(Encoding.UTF8.GetBytes(pair + "\0"));
        }
    }

    private static byte* Pin(byte[] bytes, List<System.Runtime.InteropServices.GCHandle> handles)
    {
        var h = System.Runtime.InteropServices.GCHandle.Alloc(bytes, System.Runtime.InteropServices.GCHandleType.Pinned);
        handles.Add(h);
        return (byte*)h.AddrOfPinnedObject();
    }

    /// <summary>The resolved executable (not /proc/self/exe, or ps would show "exe").</summary>
    private static string? ResolveExecutable()
    {
        try
        {
            return new FileInfo("/proc/self/exe").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>NUL-separated strings, each kept with its terminating NUL.</summary>
    private static List<byte[]> Split(byte[] data)
    {
        var parts = new List<byte[]>();
        int start = 0;
        for (int i = 0; i < data.Length; i++)
        {
            if (data[i] != 0) continue;
            parts.Add(data.AsSpan(start, i - start + 1).ToArray());
            start = i + 1;
        }
        if (start < data.Length) parts.Add([.. data.AsSpan(start), 0]);
        return parts;
    }

    /// <summary>The runtime's diagnostic IPC socket keeps our pid; the new runtime makes its own.</summary>
    private static void DeleteDiagnosticSocket()
    {
        try
        {
            string dir = Environment.GetEnvironmentVariable("TMPDIR") is { Length: > 0 } t ? t : "/tmp";
            foreach (string f in Directory.EnumerateFiles(dir, $"dotnet-diagnostic-{Environment.ProcessId}-*-socket"))
                File.Delete(f);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
