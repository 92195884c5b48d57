using PoeSharp.Wheels;

namespace PoeSharp.Examples;

/// <summary>The real <see cref="IListenSocket"/>: a server <see cref="SocketFactoryWheel"/>, as in the original.</summary>
internal sealed class SocketFactoryListenSocket(SocketFactoryWheel wheel) : IListenSocket
{
    /// <summary>
    /// Creates the listener's wheel in the active session: <c>POE::Wheel::SocketFactory-&gt;new(BindPort
    /// =&gt; SERVER_PORT, SuccessEvent =&gt; "got_connection", FailureEvent =&gt; "got_error", Reuse =&gt; "yes")</c>.
    /// </summary>
    public static IListenSocket Create(Kernel kernel, ServerOptions options, int maxAcceptsPerReady) =>
        new SocketFactoryListenSocket(new SocketFactoryWheel(kernel, new SocketFactoryOptions
        {
            BindAddress = options.Address.ToString(),
            BindPort = options.Port,
            SuccessEvent = "got_connection",
            FailureEvent = "got_error",
            Reuse = true,
            MaxAcceptsPerReady = maxAcceptsPerReady,
            ExclusiveAccept = options.ExclusiveAccept,
        }));

    /// <inheritdoc />
    public bool IsListening => wheel.IsListening;

    /// <inheritdoc />
    public int Port => wheel.BoundPort;

    /// <inheritdoc />
    public System.Net.IPAddress? Address => wheel.LocalEndPoint?.Address;

    /// <inheritdoc />
    public void PauseAccept() => wheel.PauseAccept();

    /// <inheritdoc />
    public void ResumeAccept() => wheel.ResumeAccept();

    /// <inheritdoc />
    public void Dispose() => wheel.Dispose();
}
