using System.Globalization;
using PoeSharp.Os;

namespace PoeSharp.Components.Workers;

/// <summary>
/// The new master's side of a binary upgrade: the old master passes, besides the listening socket
/// (LISTEN_FDS), a pipe whose descriptor is named by <see cref="ReadyFdVariable"/> for the process
/// named by <see cref="PidVariable"/>. The new master writes one byte to it once its workers accept.
/// </summary>
internal static class UpgradeHandoff
{
    /// <summary>The descriptor of the pipe to the old master.</summary>
    public const string ReadyFdVariable = "POESHARP_UPGRADE_READY_FD";

    /// <summary>The process the descriptor is meant for (set by the trampoline to its own pid, as LISTEN_PID).</summary>
    public const string PidVariable = "POESHARP_UPGRADE_PID";

    /// <summary>
    /// Takes the pipe passed to this process, if any: removes both variables (a program this one
    /// starts must not take them again) and returns the descriptor, or null.
    /// </summary>
    public static FileDescriptor? Take(int pid)
    {
        string? fdText = Environment.GetEnvironmentVariable(ReadyFdVariable);
        string? pidText = Environment.GetEnvironmentVariable(PidVariable);
        if (fdText is null && pidText is null) return null;
        Environment.SetEnvironmentVariable(ReadyFdVariable, null);
        Environment.SetEnvironmentVariable(PidVariable, null);
        if (!int.TryParse(fdText, NumberStyles.None, CultureInfo.InvariantCulture, out int fd) || fd < 3 ||
            !int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out int forPid) || forPid != pid)
            return null;
        return new FileDescriptor(fd);
    }

    /// <summary>Tells the old master that this one accepts, and closes the pipe.</summary>
    public static void ReportReady(FileDescriptor pipe)
    {
        _ = PosixSocket.Write(pipe.Fd, "R"u8);
        pipe.Dispose();
    }
}
