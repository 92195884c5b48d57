namespace PoeSharp.Loop;

/// <summary>
/// A direct readiness callback for a watched descriptor: what wheels and the kernel's own
/// descriptors (signals, child exits, wake-ups) use instead of a named event, so a readiness
/// costs no lookup and no allocation.
/// </summary>
public interface IReadyHandler
{
    /// <summary>Called on the kernel's thread when <paramref name="fd"/> is ready for <paramref name="mode"/>.</summary>
    void OnReady(int fd, IoMode mode);
}
