namespace PoeSharp.Loop;

/// <summary>
/// The readiness a descriptor watcher waits for. The numeric values are POE's
/// (<c>ARG1</c> of a select handler: 0 read, 1 write, 2 expedite).
/// </summary>
public enum IoMode
{
    /// <summary>Readable: data, a pending connection, or end of file.</summary>
    Read = 0,

    /// <summary>Writable: room in the send buffer, or a finished non-blocking connect.</summary>
    Write = 1,

    /// <summary>Out-of-band ("expedited") data; <c>EPOLLPRI</c>.</summary>
    Expedite = 2,
}
