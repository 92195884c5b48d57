using System.Diagnostics;
using System.Runtime.InteropServices;

namespace PoeSharp.Os;

/// <summary>
/// The step before every fork: every other thread must be asleep (not holding a runtime lock)
/// at the instant of fork, and no GC may be running. Sampling /proc/self/task/*/status until
/// every other thread is in state "S" with an unchanged context-switch count across two samples
/// proves the first; the second holds because workstation non-concurrent GC runs on the
/// allocating thread (ours) and sampling allocates nothing, so no GC can start between the last
/// sample and fork().
/// </summary>
/// <remarks>
/// Shortcuts (docs/FORK-SAFETY.md, "Fork cost"; all on unless <c>POESHARP_FORK_QUIESCE</c> says
/// otherwise): the collect and finalizer wait run only when a GC happened since the last quiesce
/// (finalizers are queued only by a GC); the first sample is compared with the last quiesce's
/// final sample (threads whose switch counts did not move since then were asleep all along);
/// and the two samples of a fresh quiesce are about 100 µs apart instead of a 1 ms sleep
/// (which is 1-10 ms on a loaded machine), falling back to 1 ms sleeps while a thread is busy.
/// </remarks>
internal static unsafe class Quiescer
{
    private const int MaxThreads = 512;
    private const int DirBufferSize = 32 * 1024;
    private const int FileBufferSize = 4096;
    private const long ShortGapMicros = 100;

    private static byte* s_dir;
    private static byte* s_file;
    private static byte* s_path;
    private static readonly int[] s_tids = new int[MaxThreads];
    private static readonly long[] s_switches = new long[MaxThreads];
    private static readonly int[] s_prevTids = new int[MaxThreads];
    private static readonly long[] s_prevSwitches = new long[MaxThreads];
    private static int s_lastCount = -1;        // other threads in the last successful quiesce's final sample
    private static int s_lastGcCount = -1;      // GC.CollectionCount(0) after the last collect + finalizer wait

    /// <summary>Skip the collect and finalizer wait when no GC happened since the last quiesce.</summary>
    internal static bool SkipUnneededCollect { get; set; } = true;

    /// <summary>Compare the first sample with the final sample of the last quiesce.</summary>
    internal static bool ReuseLastSample { get; set; } = true;

    /// <summary>About 100 µs between samples (yielding) instead of a 1 ms sleep while no thread is busy.</summary>
    internal static bool ShortGap { get; set; } = true;

    /// <summary>The thread that was still busy when the last quiesce gave up (0 if none).</summary>
    internal static int LastBusyTid { get; private set; }

    /// <summary>True when the last quiesce ran GC.Collect (diagnostics).</summary>
    internal static bool LastCollected { get; private set; }

