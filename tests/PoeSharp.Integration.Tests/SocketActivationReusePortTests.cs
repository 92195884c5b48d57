using PoeSharp.Integration.Tests.Support;

namespace PoeSharp.Integration.Tests;

/// <summary>Socket activation and SO_REUSEPORT: a passed socket without SO_REUSEPORT cannot be joined by the workers' sockets.</summary>
public sealed partial class SocketActivationTests
{
    [Test]
    public void HelloHttp_with_reuseport_refuses_a_passed_socket_without_SO_REUSEPORT_and_says_why()
    {
        string activate = SocketActivateTool();
        int port = FreePort();
        Server = ServerProcess.StartProgram(ServerProcess.DllPath("HelloHttp"), [], null, [activate, "-l", $"127.0.0.1:{port}"],
            ["--workers", "2", "--reuseport"]);
        Server.WaitForLine(ActivateListening(), Patience);
        // The tool starts the server on the first connection, which then gets no answer (or a reset).
        try
        {
            _ = HttpProbe.Exchange(port, HttpProbe.Request("/", ("Host", "t")), Patience);
        }
        catch (System.Net.Sockets.SocketException)
        {
        }
        Assert.That(Server.WaitForExit(Patience), Is.True, Server.Tail());
        Assert.That(Server.ExitCode, Is.EqualTo(1), Server.Tail());
        Assert.That(Server.Stderr, Does.Contain("does not have SO_REUSEPORT"), Server.Tail());
    }
}
