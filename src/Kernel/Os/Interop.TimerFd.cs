using System.Runtime.InteropServices;

namespace PoeSharp.Os;

/// <summary>sys/timerfd.h: the process host's polling timer for children watched without a pidfd.</summary>
internal static unsafe partial class TimerFdInterop
{
    internal const int CLOCK_MONOTONIC = 1;
    internal const int TFD_CLOEXEC = 0x80000, TFD_NONBLOCK = 0x800;

    /// <summary>struct itimerspec: interval then first expiry, each a timespec (seconds, nanoseconds).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct ITimerSpec
    {
        internal long IntervalSec, IntervalNsec, ValueSec, ValueNsec;
    }

    [LibraryImport("libc", EntryPoint = "timerfd_create", SetLastError = true)]
    internal static partial int TimerFdCreate(int clockId, int flags);

    [LibraryImport("libc", EntryPoint = "timerfd_settime", SetLastError = true)]
    internal static partial int TimerFdSetTime(int fd, int flags, ITimerSpec* newValue, ITimerSpec* oldValue);
}
