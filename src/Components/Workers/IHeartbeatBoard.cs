namespace PoeSharp.Components.Workers;

/// <summary>
/// One heartbeat channel per worker slot, written by the worker and read by the parent: a pipe per
/// worker in real processes, an array in tests (a fake fork stays in one process). Besides "alive",
/// a worker reports what the status file shows: requests begun and answered, connections accepted,
/// and that it retires.
/// </summary>
internal interface IHeartbeatBoard : IDisposable
{
    /// <summary>In the parent, before forking into <paramref name="slot"/>: a fresh channel, last beat <paramref name="now"/>.</summary>
    void Prepare(int slot, long now);

    /// <summary>Right after the fork: the child keeps only its own writing end, the parent only its reading ends.</summary>
    void Forked(int slot, bool inChild);

    /// <summary>In the worker: "my loop is running" at <paramref name="now"/>; <paramref name="request"/>: and I answered a request.</summary>
    void Beat(int slot, long now, bool request);

    /// <summary>In the worker: a request (method and target) was handed to the handler at <paramref name="now"/>.</summary>
    void RequestStarted(int slot, long now, string method, string target);

    /// <summary>In the worker: a connection was accepted.</summary>
    void ConnectionAccepted(int slot);

    /// <summary>In the worker: it reached its request limit and retires.</summary>
    void Retiring(int slot);

    /// <summary>In the parent at <paramref name="now"/>: the time (<see cref="TimeProvider.GetTimestamp"/>) of the last beat seen from <paramref name="slot"/>.</summary>
    long LastBeat(int slot, long now);

    /// <summary>In the parent: the requests <paramref name="slot"/>'s worker reported up to the last <see cref="LastBeat"/>.</summary>
    int Requests(int slot);

    /// <summary>In the parent: the connections <paramref name="slot"/>'s worker reported accepting, up to the last <see cref="LastBeat"/>.</summary>
    int Connections(int slot);

    /// <summary>
    /// In the parent: the request <paramref name="slot"/>'s worker began last and has not answered
    /// ("METHOD target"), and when it began; null when it has none in progress (as of the last <see cref="LastBeat"/>).
    /// </summary>
    (string? Request, long Since) Current(int slot);

    /// <summary>In the parent: true when <paramref name="slot"/>'s worker reported that it retires (its request limit).</summary>
    bool Retired(int slot);
}
