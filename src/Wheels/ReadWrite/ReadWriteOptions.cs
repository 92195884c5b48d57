using PoeSharp.Filters;
using PoeSharp.Os;

namespace PoeSharp.Wheels;

/// <summary>
/// Parameters of a <see cref="ReadWriteWheel"/> (POE::Wheel::ReadWrite's constructor). Only
/// <see cref="Handle"/> is required; everything else has POE's default.
/// </summary>
public sealed record ReadWriteOptions
{
    /// <summary>The default read size: POE::Driver::SysRW's BlockSize.</summary>
    public const int DefaultReadBlockSize = 64 * 1024;

    /// <summary>The default bound of the input buffer.</summary>
    public const int DefaultMaxInputBuffer = 4 * 1024 * 1024;

    /// <summary>The descriptor to read from and (unless <see cref="OutputHandle"/> is set) write to; made non-blocking.</summary>
    public required FileDescriptor Handle { get; init; }

    /// <summary>A separate descriptor for output (POE's InputHandle/OutputHandle pair, e.g. two pipe ends); null = <see cref="Handle"/>.</summary>
    public FileDescriptor? OutputHandle { get; init; }

    /// <summary>When true (the default) the wheel closes its handles on Dispose.</summary>
    public bool OwnsHandle { get; init; } = true;

    /// <summary>The filter for both directions; wins over <see cref="InputFilter"/>/<see cref="OutputFilter"/>. Default: a new <see cref="LineFilter"/>.</summary>
    public IFilter? Filter { get; init; }

    /// <summary>The filter that decodes input (when <see cref="Filter"/> is null). Default: a new <see cref="LineFilter"/>.</summary>
    public IFilter? InputFilter { get; init; }

    /// <summary>The filter that encodes output (when <see cref="Filter"/> is null). Default: a new <see cref="LineFilter"/>.</summary>
    public IFilter? OutputFilter { get; init; }

    /// <summary>Receives (record, wheelId) once per decoded record. Null: the wheel never reads.</summary>
    public string? InputEvent { get; init; }

    /// <summary>
    /// Receives (operation, errno, message, wheelId): operation "read" (errno 0 = end of file,
    /// message ""), "write", "decode" (the input filter rejected the bytes; errno EBADMSG), or
    /// "fork" (errno 0: in a forked child, the descriptor was the parent's and has been let go; see <see cref="KeepAfterFork"/>).
    /// </summary>
    public string? ErrorEvent { get; init; }

    /// <summary>Receives (wheelId) each time the output buffer becomes empty.</summary>
    public string? FlushedEvent { get; init; }

    /// <summary>Octets buffered at which the wheel goes high-water (needs <see cref="LowMark"/>).</summary>
    public int? HighMark { get; init; }

    /// <summary>Octets buffered at or below which a high-water wheel goes low again (needs <see cref="HighMark"/> and <see cref="LowEvent"/>).</summary>
    public int? LowMark { get; init; }

    /// <summary>Receives (wheelId) when a write attempt leaves at least <see cref="HighMark"/> octets buffered.</summary>
    public string? HighEvent { get; init; }

    /// <summary>Receives (wheelId) when a high-water buffer drains to <see cref="LowMark"/> or below.</summary>
    public string? LowEvent { get; init; }

    /// <summary>Try a synchronous write in <see cref="ReadWriteWheel.Put(object)"/> when the buffer was empty (POE's AutoFlush).</summary>
    public bool AutoFlush { get; init; }

    /// <summary>
    /// False (the default): in a forked child the wheel lets go of the descriptor it had before the
    /// fork (closed, if it owns it, without shutdown; buffered output dropped, nothing read) and
    /// reports ErrorEvent("fork", 0, message); the connection stays the parent's alone. True: the
    /// child keeps using it, as in POE (e.g. a pipe to a log collector that every process writes).
    /// </summary>
    public bool KeepAfterFork { get; init; }

    /// <summary>Bytes asked for per read (POE::Driver::SysRW BlockSize, default 65536).</summary>
    public int ReadBlockSize { get; init; } = DefaultReadBlockSize;

    /// <summary>
    /// The most unconsumed input the wheel holds for a filter that needs more bytes; beyond it
    /// the wheel reports ErrorEvent("read", ENOBUFS, ...) and stops reading.
    /// </summary>
    public int MaxInputBuffer { get; init; } = DefaultMaxInputBuffer;
}
