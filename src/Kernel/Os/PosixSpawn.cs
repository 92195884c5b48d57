using System.Collections;
using System.Runtime.InteropServices;
using System.Text;

namespace PoeSharp.Os;

/// <summary>
/// Starts a program with <c>posix_spawnp</c>: no managed code runs in the child (glibc uses
/// <c>clone(CLONE_VM|CLONE_VFORK)</c> and exec), so spawning is safe from any runtime state,
/// unlike fork. The child gets an empty signal mask and the default disposition of every
/// signal (so nothing PoeSharp blocked for its signalfd or the runtime ignored, as .NET does
/// SIGPIPE, leaks into it), and the descriptor mapping given. Its exit is watched like any
/// child (<c>Kernel.SigChild</c>, or <c>IProcessHost.WatchChild</c> without a kernel).
/// </summary>
public static unsafe class PosixSpawn
{
    /// <summary>
    /// Spawns <paramref name="program"/> (searched in PATH when it has no '/') with
    /// <paramref name="argv"/> (argv[0] included) and <paramref name="environment"/> ("NAME=value"; null = ours).
    /// Each (from, to) pair in <paramref name="dup2"/> becomes descriptor <c>to</c> in the child;
    /// the child inherits every other descriptor not marked close-on-exec.
    /// Returns the pid, or the errno as an <see cref="OsError"/>.
    /// </summary>
    /// <exception cref="ArgumentException">An empty program or argv, or a string with a NUL character.</exception>
    public static OsResult<int> Spawn(string program, IReadOnlyList<string> argv, IReadOnlyList<string>? environment = null,
                                      IReadOnlyList<(int From, int To)>? dup2 = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        ArgumentNullException.ThrowIfNull(argv);
        if (argv.Count == 0) throw new ArgumentException("argv needs at least argv[0] (the program name).", nameof(argv));
        var arguments = new string[argv.Count - 1];
        for (int i = 1; i < argv.Count; i++) arguments[i - 1] = argv[i];
        return Spawn(new Request
        {
            Program = program,
            ArgumentZero = argv[0],
            Arguments = arguments,
            EnvironmentEntries = environment,
            Dup2 = dup2,
            CloseOtherDescriptors = false,
        });
    }

    /// <summary>A standard descriptor value: the child shares this process's descriptor.</summary>
    public const int Inherit = -1;

    /// <summary>A standard descriptor value: the child gets /dev/null.</summary>
    public const int DevNull = -2;

    private static bool s_closeFromMissing;

    /// <summary>What to spawn and how to wire its standard descriptors.</summary>
    public sealed class Request
    {
        /// <summary>A path, or a name looked up in this process's PATH; also the child's argv[0].</summary>
        public required string Program { get; init; }

        /// <summary>The child's argv[0]; null = <see cref="Program"/>.</summary>
        public string? ArgumentZero { get; init; }

        /// <summary>argv[1..].</summary>
        public IReadOnlyList<string> Arguments { get; init; } = [];

        /// <summary>The child's whole environment; null = <see cref="EnvironmentEntries"/>, or this process's environment.</summary>
        public IReadOnlyDictionary<string, string>? Environment { get; init; }

        /// <summary>The child's whole environment as "NAME=value" entries, used as given when <see cref="Environment"/> is null.</summary>
        public IReadOnlyList<string>? EnvironmentEntries { get; init; }

        /// <summary>The directory the child starts in; null = this process's.</summary>
        public string? WorkingDirectory { get; init; }

        /// <summary>Descriptor for the child's 0: a descriptor number, <see cref="Inherit"/> or <see cref="DevNull"/>.</summary>
        public int Stdin { get; init; } = Inherit;

        /// <summary>Descriptor for the child's 1.</summary>
        public int Stdout { get; init; } = Inherit;

        /// <summary>Descriptor for the child's 2.</summary>
        public int Stderr { get; init; } = Inherit;

