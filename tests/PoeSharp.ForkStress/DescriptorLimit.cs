using System.Runtime.InteropServices;

namespace PoeSharp.ForkStress;

/// <summary>
/// Lowers this process's RLIMIT_NOFILE soft limit to the lowest free descriptor number, so the
/// next accept (or any open) fails with EMFILE, until <see cref="Dispose"/> restores it. The limit
/// is process-wide and a descriptor closed by any other thread (a finalizer, say) would be free
/// again: use it only in a program of its own, never in a test host.
/// </summary>
internal sealed partial class DescriptorLimit : IDisposable
{
    private const int RLIMIT_NOFILE = 7;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Max;
    }

    private readonly RLimit _saved;
    private bool _restored;

    private DescriptorLimit(RLimit saved) => _saved = saved;

    /// <summary>Lowers the limit; throws if the limit cannot be read or set.</summary>
    public static DescriptorLimit Exhaust()
    {
        if (GetRLimit(RLIMIT_NOFILE, out var saved) != 0) throw new InvalidOperationException($"getrlimit failed: errno {Marshal.GetLastPInvokeError()}");
        // The kernel hands out the lowest free number: with the limit there, nothing is free.
        // Standard error is always open here (the test redirects it).
        int lowestFree = Dup(2);
        if (lowestFree < 0) throw new InvalidOperationException($"dup failed: errno {Marshal.GetLastPInvokeError()}");
        Close(lowestFree);
        var lowered = new RLimit { Current = (ulong)lowestFree, Max = saved.Max };
        if (SetRLimit(RLIMIT_NOFILE, ref lowered) != 0) throw new InvalidOperationException($"setrlimit failed: errno {Marshal.GetLastPInvokeError()}");
        return new DescriptorLimit(saved);
    }

    /// <summary>Puts the saved limit back (idempotent).</summary>
    public void Dispose()
    {
        if (_restored) return;
        _restored = true;
        var saved = _saved;
        if (SetRLimit(RLIMIT_NOFILE, ref saved) != 0) throw new InvalidOperationException($"setrlimit (restore) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRLimit(int resource, ref RLimit limit);

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
