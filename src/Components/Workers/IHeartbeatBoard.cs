namespace PoeSharp.Components.Workers;

/// <summary>
/// One heartbeat channel per worker slot, written by the worker and read by the parent: a pipe per
/// worker in real processes, an array in tests (a fake fork stays in one process).
/// </summary>
internal interface IHeartbeatBoard : IDisposable
{
    /// <summary>In the parent, before forking into <paramref name="slot"/>: a fresh channel, last beat <paramref name="now"/>.</summary>
    void Prepare(int slot, long now);

    /// <summary>Right after the fork: the child keeps only its own writing end, the parent only its reading ends.</summary>
    void Forked(int slot, bool inChild);

    /// <summary>In the worker: "my loop is running" at <paramref name="now"/>; <paramref name="request"/>: and I answered a request.</summary>
    void Beat(int slot, long now, bool request);

    /// <summary>In the parent at <paramref name="now"/>: the time (<see cref="TimeProvider.GetTimestamp"/>) of the last beat seen from <paramref name="slot"/>.</summary>
    long LastBeat(int slot, long now);

    /// <summary>In the parent: the requests <paramref name="slot"/>'s worker reported up to the last <see cref="LastBeat"/>.</summary>
    int Requests(int slot);
}
