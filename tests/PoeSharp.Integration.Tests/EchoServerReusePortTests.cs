using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using PoeSharp.Integration.Tests.Support;

namespace PoeSharp.Integration.Tests;

/// <summary>EchoServer with <c>--reuseport</c>: one SO_REUSEPORT socket per worker slot, end to end with real processes.</summary>
public sealed partial class EchoServerWorkersTests
{
    [Test]
    public void With_reuseport_every_worker_echoes_on_its_own_socket_a_respawn_takes_over_its_slots_socket_and_TERM_leaves_none()
    {
        ServerProcess server = Server = ServerProcess.Start("EchoServer", "--port", "0", "--workers", "3", "--reuseport");
        string line = server.WaitForLine(ServerProcess.ListeningLine(), Patience);
        int port = int.Parse(ServerProcess.ListeningLine().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.That(ServerProcess.Eventually(() => server.Children().Count(c => !c.IsZombie) == 3, Patience), Is.True,
            "expected 3 workers:\n" + server.Tail());
        string[] sockets = ListeningSockets.Inodes(port);
        Assert.That(sockets, Has.Length.EqualTo(3), "three listening sockets on the port");
        Dictionary<int, string> socketOf = ListeningSockets.OfWorkers(server, sockets);
        Assert.That(socketOf.Values.Distinct().Count(), Is.EqualTo(3), "each worker holds its own socket, and only it");
        Assert.That(sockets.All(s => ListeningSockets.IsHeldBy(server.Pid, s)), Is.True, "the parent keeps every slot's socket");
        Assert.That(EchoFromEach(server, port, socketOf.Keys), Is.True, "every worker echoes:\n" + server.Tail());

        Dictionary<int, string> after = ListeningSockets.KillOneAndAssertItsSlotSocketTakenOver(server, port, sockets, socketOf, Patience);
        Assert.That(EchoFromEach(server, port, after.Keys), Is.True, "the respawned worker echoes too:\n" + server.Tail());

        server.Signal(ProcessTree.SIGTERM);
        Assert.That(server.WaitAllGone(Patience), Is.True, "not every process ended:\n" + server.Tail());
        Assert.That(server.ExitCode, Is.Zero, server.Tail());
        Assert.That(ListeningSockets.Inodes(port), Is.Empty, "no socket left listening");
    }

    // Echoes, each on a new connection (the kernel hashes connections over the sockets), until each of the pids has served one.
    private static bool EchoFromEach(ServerProcess server, int port, IEnumerable<int> pids)
    {
        var missing = new HashSet<int>(pids);
        int n = 0;
        return ServerProcess.Eventually(() =>
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 10_000 };
            socket.Connect(IPAddress.Loopback, port);
            using var reader = new StreamReader(new NetworkStream(socket), Encoding.ASCII);
            string text = $"line {++n}";
            socket.Send(Encoding.ASCII.GetBytes(text + "\n"));
            Assert.That(reader.ReadLine(), Is.EqualTo(text));
            missing.Remove(OwnerOf(server, port, ((IPEndPoint)socket.LocalEndPoint!).Port));
            return missing.Count == 0;
        }, Patience);
    }
}
