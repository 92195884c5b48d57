using System.Globalization;

namespace PoeSharp.Integration.Tests.Support;

/// <summary>Which TCP sockets listen on a port, and which processes hold them (/proc/net/tcp and /proc/PID/fd).</summary>
internal static class ListeningSockets
{
    /// <summary>The socket inodes ("socket:[N]") of the TCP sockets listening on <paramref name="port"/> (/proc/net/tcp, state 0A).</summary>
    public static string[] Inodes(int port)
    {
        string local = ":" + port.ToString("X4", CultureInfo.InvariantCulture);
        return File.ReadLines("/proc/net/tcp").Skip(1)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f[1].EndsWith(local, StringComparison.Ordinal) && f[3] == "0A")
            .Select(f => $"socket:[{f[9]}]").ToArray();
    }

    /// <summary>True if process <paramref name="pid"/> has a descriptor for <paramref name="target"/> ("socket:[N]").</summary>
    public static bool IsHeldBy(int pid, string target)
    {
        try
        {
            return new DirectoryInfo($"/proc/{pid}/fd").EnumerateFileSystemInfos().Any(fd => fd.LinkTarget == target);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Each live worker of <paramref name="server"/> and the one socket of <paramref name="sockets"/> it holds (asserts it holds exactly one).</summary>
    public static Dictionary<int, string> OfWorkers(ServerProcess server, string[] sockets)
    {
        var result = new Dictionary<int, string>();
        foreach (ProcInfo worker in server.Children().Where(c => !c.IsZombie))
        {
            string[] held = sockets.Where(s => IsHeldBy(worker.Pid, s)).ToArray();
            Assert.That(held, Has.Length.EqualTo(1), $"worker {worker.Pid} holds one listening socket");
            result[worker.Pid] = held[0];
        }
        return result;
    }

    /// <summary>
    /// SO_REUSEPORT: kills one worker of <paramref name="socketOf"/> (each worker and its slot's socket) and
    /// asserts that it is replaced, that the port's listening sockets stay <paramref name="sockets"/> and that
    /// the new worker holds the killed one's socket. Returns the workers and their sockets after it.
    /// </summary>
    public static Dictionary<int, string> KillOneAndAssertItsSlotSocketTakenOver(ServerProcess server, int port, string[] sockets,
                                                                               Dictionary<int, string> socketOf, TimeSpan patience)
    {
        int victim = socketOf.Keys.First();
        Assert.That(ProcessTree.Kill(victim, ProcessTree.SIGKILL), Is.True);
        Assert.That(ServerProcess.Eventually(() =>
        {
            int[] live = server.Children().Where(c => !c.IsZombie).Select(c => c.Pid).ToArray();
            return live.Length == socketOf.Count && !live.Contains(victim);
        }, patience), Is.True, "the killed worker is replaced:\n" + server.Tail());
        Assert.That(Inodes(port), Is.EquivalentTo(sockets), "no socket closed, none opened");
        Dictionary<int, string> after = OfWorkers(server, sockets);
        int respawned = after.Keys.Single(pid => !socketOf.ContainsKey(pid));
        Assert.That(after[respawned], Is.EqualTo(socketOf[victim]), "the new worker accepts on its slot's socket");
        return after;
    }
}
