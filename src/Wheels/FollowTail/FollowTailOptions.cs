using PoeSharp.Filters;
using PoeSharp.Os;

namespace PoeSharp.Wheels;

/// <summary>
/// Parameters of a <see cref="FollowTailWheel"/> (POE::Wheel::FollowTail's constructor): exactly
/// one of <see cref="Filename"/> and <see cref="Handle"/>, and <see cref="InputEvent"/>.
/// </summary>
public sealed record FollowTailOptions
{
    /// <summary>The default <see cref="PollInterval"/>: one second, as POE.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(1);

    /// <summary>How far before the end a follower starts by default, to find where the last record begins (POE's 4096).</summary>
    public const int DefaultLookBack = 4096;

    /// <summary>
    /// The file to follow. It may not exist yet (the wheel waits for it) and may be rotated
    /// (renamed or removed and created again) or truncated: the wheel follows the name. A FIFO is
    /// opened read-write, so it never reads end of file when its writers come and go.
    /// </summary>
    public string? Filename { get; init; }

    /// <summary>An open descriptor to follow instead of a name: a regular file (polled; truncation is detected, rotation cannot be) or a pipe, FIFO, socket or terminal (watched).</summary>
    public FileDescriptor? Handle { get; init; }

    /// <summary>With <see cref="Handle"/>: when true (the default) the wheel closes it on Dispose. A file opened by <see cref="Filename"/> is always the wheel's.</summary>
    public bool OwnsHandle { get; init; } = true;

    /// <summary>Decodes the bytes read. Default: a new <see cref="LineFilter"/>.</summary>
    public IFilter? Filter { get; init; }

    /// <summary>Receives (record, wheelId) once per decoded record. Required.</summary>
    public required string InputEvent { get; init; }

    /// <summary>
    /// Receives (operation, errno, message, wheelId): "open" (the file exists but cannot be opened),
    /// "read" (errno 0 and message "" = end of file on a pipe, socket or terminal), "stat", or
    /// "decode" (the filter rejected the bytes; errno EBADMSG), or "fork" (errno 0: in a forked child,
    /// the file was the parent's; see <see cref="KeepAfterFork"/>). The wheel stops following after any
    /// of them. Null: errors are not reported.
    /// </summary>
    public string? ErrorEvent { get; init; }

    /// <summary>Receives (wheelId) when the file was truncated or rotated and is read again from its start, and when a file that did not exist is opened.</summary>
    public string? ResetEvent { get; init; }

    /// <summary>Receives (wheelId) after each poll of a file that found nothing new (POE's IdleEvent).</summary>
    public string? IdleEvent { get; init; }

    /// <summary>How often a regular file is polled for new data (positive; default one second). Pipes are watched instead.</summary>
    public TimeSpan PollInterval { get; init; } = DefaultPollInterval;

    /// <summary>
    /// Start this many bytes after the beginning of a regular file (at the end if the file is
    /// shorter). 0 reads the whole file. Not with <see cref="SeekBack"/>. Without either, the wheel
    /// starts at the end of the file, as POE.
    /// </summary>
    public long? Seek { get; init; }

    /// <summary>Start this many bytes before the end of a regular file (at its beginning if it is shorter); 0 = at the end. Not with <see cref="Seek"/>.</summary>
    public long? SeekBack { get; init; }

    /// <summary>
    /// False (the default): in a forked child the wheel stops following a file it followed before
    /// the fork (its descriptor, whose read offset the parent shares, closed without reading;
    /// ErrorEvent("fork", 0, message, wheelId)). True: both processes keep reading from the shared
    /// offset, as in POE, so each new record reaches only one of them.
    /// </summary>
    public bool KeepAfterFork { get; init; }

    /// <summary>Bytes asked for per read (default 65536, POE::Driver::SysRW's BlockSize).</summary>
    public int ReadBlockSize { get; init; } = ReadWriteOptions.DefaultReadBlockSize;

    /// <summary>The most unconsumed input held for a record the filter cannot complete; beyond it ErrorEvent("read", ENOBUFS, ...).</summary>
    public int MaxInputBuffer { get; init; } = ReadWriteOptions.DefaultMaxInputBuffer;
}