    static Quiescer()
    {
        // POESHARP_FORK_QUIESCE=full turns every shortcut off; or list the ones to turn off:
        // "collect" (always collect), "reuse" (never reuse the last sample), "gap" (1 ms sleeps).
        string? mode = Environment.GetEnvironmentVariable("POESHARP_FORK_QUIESCE");
        if (string.IsNullOrEmpty(mode)) return;
        bool full = mode.Contains("full", StringComparison.OrdinalIgnoreCase);
        SkipUnneededCollect = !full && !mode.Contains("collect", StringComparison.OrdinalIgnoreCase);
        ReuseLastSample = !full && !mode.Contains("reuse", StringComparison.OrdinalIgnoreCase);
        ShortGap = !full && !mode.Contains("gap", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Returns true when the other threads are quiet. <paramref name="timeout"/> bounds the wait;
    /// <paramref name="samples"/> counts the /proc scans made (for diagnostics).
    /// </summary>
    internal static bool Quiesce(TimeSpan timeout, out int samples)
    {
        EnsureBuffers();
        int gcs = GC.CollectionCount(0);
        LastCollected = !SkipUnneededCollect || gcs != s_lastGcCount;
        if (LastCollected)
        {
            GC.Collect();
            // In a forked child the finalizer thread is a ghost: waiting for it never returns
            // (a child forking grandchildren is supported; its finalizers simply never run).
            if (!ForkSafety.IsForkedChild) GC.WaitForPendingFinalizers();
            int after = GC.CollectionCount(0);
            // A GC during the finalizer wait may have queued more: collect again next time.
            s_lastGcCount = after == gcs + 1 ? after : -1;
        }
        samples = 0;
        int self = ProcessInterop.GetTid();
        long deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        // The last quiesce's final sample (still in s_tids/s_switches) is a valid first sample.
        int prevCount = ReuseLastSample && !LastCollected ? s_lastCount : -1;
        if (prevCount > 0)
        {
            Array.Copy(s_tids, s_prevTids, prevCount);
            Array.Copy(s_switches, s_prevSwitches, prevCount);
        }
        s_lastCount = -1;
        int rounds = 0;
        while (true)
        {
            int count = Sample(self, out int busy);
            samples++;
            if (busy == 0 && count >= 0 && count == prevCount && SameAsPrevious(count))
            {
                LastBusyTid = 0;
                s_lastCount = count;
                return true;
            }
            if (count >= 0)
            {
                Array.Copy(s_tids, s_prevTids, count);
                Array.Copy(s_switches, s_prevSwitches, count);
            }
            prevCount = busy == 0 ? count : -1;
            if (Stopwatch.GetTimestamp() > deadline)
            {
                LastBusyTid = busy;
                return false;
            }
            // At least a moment between the two samples that must agree; if the threads do not
            // settle at once, real sleeps (a yielding spin would only compete with them for the CPU).
            if (ShortGap && ++rounds <= 3) ShortWait();
            else Thread.Sleep(1);
        }
    }

    /// <summary>Yields the CPU for about <see cref="ShortGapMicros"/> (allocation-free).</summary>
    private static void ShortWait()
    {
        long until = Stopwatch.GetTimestamp() + (ShortGapMicros * Stopwatch.Frequency / 1_000_000);
        do Thread.Yield();
        while (Stopwatch.GetTimestamp() < until);
    }

    /// <summary>The name of thread <paramref name="tid"/> (allocates; for error messages).</summary>
    internal static string ThreadName(int tid)
    {
        try
        {
            return File.ReadAllText($"/proc/self/task/{tid}/comm").Trim();
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static bool SameAsPrevious(int count)
    {
        for (int i = 0; i < count; i++)
            if (s_tids[i] != s_prevTids[i] || s_switches[i] != s_prevSwitches[i]) return false;
        return true;
    }

    /// <summary>Fills the tid and switch arrays; returns the thread count (other threads) or -1, and a busy tid.</summary>
    private static int Sample(int self, out int busy)
    {
        busy = 0;
        int count = 0;
        byte* dirPath = stackalloc byte[] { (byte)'/', (byte)'p', (byte)'r', (byte)'o', (byte)'c', (byte)'/', (byte)'s', (byte)'e',
            (byte)'l', (byte)'f', (byte)'/', (byte)'t', (byte)'a', (byte)'s', (byte)'k', 0 };
        int dfd = FileInterop.Open(dirPath, FileInterop.O_RDONLY | FileInterop.O_DIRECTORY | FileInterop.O_CLOEXEC, 0);
        if (dfd < 0) return -1;
        try
        {
            while (true)
            {
                nint n = FileInterop.GetDents64(dfd, s_dir, DirBufferSize);
                if (n <= 0) break;
                for (nint off = 0; off < n;)
                {
                    // struct linux_dirent64 { u64 ino; s64 off; u16 reclen; u8 type; char name[]; }
                    ushort reclen = *(ushort*)(s_dir + off + 16);
                    byte* name = s_dir + off + 19;
                    off += reclen;
                    int tid = ParseInt(name);
                    if (tid <= 0 || tid == self) continue;
                    if (count == MaxThreads) return -1;
                    long switches = ReadStatus(tid, out byte state);
                    if (switches < 0) continue;   // the thread just exited
                    s_tids[count] = tid;
                    s_switches[count] = switches;
                    count++;
                    if (state != (byte)'S' && busy == 0) busy = tid;
                }
            }
        }
        finally
        {
            FileInterop.Close(dfd);
        }
        return count;
    }

    /// <summary>Reads the state letter and voluntary+nonvoluntary switches of <paramref name="tid"/>; -1 if gone.</summary>
    private static long ReadStatus(int tid, out byte state)
    {
        state = 0;
        // "/proc/self/task/<tid>/status"
        ReadOnlySpan<byte> prefix = "/proc/self/task/"u8;
        ReadOnlySpan<byte> suffix = "/status\0"u8;
        var path = new Span<byte>(s_path, 64);
        prefix.CopyTo(path);
        int len = prefix.Length;
        len += FormatInt(tid, path[len..]);
        suffix.CopyTo(path[len..]);
        int fd = FileInterop.Open(s_path, FileInterop.O_RDONLY | FileInterop.O_CLOEXEC, 0);
        if (fd < 0) return -1;
        nint total = 0;
        try
        {
            nint n;
            while (total < FileBufferSize && (n = FileInterop.ReadRetry(fd, s_file + total, (nuint)(FileBufferSize - total))) > 0)
                total += n;
        }
        finally
        {
            FileInterop.Close(fd);
        }
        var text = new ReadOnlySpan<byte>(s_file, (int)total);
        int i = text.IndexOf("State:\t"u8);
        if (i < 0) return -1;
        state = text[i + 7];
        long v = FieldValue(text, "\nvoluntary_ctxt_switches:\t"u8);
        long nv = FieldValue(text, "\nnonvoluntary_ctxt_switches:\t"u8);
        return v < 0 || nv < 0 ? -1 : v + nv;
    }

    private static long FieldValue(ReadOnlySpan<byte> text, ReadOnlySpan<byte> key)
    {
        int i = text.IndexOf(key);
        if (i < 0) return -1;
        long value = 0;
        for (int j = i + key.Length; j < text.Length && text[j] >= '0' && text[j] <= '9'; j++) value = (value * 10) + (text[j] - '0');
        return value;
    }

    private static int ParseInt(byte* s)
    {
        int v = 0;
        if (*s == 0) return -1;
        for (; *s != 0; s++)
        {
            if (*s < '0' || *s > '9') return -1;
            v = (v * 10) + (*s - '0');
        }
        return v;
    }

    private static int FormatInt(int value, Span<byte> dest)
    {
        Span<byte> tmp = stackalloc byte[12];
        int n = 0;
        do
        {
            tmp[n++] = (byte)('0' + (value % 10));
            value /= 10;
        }
        while (value > 0);
        for (int i = 0; i < n; i++) dest[i] = tmp[n - 1 - i];
        return n;
    }

    private static void EnsureBuffers()
    {
        if (s_dir != null) return;
        s_dir = (byte*)NativeMemory.Alloc(DirBufferSize);
        s_file = (byte*)NativeMemory.Alloc(FileBufferSize);
        s_path = (byte*)NativeMemory.Alloc(64);
    }
}
