using System.Net.Sockets;
using PoeSharp.Filters;

namespace PoeSharp.Components;

/// <summary>
/// Where a <see cref="TcpClient"/> connects and what it calls (POE::Component::Client::TCP's
/// constructor options, C# names). <see cref="RemoteAddress"/> is required, and
/// <see cref="RemotePort"/> for IP; an invalid value throws <see cref="ArgumentException"/>
/// from the client's constructor, naming the property.
/// </summary>
public sealed record TcpClientOptions
{
    /// <summary>An IPv4 or IPv6 literal, a host name (looked up, blocking) or an absolute UNIX socket path.</summary>
    public required string RemoteAddress { get; init; }

    /// <summary>The port to connect to (1..65535); leave 0 for a UNIX socket.</summary>
    public int RemotePort { get; init; }

    /// <summary>InterNetwork, InterNetworkV6 or Unix; null (the default) infers it from <see cref="RemoteAddress"/>.</summary>
    public AddressFamily? Domain { get; init; }

    /// <summary>A local address to bind before connecting; null = the OS chooses.</summary>
    public string? BindAddress { get; init; }

    /// <summary>A local port to bind before connecting; 0 = the OS chooses.</summary>
    public int BindPort { get; init; }

    /// <summary>Give up a connect attempt after this long (ConnectError with ETIMEDOUT); null = no limit.</summary>
    public TimeSpan? ConnectTimeout { get; init; }

    /// <summary>
    /// Reconnect after a failed connect or a lost connection, with back-off; null (the default)
    /// = never (the program may call <see cref="TcpClient.Reconnect"/> itself, as in POE).
    /// A <see cref="TcpClient.Shutdown"/> never reconnects.
    /// </summary>
    public ReconnectPolicy? Reconnect { get; init; }

    /// <summary>The filter of both directions, cloned for each connection. Default: <see cref="LineFilter"/>.</summary>
    public IFilter? Filter { get; init; }

    /// <summary>The input filter, cloned for each connection (with <see cref="OutputFilter"/>, instead of <see cref="Filter"/>).</summary>
    public IFilter? InputFilter { get; init; }

    /// <summary>The output filter, cloned for each connection.</summary>
    public IFilter? OutputFilter { get; init; }

    /// <summary>An alias for the client's session.</summary>
    public string? Alias { get; init; }

    /// <summary>Runs in the client's session before the first connect attempt.</summary>
    public Action<TcpClient>? Started { get; init; }

    /// <summary>Runs when a connection is established: send the first request here.</summary>
    public Action<TcpClient>? Connected { get; init; }

    /// <summary>Runs when a connect attempt fails (refused, timed out, address not found); a retry follows with <see cref="Reconnect"/>.</summary>
    public Action<TcpClient, TcpError>? ConnectError { get; init; }

    /// <summary>Runs for each record the input filter decodes (a string with the default LineFilter).</summary>
    public Action<TcpClient, object>? ServerInput { get; init; }

    /// <summary>Runs on a read, write or decode error of an established connection (the server's orderly close is not an error); the connection is then closed.</summary>
    public Action<TcpClient, TcpError>? ServerError { get; init; }

    /// <summary>Runs each time the output buffer becomes empty.</summary>
    public Action<TcpClient>? ServerFlushed { get; init; }

    /// <summary>Runs once each time an established connection closes, whoever closed it.</summary>
    public Action<TcpClient>? Disconnected { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    internal void Validate()
    {
        const string p = "TcpClientOptions.";
        if (string.IsNullOrEmpty(RemoteAddress))
            throw Options.Invalid(p + nameof(RemoteAddress), "is required; give an IP address, a host name or a UNIX socket path");
        Options.CheckDomain(p + nameof(Domain), Domain);
        bool unix = Domain == AddressFamily.Unix || (Domain is null && RemoteAddress.StartsWith('/'));
        if (unix ? RemotePort != 0 : RemotePort is < 1 or > 65535)
            throw Options.Invalid(p + nameof(RemotePort), RemotePort, unix ? "must be 0 for a UNIX socket" : "must be 1..65535");
        Options.CheckPort(p + nameof(BindPort), BindPort);
        if (ConnectTimeout is { } t && t <= TimeSpan.Zero)
            throw Options.Invalid(p + nameof(ConnectTimeout), t, "must be positive, or null for no limit");
        Reconnect?.Validate(p + nameof(Reconnect));
        if (Alias is { Length: 0 })
            throw Options.Invalid(p + nameof(Alias), "is empty; give a name or leave it null");
        Options.CheckFilters(p, Filter, InputFilter, OutputFilter);
    }
}
