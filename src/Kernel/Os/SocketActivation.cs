using System.Globalization;
using static PoeSharp.Os.SocketConstants;

namespace PoeSharp.Os;

/// <summary>
/// systemd's socket-activation protocol (sd_listen_fds(3)), for servers started by a service
/// manager or by <c>systemd-socket-activate</c>: the manager binds, and passes the sockets as
/// descriptors 3, 4, ... with <c>LISTEN_PID</c> (this process), <c>LISTEN_FDS</c> (how many) and
/// optionally <c>LISTEN_FDNAMES</c> (colon-separated names). A server that finds them uses them
/// instead of binding, so a restart or an upgrade never closes the port.
/// </summary>
public static class SocketActivation
{
    /// <summary>The first descriptor passed (SD_LISTEN_FDS_START).</summary>
    public const int FirstDescriptor = 3;

    /// <summary>The variables of the protocol.</summary>
    public const string PidVariable = "LISTEN_PID", CountVariable = "LISTEN_FDS", NamesVariable = "LISTEN_FDNAMES";

    /// <summary>
    /// True when the environment passes sockets to this process (LISTEN_PID is this process's pid
    /// and LISTEN_FDS is set). Call it after <see cref="ForkSafety.EnsureSignalMask"/>, whose
    /// re-execution keeps the pid, the descriptors and the variables.
    /// </summary>
    public static bool IsActivated =>
        Parse(Environment.GetEnvironmentVariable(PidVariable), Environment.GetEnvironmentVariable(CountVariable),
              Environment.GetEnvironmentVariable(NamesVariable), ProcessInterop.GetPid()).Count > 0;

    /// <summary>
    /// Takes the sockets passed to this process: each gets close-on-exec (so a program this one
    /// starts does not inherit it), and the three variables are removed from the environment (so
    /// a child does not take them again, as sd_listen_fds(1) does). Returns an empty list when
    /// nothing was passed to this process.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The variables are malformed, or a descriptor they name is not an open socket; the message
    /// names the variable or descriptor and what the service manager should pass instead.
    /// </exception>
    public static IReadOnlyList<ActivatedSocket> Take()
    {
        var passed = Parse(Environment.GetEnvironmentVariable(PidVariable), Environment.GetEnvironmentVariable(CountVariable),
                           Environment.GetEnvironmentVariable(NamesVariable), ProcessInterop.GetPid());
        var sockets = new List<ActivatedSocket>(passed.Count);
        foreach (var (fd, name) in passed)
        {
            int type = SocketOption(fd, SO_TYPE, name);
            if (SocketInterop.Fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
                throw new InvalidOperationException($"Socket activation: cannot set close-on-exec on descriptor {fd} ('{name}'): {OsError.Last()}.");
            bool listening = type == SOCK_STREAM && SocketOption(fd, SO_ACCEPTCONN, name) != 0;
            var local = PosixSocket.GetSockName(fd);
            sockets.Add(new ActivatedSocket(new FileDescriptor(fd), name, local.Ok ? local.Value : null, listening));
        }
        foreach (string variable in (ReadOnlySpan<string>)[PidVariable, CountVariable, NamesVariable])
            Environment.SetEnvironmentVariable(variable, null);
        return sockets;
    }

    /// <summary>
    /// The descriptors and names the protocol's variables pass to process <paramref name="pid"/>,
    /// without touching them: empty when <paramref name="listenPid"/> or <paramref name="listenFds"/>
    /// is unset or names another process (the variables were meant for a parent).
    /// </summary>
    /// <exception cref="InvalidOperationException">A variable is set but malformed; the message says which and why.</exception>
    public static IReadOnlyList<(int Fd, string Name)> Parse(string? listenPid, string? listenFds, string? listenFdNames, int pid)
    {
        if (string.IsNullOrEmpty(listenPid) || string.IsNullOrEmpty(listenFds)) return [];
        if (!int.TryParse(listenPid, NumberStyles.None, CultureInfo.InvariantCulture, out int forPid) || forPid <= 0)
            throw new InvalidOperationException($"Socket activation: {PidVariable} must be a process id, not '{listenPid}'.");
        if (forPid != pid) return [];
        if (!int.TryParse(listenFds, NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count <= 0 || count > 1024)
            throw new InvalidOperationException($"Socket activation: {CountVariable} must be a count of descriptors from 1 to 1024, not '{listenFds}'.");
        string[] names = string.IsNullOrEmpty(listenFdNames) ? [] : listenFdNames.Split(':');
        if (names.Length != 0 && names.Length != count)
            throw new InvalidOperationException(
                $"Socket activation: {NamesVariable} has {names.Length} names for the {count} descriptors of {CountVariable}; pass one name per descriptor.");
        var passed = new (int, string)[count];
        for (int i = 0; i < count; i++)
            passed[i] = (FirstDescriptor + i, names.Length == 0 || names[i].Length == 0 ? "unknown" : names[i]);
        return passed;
    }

    private static unsafe int SocketOption(int fd, int option, string name)
    {
        int value = 0;
        uint length = sizeof(int);
        if (SocketInterop.GetSockOpt(fd, SOL_SOCKET, option, &value, &length) == 0) return value;
        OsError error = OsError.Last();
        throw new InvalidOperationException(
            $"Socket activation: descriptor {fd} ('{name}') is not an open socket ({error}); the service manager must pass sockets from descriptor {FirstDescriptor} on.");
    }
}
