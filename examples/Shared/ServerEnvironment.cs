using PoeSharp.Os;

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

    /// <summary>
    /// The real environment: stderr, a SocketFactory wheel (or, when a service manager passed a
    /// listening socket, a ListenAccept wheel on it: --address and --port are then not used),
    /// System.Random and kill(2).
    /// </summary>
    public static ServerEnvironment Real(ServerOptions options, int maxAcceptsPerReady)
    {
        ActivatedSocket? activated = SocketActivation.IsActivated ? TakeListeningSocket() : null;
        return new()
        {
            Log = new DebugLog(Console.Error, options.Debug),
            CreateServer = activated is null
                ? (kernel, o) => SocketFactoryListenSocket.Create(kernel, o, maxAcceptsPerReady)
                : (kernel, _) => ActivatedListenSocket.Create(kernel, activated, maxAcceptsPerReady, options.ExclusiveAccept),
            Random = new SystemRandomSource(),
            Signals = new PosixSignaller(),
        };
    }

    /// <summary>The first listening socket passed; the others are closed (one port is served).</summary>
    private static ActivatedSocket TakeListeningSocket()
    {
        IReadOnlyList<ActivatedSocket> passed = SocketActivation.Take();
        ActivatedSocket? listening = passed.FirstOrDefault(s => s.IsListening);
        foreach (ActivatedSocket other in passed)
            if (!ReferenceEquals(other, listening)) other.Handle.Dispose();
        return listening ?? throw new InvalidOperationException(
            $"Socket activation passed {passed.Count} socket(s) but none is a listening stream socket; configure the socket unit with ListenStream= and Accept=no.");
    }
}
