namespace PoeSharp.Components.Workers;

/// <summary>
/// One heartbeat slot per worker, written by the worker and read by the parent: a shared mapping
/// in real processes, an array in tests (a fake fork stays in one process).
/// </summary>
internal interface IHeartbeatBoard : IDisposable
{
    /// <summary>Number of slots.</summary>
    int Slots { get; }

    /// <summary>The timestamp (<see cref="TimeProvider.GetTimestamp"/>) last written to <paramref name="slot"/>.</summary>
    long Read(int slot);

    /// <summary>Writes <paramref name="timestamp"/> to <paramref name="slot"/>.</summary>
    void Write(int slot, long timestamp);
}
