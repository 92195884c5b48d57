namespace PoeSharp.Wheels.Drivers;

/// <summary>A wheel whose first write waits for the end of the current readiness callback (<see cref="WriteBatch"/>).</summary>
internal interface IDeferredWriter
{
    /// <summary>
    /// Writes the output queued during the callback (<paramref name="write"/> true), or, when the
    /// callback failed, hands it to the write watcher instead.
    /// </summary>
    void WriteDeferred(bool write);

    /// <summary>
    /// In a process forked during the callback: forgets the output queued during it, which the
    /// parent writes, so that the peer does not get it twice.
    /// </summary>
    void DropDeferred();
}
