using PoeSharp.Os;

namespace PoeSharp.Wheels;

/// <summary>
/// Parameters of a <see cref="ListenAcceptWheel"/> (POE::Wheel::ListenAccept): a socket the
/// program already bound and put in listening state, and the events for what it accepts.
/// </summary>
public sealed record ListenAcceptOptions
{
    /// <summary>The listening socket (e.g. from <see cref="PosixSocket.Socket"/>, <see cref="PosixSocket.Bind"/> and <see cref="PosixSocket.Listen"/>); made non-blocking.</summary>
    public required FileDescriptor Handle { get; init; }

    /// <summary>
    /// When true the wheel closes <see cref="Handle"/> on Dispose. False (the default): the handle
    /// stays open and listening, as POE's wheel never closes the socket it was given, so it can be
    /// handed to a new wheel (or shared with forked children).
    /// </summary>
    public bool OwnsHandle { get; init; }

    /// <summary>Receives (socket <see cref="FileDescriptor"/>, peer <see cref="System.Net.IPAddress"/>? (null for UNIX), peer port, wheelId); the receiver owns the socket.</summary>
    public required string AcceptEvent { get; init; }

    /// <summary>Receives (operation "accept", errno, message, wheelId). Null: errors are not reported (the wheel still keeps listening).</summary>
    public string? ErrorEvent { get; init; }

    /// <summary>How many pending connections one read-readiness accepts (POE accepts one); see <see cref="SocketFactoryOptions.MaxAcceptsPerReady"/>.</summary>
    public int MaxAcceptsPerReady { get; init; } = SocketFactoryOptions.DefaultMaxAcceptsPerReady;

    /// <summary>
    /// After an accept fails for lack of resources (EMFILE, ENFILE, ENOBUFS, ENOMEM) the wheel stops
    /// accepting for this long instead of spinning on the pending connection; see
    /// <see cref="SocketFactoryOptions.AcceptErrorDelay"/>. Null retries at the next readiness, as POE does.
    /// </summary>
    public TimeSpan? AcceptErrorDelay { get; init; } = SocketFactoryOptions.DefaultAcceptErrorDelay;

    /// <summary>One process of those sharing the socket is woken per pending connection; see <see cref="SocketFactoryOptions.ExclusiveAccept"/>.</summary>
    public bool ExclusiveAccept { get; init; }
}
