using System.Runtime.InteropServices;

namespace PoeSharp.Os;

/// <summary>
/// sys/epoll.h. <c>struct epoll_event</c> is packed (12 bytes) on x86-64 and naturally aligned
/// (16 bytes) elsewhere, so the loop reads events through <see cref="EventSize"/> and
/// <see cref="DataOffset"/> instead of a C# struct.
/// </summary>
internal static unsafe partial class EpollInterop
{
    internal const int EPOLL_CLOEXEC = 0x80000;
    internal const int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
    internal const uint EPOLLIN = 0x001, EPOLLPRI = 0x002, EPOLLOUT = 0x004, EPOLLERR = 0x008, EPOLLHUP = 0x010;
    internal const uint EPOLLRDNORM = 0x040, EPOLLRDBAND = 0x080, EPOLLWRNORM = 0x100, EPOLLWRBAND = 0x200;
    internal const uint EPOLLRDHUP = 0x2000;
    internal const uint EPOLLEXCLUSIVE = 1u << 28;

    /// <summary>sizeof(struct epoll_event) on this architecture.</summary>
    internal static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    /// <summary>offsetof(struct epoll_event, data).</summary>
    internal static readonly int DataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    /// <summary>struct timespec.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct TimeSpec
    {
        internal long Seconds;
        internal long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    internal static partial int EpollCreate1(int flags);

    /// <summary><paramref name="ev"/> points at an event of <see cref="EventSize"/> bytes (null for DEL).</summary>
    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    internal static partial int EpollCtl(int epfd, int op, int fd, byte* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    internal static partial int EpollWait(int epfd, byte* events, int maxEvents, int timeoutMs);

    /// <summary>Linux 5.11+: a nanosecond timeout (null = infinite). ENOSYS on older kernels.</summary>
    [LibraryImport("libc", EntryPoint = "epoll_pwait2", SetLastError = true)]
    internal static partial int EpollPWait2(int epfd, byte* events, int maxEvents, TimeSpec* timeout, void* sigmask);
}