        /// <summary>More (from, to) pairs: descriptor <c>from</c> becomes <c>to</c> in the child, after 0/1/2 are wired.</summary>
        public IReadOnlyList<(int From, int To)>? Dup2 { get; init; }

        /// <summary>
        /// Close every descriptor above 2 (and above every <see cref="Dup2"/> target) in the child,
        /// so descriptors opened without close-on-exec by other code stay out of it.
        /// </summary>
        public bool CloseOtherDescriptors { get; init; } = true;

        /// <summary>Make the child the leader of a new process group (POE's default setpgrp).</summary>
        public bool NewProcessGroup { get; init; }
    }

    /// <summary>
    /// Spawns <paramref name="request"/>'s program. Returns the child's pid, or the errno of a
    /// failure: exec failures (ENOENT, EACCES, ENOEXEC) and a working directory that cannot be
    /// entered are reported here, synchronously, and no child is left behind. The caller must
    /// reap the pid (waitpid or a pidfd).
    /// </summary>
    /// <exception cref="ArgumentException">An empty program or a string with a NUL character.</exception>
    public static OsResult<int> Spawn(Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrEmpty(request.Program))
            throw new ArgumentException("The program to spawn is empty; give a path or a name to look up in PATH.", nameof(request));

        var env = request.Environment is { } given ? Flatten(given)
            : request.EnvironmentEntries is { } entries ? entries
            : InheritedEnvironment();
        int argc = 1 + request.Arguments.Count;
        // argv, envp, the working directory if any, then the program path when argv[0] differs from it.
        bool separatePath = request.ArgumentZero is { } zero && zero != request.Program;
        var strings = new string[argc + env.Count + (request.WorkingDirectory is null ? 0 : 1) + (separatePath ? 1 : 0)];
        strings[0] = request.ArgumentZero ?? request.Program;
        for (int i = 0; i < request.Arguments.Count; i++) strings[1 + i] = request.Arguments[i] ?? throw new ArgumentException($"Argument {i} is null.", nameof(request));
        for (int i = 0; i < env.Count; i++) strings[argc + i] = env[i] ?? throw new ArgumentException($"Environment entry {i} is null.", nameof(request));
        int extra = argc + env.Count;
        if (request.WorkingDirectory is { } wd) strings[extra++] = wd;
        if (separatePath) strings[extra] = request.Program;

        // One native block: argv pointers, envp pointers, then every string, NUL-terminated.
        nuint pointerBytes = (nuint)((argc + 1 + env.Count + 1) * sizeof(byte*));
        nuint total = pointerBytes;
        foreach (var s in strings)
        {
            if (s.Contains('\0'))
                throw new ArgumentException($"'{s.Replace("\0", "\\0", StringComparison.Ordinal)}' contains a NUL character, which a C string cannot hold.", nameof(request));
            total += (nuint)Encoding.UTF8.GetByteCount(s) + 1;
        }
        byte* block = (byte*)NativeMemory.Alloc(total);
        byte** argv = (byte**)block;
        byte** envp = argv + argc + 1;
        byte* cursor = block + pointerBytes;
        byte* programPath = null, workingDirectory = null;
        for (int i = 0; i < strings.Length; i++)
        {
            byte* start = cursor;
            int n = Encoding.UTF8.GetBytes(strings[i], new Span<byte>(cursor, (int)(total - (nuint)(cursor - block))));
            cursor[n] = 0;
            cursor += n + 1;
            if (i < argc) argv[i] = start;
            else if (i < argc + env.Count) envp[i - argc] = start;
            else if (i == argc + env.Count && request.WorkingDirectory is not null) workingDirectory = start;
            if (i == 0 || (separatePath && i == strings.Length - 1)) programPath = start;
        }
        argv[argc] = null;
        envp[env.Count] = null;

