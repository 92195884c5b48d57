using System.Runtime.InteropServices;

namespace PoeSharp.Os;

/// <summary>sys/eventfd.h: the loop's wake descriptor.</summary>
internal static partial class EventFdInterop
{
    internal const int EFD_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800;

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    internal static partial int EventFd(uint initval, int flags);
}
