using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using PoeSharp.Integration.Tests.Support;

namespace PoeSharp.Integration.Tests;

/// <summary>EchoServer with <c>--workers 2</c> (TcpServer on a PreforkPool) run as a real process tree.</summary>
[Category("Integration")]
[NonParallelizable]
public sealed class EchoServerWorkersTests : ServerProcessFixture
{
    // Bounds a wait for something that must happen, so a hang fails the test.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Test]
    public void Two_workers_echo_lines_from_several_connections_and_TERM_leaves_no_process()
    {
        ServerProcess server = Server = ServerProcess.Start("EchoServer", "--port", "0", "--workers", "2");
        string line = server.WaitForLine(ServerProcess.ListeningLine(), Patience);
        int port = int.Parse(ServerProcess.ListeningLine().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.That(ServerProcess.Eventually(() => server.Children().Count(c => !c.IsZombie) == 2, Patience), Is.True,
            "expected 2 workers:\n" + server.Tail());
        int[] workers = server.Children().Select(c => c.Pid).ToArray();

        var clients = new List<(Socket Socket, StreamReader Reader)>();
        try
        {
            for (int i = 0; i < 6; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 30_000 };
                socket.Connect(IPAddress.Loopback, port);
                clients.Add((socket, new StreamReader(new NetworkStream(socket), Encoding.ASCII)));
            }
            // Two rounds, so each connection is answered more than once while the others stay open.
            for (int round = 0; round < 2; round++)
            {
                for (int i = 0; i < clients.Count; i++) clients[i].Socket.Send(Encoding.ASCII.GetBytes($"line {round} from {i}\n"));
                for (int i = 0; i < clients.Count; i++) Assert.That(clients[i].Reader.ReadLine(), Is.EqualTo($"line {round} from {i}"));
            }
            foreach (var (socket, _) in clients)
            {
                int owner = OwnerOf(server, port, ((IPEndPoint)socket.LocalEndPoint!).Port);
                Assert.That(workers, Does.Contain(owner), $"connection served by {owner}, not by a worker (parent {server.Pid})");
            }
        }
        finally
        {
            foreach (var (socket, reader) in clients)
            {
                reader.Dispose();
                socket.Dispose();
            }
        }

        server.Signal(ProcessTree.SIGTERM);
        Assert.That(server.WaitAllGone(Patience), Is.True, "not every process ended:\n" + server.Tail());
        Assert.That(server.ExitCode, Is.Zero, server.Tail());
    }

    /// <summary>The pid of the process of the tree that holds the server's end of the connection from <paramref name="clientPort"/>.</summary>
    private static int OwnerOf(ServerProcess server, int serverPort, int clientPort)
    {
        // /proc/net/tcp: "sl local rem st tx:rx tr:when retrnsmt uid timeout inode", addresses as HEXIP:HEXPORT.
        string local = serverPort.ToString("X4", CultureInfo.InvariantCulture);
        string remote = clientPort.ToString("X4", CultureInfo.InvariantCulture);
        string? inode = File.ReadLines("/proc/net/tcp").Skip(1)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f[1].EndsWith(":" + local, StringComparison.Ordinal) && f[2].EndsWith(":" + remote, StringComparison.Ordinal))
            .Select(f => f[9]).FirstOrDefault();
        Assert.That(inode, Is.Not.Null, $"no server socket for the connection from port {clientPort}");
        string target = $"socket:[{inode}]";
        int[] holders = server.Children().Select(c => c.Pid).Append(server.Pid)
            .Where(pid => HoldsSocket(pid, target)).ToArray();
        Assert.That(holders, Has.Length.EqualTo(1), $"exactly one process holds the connection from port {clientPort}");
        return holders[0];
    }

    private static bool HoldsSocket(int pid, string target)
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
}
