using PoeSharp.Wheels;

namespace PoeSharp.Examples;

/// <summary>
/// The listeners' one departure from the original's got_error: an accept that fails because the
/// process ran out of descriptors or memory does not shut the server down.
/// </summary>
/// <remarks>
/// The original deletes its server on any error, so a flood of idle connections that exhausts
/// the descriptor limit of the parent would stop the whole tree for good. The wheel itself
/// waits <see cref="SocketFactoryOptions.AcceptErrorDelay"/> and accepts again, so the listener
/// only has to say what happened (at most a line per delay) and carry on.
/// </remarks>
internal static class AcceptErrors
{
    /// <summary>True (after logging it) when the error is a transient accept failure to ride out.</summary>
    public static bool KeepListening(DebugLog log, int pid, string syscall, int errno, string error)
    {
        if (syscall != "accept" || !SocketFactoryWheel.IsResourceExhaustion(errno)) return false;
        log.Always($"Server {pid} got {syscall} error {errno}: {error}; accepting again shortly.");
        return true;
    }
}
