namespace PoeSharp;

/// <summary>What the kernel does when a handler throws and no <c>DIE</c> watcher handles it.</summary>
public enum HandlerFailurePolicy
{
    /// <summary>
    /// POE's rule: every session stops and <see cref="Kernel.Run()"/> rethrows the exception. A
    /// server ends; its port closes.
    /// </summary>
    Die,

    /// <summary>
    /// Keep serving: the exception is logged (with the session and the event) through the kernel's
    /// warning output, the failing session and its descendants stop (a wheel they own closes its
    /// connection), and the kernel goes on running every other session. A <c>DIE</c> watcher still
    /// runs first and can answer the client (an HTTP 500) and call <c>SigHandled</c>.
    /// </summary>
    StopSession,
}
