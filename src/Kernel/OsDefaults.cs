using PoeSharp.Loop;
using PoeSharp.Processes;

namespace PoeSharp;

/// <summary>The real back ends a <c>new Kernel()</c> uses on Linux.</summary>
internal static class OsDefaults
{
    /// <summary>The epoll loop.</summary>
    internal static ILoop CreateLoop() => new EpollLoop();

    /// <summary>The fork/signalfd/pidfd process host.</summary>
    internal static IProcessHost CreateProcessHost() =>
        new PosixProcessHost();
}
