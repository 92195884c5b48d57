using System.Runtime.InteropServices;
using System.Text;

namespace PoeSharp.Os;

/// <summary>
/// Starts a program with posix_spawn: the child gets an empty signal mask and default
/// dispositions for every catchable signal (so nothing PoeSharp blocked or the runtime hooked
/// leaks into it), and the descriptor mapping given. Its exit is watched like any child
/// (<see cref="PosixProcessHost.WatchChild"/>).
/// </summary>
public static unsafe class PosixSpawn
{
    /// <summary>
    /// Spawns <paramref name="program"/> (searched in PATH when it has no '/') with
    /// <paramref name="argv"/> (argv[0] included) and <paramref name="environment"/> ("NAME=value"; null = ours).
    /// Each (from, to) pair in <paramref name="dup2"/> becomes descriptor <c>to</c> in the child.
    /// Returns the pid, or the errno as an <see cref="OsError"/>.
    /// </summary>
    public static OsResult<int> Spawn(string program, IReadOnlyList<string> argv, IReadOnlyList<string>? environment = null,
                                      IReadOnlyList<(int From, int To)>? dup2 = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(program);
        ArgumentNullException.ThrowIfNull(argv);
        if (argv.Count == 0) throw new ArgumentException("argv needs at least argv[0] (the program name).", nameof(argv));
        environment ??= Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => $"{e.Key}={e.Value}").ToArray();

        var blocks = new List<nint>();
        void* actions = NativeMemory.AllocZeroed(SpawnInterop.FileActionsSize);
        void* attr = NativeMemory.AllocZeroed(SpawnInterop.AttrSize);
        try
        {
            byte** args = Strings(argv, blocks);
            byte** env = Strings(environment, blocks);
            byte* path = Utf8(program, blocks);
            SpawnInterop.FileActionsInit(actions);
            SpawnInterop.AttrInit(attr);
            foreach (var (from, to) in dup2 ?? [])
                SpawnInterop.FileActionsAddDup2(actions, from, to);
            SignalSet empty = default, all = default;
            for (int s = 1; s < 32; s++)
                if (s is not Signals.KILL and not 19) all.Add(s);
            SpawnInterop.AttrSetSigMask(attr, &empty);
            SpawnInterop.AttrSetSigDefault(attr, &all);
            SpawnInterop.AttrSetFlags(attr, SpawnInterop.POSIX_SPAWN_SETSIGMASK | SpawnInterop.POSIX_SPAWN_SETSIGDEF);
            int pid;
            int err = program.Contains('/')
                ? SpawnInterop.PosixSpawn(&pid, path, actions, attr, args, env)
                : SpawnInterop.PosixSpawnP(&pid, path, actions, attr, args, env);
            return err == 0 ? OsResult<int>.Success(pid) : OsResult<int>.Fail(new OsError(err));
        }
        finally
        {
            SpawnInterop.FileActionsDestroy(actions);
            SpawnInterop.AttrDestroy(attr);
            NativeMemory.Free(actions);
            NativeMemory.Free(attr);
            foreach (nint b in blocks) NativeMemory.Free((void*)b);
        }
    }

    private static byte* Utf8(string s, List<nint> blocks)
    {
        int n = Encoding.UTF8.GetByteCount(s);
        byte* p = (byte*)NativeMemory.Alloc((nuint)n + 1);
        blocks.Add((nint)p);
        Encoding.UTF8.GetBytes(s, new Span<byte>(p, n));
        p[n] = 0;
        return p;
    }

    private static byte** Strings(IReadOnlyList<string> list, List<nint> blocks)
    {
        byte** arr = (byte**)NativeMemory.Alloc((nuint)((list.Count + 1) * sizeof(nint)));
        blocks.Add((nint)arr);
        for (int i = 0; i < list.Count; i++) arr[i] = Utf8(list[i], blocks);
        arr[list.Count] = null;
        return arr;
    }
}
