namespace PoeSharp.Components;

/// <summary>
/// A socket error reported by a component: the operation that failed ("bind", "listen",
/// "accept", "connect", "read", "write", "decode", "getaddrinfo"), its errno and a message, as
/// the wheels report them (POE's <c>ARG0..ARG2</c> of an error event).
/// </summary>
/// <param name="Operation">The system call or stage that failed.</param>
/// <param name="Errno">The errno value (EBADMSG for a "decode" error: the filter rejected the bytes).</param>
/// <param name="Message">The error text.</param>
public readonly record struct TcpError(string Operation, int Errno, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Operation} error {Errno}: {Message}";
}
