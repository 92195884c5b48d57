using System.Globalization;
using System.Text;
using PoeSharp.Os;

namespace PoeSharp.Components.Workers;

/// <summary>
/// Starts the new program of a binary upgrade with posix_spawn (no fork of the runtime), through
/// a one-line shell trampoline that sets LISTEN_PID to its own pid and then execs the program, so
/// the pid is the new program's: <c>/bin/sh -c 'export LISTEN_PID=$$ POESHARP_UPGRADE_PID=$$; exec "$0" "$@"'</c>.
/// The listening socket becomes descriptor 3; a pipe for the readiness byte (<see cref="UpgradeHandoff"/>)
/// a descriptor above every other passed.
/// </summary>
internal sealed class ProgramUpgradeLauncher(IReadOnlyList<string>? command) : IUpgradeLauncher
{
    private const string Trampoline = "export LISTEN_PID=$$ " + UpgradeHandoff.PidVariable + "=$$; exec \"$0\" \"$@\"";

    // Variables of this process that must not reach the new one: the signal-mask bootstrap's
    // marker (the new program must block its signals itself: posix_spawn clears the mask) and
    // what this process was passed itself.
    private static readonly string[] s_dropped =
    [
        "POESHARP_SIGNAL_MASK", SocketActivation.PidVariable, SocketActivation.CountVariable, SocketActivation.NamesVariable,
        UpgradeHandoff.ReadyFdVariable, UpgradeHandoff.PidVariable,
    ];

    /// <inheritdoc />
    public IUpgradeChild? Launch(int listeningFd, out string error)
    {
        IReadOnlyList<string> argv;
        try
        {
            argv = command ?? ReadCommandLine();
        }
        catch (IOException e)
        {
            error = "cannot read /proc/self/cmdline: " + e.Message;
            return null;
        }
        if (argv.Count == 0 || argv[0].Length == 0)
        {
            error = "the command line to start is empty";
            return null;
        }
        var pipe = PosixSocket.Pipe(nonBlocking: true);
        if (!pipe.Ok)
        {
            error = "cannot create the readiness pipe: " + pipe.Error;
            return null;
        }
        var (read, write) = pipe.Value;
        // The pipe first, to a number above both sources; then the socket onto 3, which may have been the pipe's number.
        int readyFd = Math.Max(Math.Max(listeningFd, write.Fd), SocketActivation.FirstDescriptor) + 1;
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            environment[(string)e.Key] = (string?)e.Value ?? "";
        foreach (string name in s_dropped) environment.Remove(name);
        environment[SocketActivation.CountVariable] = "1";
        environment[SocketActivation.NamesVariable] = "listen";
        environment[UpgradeHandoff.ReadyFdVariable] = readyFd.ToString(CultureInfo.InvariantCulture);
        var spawned = PosixSpawn.Spawn(new PosixSpawn.Request
        {
            Program = "/bin/sh",
            Arguments = ["-c", Trampoline, .. argv],
            Environment = environment,
            Dup2 = [(write.Fd, readyFd), (listeningFd, SocketActivation.FirstDescriptor)],
            CloseOtherDescriptors = true,
        });
        write.Dispose();
        if (!spawned.Ok)
        {
            read.Dispose();
            error = $"cannot start '{string.Join(' ', argv)}': {spawned.Error}";
            return null;
        }
        error = "";
        return new Child(spawned.Value, read);
    }

    private static List<string> ReadCommandLine()
    {
        byte[] bytes = File.ReadAllBytes("/proc/self/cmdline");
        var argv = new List<string>();
        int start = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != 0) continue;
            argv.Add(Encoding.UTF8.GetString(bytes, start, i - start));
            start = i + 1;
        }
        return argv;
    }

    private sealed class Child(int pid, FileDescriptor read) : IUpgradeChild
    {
        private readonly byte[] _buffer = new byte[16];

        public int Pid => pid;

        public bool HasReportedReady() => PosixSocket.Read(read.Fd, _buffer) is { Ok: true, Value: > 0 };

        public void Dispose() => read.Dispose();
    }
}
