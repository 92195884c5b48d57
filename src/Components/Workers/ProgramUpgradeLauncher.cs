using System.Globalization;
using System.Text;
using PoeSharp.Os;

namespace PoeSharp.Components.Workers;

/// <summary>
/// Starts the new program of a binary upgrade with posix_spawn (no fork of the runtime), through
/// a one-line shell trampoline that sets LISTEN_PID to its own pid and then execs the program, so
/// the pid is the new program's: <c>/bin/sh -c 'export LISTEN_PID=$$ POESHARP_UPGRADE_PID=$$; exec "$0" "$@"'</c>.
/// The listening sockets become descriptors 3, 4, ...; a pipe for the readiness byte (<see cref="UpgradeHandoff"/>)
/// the descriptor just above them.
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
    public IUpgradeChild? Launch(IReadOnlyList<int> listeningFds, out string error)
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
        OsResult<int> spawned;
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
        int count = listeningFds.Count;
        // The sockets go to 3 .. 3+count-1 and the pipe just above. A source may sit on one of those
        // numbers, so each is first copied above all of them (close-on-exec: the copies are this process's).
        int readyFd = SocketActivation.FirstDescriptor + count;
        int above = Math.Max(readyFd, Math.Max(write.Fd, listeningFds.Count == 0 ? 0 : listeningFds.Max())) + 1;
        var copies = new List<FileDescriptor>(count);
        try
        {
            foreach (int fd in listeningFds)
            {
                var copy = PosixSocket.DuplicateAbove(fd, above);
                if (!copy.Ok)
                {
                    error = $"cannot copy listening descriptor {fd}: {copy.Error}";
                    write.Dispose();
                    read.Dispose();
                    return null;
                }
                copies.Add(copy.Value);
            }
            var environment = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
                environment[(string)e.Key] = (string?)e.Value ?? "";
            foreach (string name in s_dropped) environment.Remove(name);
            environment[SocketActivation.CountVariable] = count.ToString(CultureInfo.InvariantCulture);
            environment[SocketActivation.NamesVariable] = string.Join(':', Enumerable.Repeat("listen", count));
            environment[UpgradeHandoff.ReadyFdVariable] = readyFd.ToString(CultureInfo.InvariantCulture);
            var dup2 = new List<(int, int)>(count + 1) { (write.Fd, readyFd) };
            for (int i = 0; i < count; i++) dup2.Add((copies[i].Fd, SocketActivation.FirstDescriptor + i));
            spawned = PosixSpawn.Spawn(new PosixSpawn.Request
            {
                Program = "/bin/sh",
                Arguments = ["-c", Trampoline, .. argv],
                Environment = environment,
                Dup2 = dup2,
                CloseOtherDescriptors = true,
            });
        }
        finally
        {
            foreach (FileDescriptor copy in copies) copy.Dispose();
        }
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
