namespace PoeSharp.Examples;

/// <summary>
/// What the example sessions take from the outside world, replaceable in tests: where messages
/// go, how the listening socket is made, the random source for churn and how children are signalled.
/// The clock is the kernel's (<see cref="Kernel.Time"/>).
/// </summary>
internal sealed class ServerEnvironment
{
    /// <summary>The debug and always-printed messages.</summary>
    public required DebugLog Log { get; init; }

    /// <summary>Creates the listening socket inside the active (listener) session.</summary>
    public required Func<Kernel, ServerOptions, IListenSocket> CreateServer { get; init; }

    /// <summary>rand() for TESTING_CHURN.</summary>
    public required IRandomSource Random { get; init; }

    /// <summary>kill(2) for children.</summary>
    public required IProcessSignaller Signals { get; init; }

    /// <summary>The real environment: stderr, a SocketFactory wheel, System.Random and kill(2).</summary>
    public static ServerEnvironment Real(ServerOptions options, int maxAcceptsPerReady) => new()
    {
        Log = new DebugLog(Console.Error, options.Debug),
        CreateServer = (kernel, o) => SocketFactoryListenSocket.Create(kernel, o, maxAcceptsPerReady),
        Random = new SystemRandomSource(),
        Signals = new PosixSignaller(),
    };
}
