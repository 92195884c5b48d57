using PoeSharp.Components;

namespace PoeSharp.Examples;

/// <summary>The echo server itself: every line a client sends comes back to it.</summary>
public static class EchoServer
{
    /// <summary>
    /// Listens on <paramref name="port"/> (0 = any free port) with <paramref name="workers"/>
    /// pre-forked worker processes (0 = this one process) and announces the port on <paramref name="log"/>.
    /// With <paramref name="listenSocket"/> (socket activation, or the old master of a binary upgrade)
    /// it accepts on that socket instead of binding <paramref name="port"/>. With <paramref name="reusePort"/>
    /// (and workers) each worker slot accepts on its own SO_REUSEPORT socket on the port.
    /// </summary>
    public static TcpServer<object> Start(Kernel kernel, int port, TextWriter log, int workers = 0,
                                          PoeSharp.Os.FileDescriptor? listenSocket = null, bool reusePort = false) => new(kernel, new()
    {
        Port = listenSocket is null ? port : 0,
        ListenHandle = listenSocket,
        Workers = workers,
        ReusePort = reusePort,
        Started = server => log.WriteLine($"EchoServer has begun listening on port {server.Port}"),
        ClientInput = (client, line) => client.Put(line),
    });
}
