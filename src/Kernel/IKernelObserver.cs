namespace PoeSharp;

/// <summary>
/// Sees what the kernel does, for recording in tests and diagnostics. Set through
/// <see cref="KernelOptions.Observer"/>; the kernel checks for null and spends nothing otherwise.
/// Called on the kernel's thread; must not call back into the kernel.
/// </summary>
public interface IKernelObserver
{
    /// <summary>An event was queued for <paramref name="dest"/>.</summary>
    void OnEnqueued(Session dest, Session sender, string ev, object?[] args, EventKind kind);

    /// <summary>An event is about to be dispatched to <paramref name="dest"/> (handled or not).</summary>
    void OnDispatched(Session dest, Session sender, string ev, object?[] args, EventKind kind);

    /// <summary>A handler of <paramref name="session"/> threw while handling <paramref name="ev"/>.</summary>
    void OnHandlerFailed(Session session, string ev, Exception exception);
}
