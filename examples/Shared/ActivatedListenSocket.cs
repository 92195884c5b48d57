using PoeSharp.Os;
using PoeSharp.Wheels;

namespace PoeSharp.Examples;

/// <summary>
/// The listener's socket when a service manager passed one (systemd socket activation): a
/// <see cref="ListenAcceptWheel"/> on the inherited descriptor instead of binding, with the same
/// events as the SocketFactory wheel, so the sessions cannot tell the difference.
/// </summary>
internal sealed class ActivatedListenSocket(ListenAcceptWheel wheel) : IListenSocket
{
    /// <summary>Accepts on <paramref name="socket"/>, which the wheel then owns.</summary>
    public static IListenSocket Create(Kernel kernel, ActivatedSocket socket, int maxAcceptsPerReady, bool exclusiveAccept) =>
        new ActivatedListenSocket(new ListenAcceptWheel(kernel, new ListenAcceptOptions
        {
            Handle = socket.Handle,
            OwnsHandle = true,
            AcceptEvent = "got_connection",
            ErrorEvent = "got_error",
            MaxAcceptsPerReady = maxAcceptsPerReady,
            ExclusiveAccept = exclusiveAccept,
        }));

    /// <inheritdoc />
    public bool IsListening => wheel.IsListening;

    /// <inheritdoc />
    public int Port => wheel.LocalEndPoint?.Port ?? 0;

    /// <inheritdoc />
    public System.Net.IPAddress? Address => wheel.LocalEndPoint?.Address;

    /// <inheritdoc />
    public void PauseAccept() => wheel.PauseAccept();

    /// <inheritdoc />
    public void ResumeAccept() => wheel.ResumeAccept();

    /// <inheritdoc />
    public void Dispose() => wheel.Dispose();
}