        byte* actions = stackalloc byte[SpawnInterop.FileActionsSize];
        byte* attr = stackalloc byte[SpawnInterop.AttrSize];
        new Span<byte>(actions, SpawnInterop.FileActionsSize).Clear();
        new Span<byte>(attr, SpawnInterop.AttrSize).Clear();
        Span<int> temps = [-1, -1, -1];
        bool actionsReady = false, attrReady = false;
        try
        {
            int rc = SpawnInterop.FileActionsInit(actions);
            if (rc != 0) return OsResult<int>.Fail(new OsError(rc));
            actionsReady = true;
            rc = SpawnInterop.AttrInit(attr);
            if (rc != 0) return OsResult<int>.Fail(new OsError(rc));
            attrReady = true;

            ReadOnlySpan<int> stdio = [request.Stdin, request.Stdout, request.Stderr];
            byte* devNull = stackalloc byte[] { (byte)'/', (byte)'d', (byte)'e', (byte)'v', (byte)'/', (byte)'n', (byte)'u', (byte)'l', (byte)'l', 0 };
            for (int target = 0; target < 3; target++)
            {
                int source = stdio[target];
                if (source == Inherit) continue;
                if (source == DevNull)
                {
                    rc = SpawnInterop.FileActionsAddOpen(actions, target, devNull, target == 0 ? FileInterop.O_RDONLY : FileInterop.O_WRONLY, 0);
                }
                else
                {
                    if (source < 0) throw new ArgumentException($"Descriptor {source} for standard descriptor {target} is not valid.", nameof(request));
                    if (source < 3)
                    {
                        // dup2 onto 0..2 would clobber a source that sits there: move it above 2 first.
                        int moved = SocketInterop.Fcntl(source, SpawnInterop.F_DUPFD_CLOEXEC, 3);
                        if (moved < 0) return OsResult<int>.Fail(OsError.Last());
                        temps[target] = moved;
                        source = moved;
                    }
                    rc = SpawnInterop.FileActionsAddDup2(actions, source, target);
                }
                if (rc != 0) return OsResult<int>.Fail(new OsError(rc));
            }
            int closeFrom = 3;
            foreach (var (from, to) in request.Dup2 ?? [])
            {
                if (from < 0 || to < 0) throw new ArgumentException($"Descriptor pair ({from}, {to}) is not valid.", nameof(request));
                rc = SpawnInterop.FileActionsAddDup2(actions, from, to);
                if (rc != 0) return OsResult<int>.Fail(new OsError(rc));
                closeFrom = Math.Max(closeFrom, to + 1);
            }
            if (request.CloseOtherDescriptors && !s_closeFromMissing)
            {
                try
                {
                    // Descriptors opened without close-on-exec (by other code in this process) stay out of the child.
                    SpawnInterop.FileActionsAddCloseFrom(actions, closeFrom);
                }
                catch (EntryPointNotFoundException)
                {
                    s_closeFromMissing = true;   // glibc < 2.34: only close-on-exec keeps descriptors out
                }
            }
            if (workingDirectory is not null)
            {
                rc = SpawnInterop.FileActionsAddChdir(actions, workingDirectory);
                if (rc != 0) return OsResult<int>.Fail(new OsError(rc));
            }

            short flags = SpawnInterop.POSIX_SPAWN_SETSIGMASK | SpawnInterop.POSIX_SPAWN_SETSIGDEF;
            if (request.NewProcessGroup)
            {
                flags |= SpawnInterop.POSIX_SPAWN_SETPGROUP;
                SpawnInterop.AttrSetPGroup(attr, 0);
            }
            SpawnInterop.AttrSetFlags(attr, flags);
            var empty = default(SignalSet);
            SpawnInterop.AttrSetSigMask(attr, &empty);
            var defaults = DefaultedSignals();
            SpawnInterop.AttrSetSigDefault(attr, &defaults);

            int pid = 0;
            // The program may be handed any descriptor made so far (a dup2 above): none is private any more.
            ForkSafety.NoteFork();
            rc = SpawnInterop.PosixSpawnP(&pid, programPath, actions, attr, argv, envp);
            return rc == 0 ? OsResult<int>.Success(pid) : OsResult<int>.Fail(new OsError(rc));
        }
        finally
        {
            if (actionsReady) SpawnInterop.FileActionsDestroy(actions);
            if (attrReady) SpawnInterop.AttrDestroy(attr);
            foreach (int t in temps) if (t >= 0) FileInterop.Close(t);
            NativeMemory.Free(block);
        }
    }

    /// <summary>
    /// Opens a pidfd for child <paramref name="pid"/> (Linux 5.3+): it names that process even
    /// after its pid is recycled, so open it before anything can reap the child. ENOSYS on an
    /// older kernel (fall back to <see cref="Kill"/>).
    /// </summary>
    public static OsResult<FileDescriptor> OpenPidFd(int pid)
    {
        int fd = ProcessInterop.PidFdOpen(pid);
        return fd < 0 ? OsResult<FileDescriptor>.Fail(OsError.Last()) : OsResult<FileDescriptor>.Success(new FileDescriptor(fd));
    }

    /// <summary>Sends <paramref name="signo"/> through a pidfd; ESRCH once the process has been reaped.</summary>
    public static OsError SendSignal(FileDescriptor pidFd, int signo)
    {
        ArgumentNullException.ThrowIfNull(pidFd);
        return SpawnInterop.Syscall4(SpawnInterop.SYS_pidfd_send_signal, pidFd.Fd, signo, 0, 0) == 0 ? OsError.None : OsError.Last();
    }

    /// <summary>Sends <paramref name="signo"/> to <paramref name="pid"/> with kill(2); 0 only checks that it exists.</summary>
    public static OsError Kill(int pid, int signo) =>
        SignalInterop.Kill(pid, signo) == 0 ? OsError.None : OsError.Last();

    /// <summary>
    /// Looks at child <paramref name="pid"/> without reaping it: 1 = running, 0 = exited and not yet
    /// reaped, -1 = not (or no longer) a child of this process.
    /// </summary>
    internal static int Probe(int pid)
    {
        ProcessInterop.SigInfo info = default;
        while (ProcessInterop.WaitId(ProcessInterop.P_PID, pid, &info,
                   ProcessInterop.WEXITED | ProcessInterop.WNOHANG | ProcessInterop.WNOWAIT) != 0)
            if (Marshal.GetLastPInvokeError() != Errno.EINTR) return -1;
        return info.Pid == 0 ? 1 : 0;
    }

    /// <summary>Waits for child <paramref name="pid"/> and reaps it; its wait status, or -1 when it is not our child.</summary>
    internal static int WaitFor(int pid)
    {
        int status = 0;
        while (true)
        {
            int r = ProcessInterop.WaitPid(pid, &status, 0);
            if (r == pid) return status;
            if (r < 0 && Marshal.GetLastPInvokeError() != Errno.EINTR) return -1;
        }
    }

    /// <summary>
    /// Every signal but KILL and STOP gets SIG_DFL in the child. This includes glibc's internal 32 and
    /// 33, which posix_spawn would otherwise leave ignored across exec when this process handles them.
    /// (The child runs with every signal blocked until exec, so nothing is delivered meanwhile.)
    /// </summary>
    private static SignalSet DefaultedSignals()
    {
        var set = default(SignalSet);
        for (int s = 1; s <= 64; s++)
            if (s is not (Signals.KILL or 19)) set.Add(s);
        return set;
    }

    /// <summary>The environment as .NET sees it (including Environment.SetEnvironmentVariable changes).</summary>
    private static IReadOnlyList<string> InheritedEnvironment()
    {
        var list = new List<string>();
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
            list.Add($"{e.Key}={e.Value}");
        return list;
    }

    private static IReadOnlyList<string> Flatten(IReadOnlyDictionary<string, string> env)
    {
        var list = new List<string>(env.Count);
        foreach (var (key, value) in env)
        {
            if (string.IsNullOrEmpty(key) || key.Contains('='))
                throw new ArgumentException($"Environment variable name '{key}' is empty or contains '='.", nameof(env));
            list.Add($"{key}={value}");
        }
        return list;
    }
}
