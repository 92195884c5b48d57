using PoeSharp.Filters;
using PoeSharp.Loop;
using PoeSharp.Os;
using PoeSharp.Wheels.Drivers;

namespace PoeSharp.Wheels;

/// <summary>
/// Follows a growing file, like <c>tail -F</c> (POE::Wheel::FollowTail): every record appended to
/// it goes to <see cref="InputEvent"/>, decoded by a filter. A regular file is polled with a
/// kernel timer (readiness says nothing about files: they are always "readable"); a pipe, FIFO,
/// socket or terminal is watched for readability instead.
/// </summary>
/// <remarks>
/// <para>Events, delivered with Call: InputEvent(record, wheelId); ResetEvent(wheelId);
/// IdleEvent(wheelId); ErrorEvent(operation, errno, message, wheelId), see
/// <see cref="FollowTailOptions.ErrorEvent"/>. Setup failures (a file that exists but cannot be
/// opened) are yielded, so the handler runs after the constructor returns. After an error the
/// wheel stops following; it stays until disposed.</para>
/// <para>Polling: each poll reads whatever is new (at most <see cref="MaxReadsPerPoll"/> blocks,
/// then it polls again at once, after the other sessions' events) and hands it to the filter; a
/// partial record waits for the rest. At the end of the data the wheel compares the file with the
/// name: when the name now means another file (rotated: renamed or removed and created again) it
/// reads the old file once more to its end, closes it, opens the name from the start and emits
/// ResetEvent; when the file is shorter than the position read (truncated) it starts again at 0
/// and emits ResetEvent. While the name is missing the wheel keeps reading a renamed old file
/// (its writer may still be writing), lets go of a removed one, and waits for the name to come
/// back. Otherwise IdleEvent, and the next poll after <see cref="FollowTailOptions.PollInterval"/>.</para>
/// <para>Start position: at the end of the file by default, as POE: the last 4096 bytes are read
/// and their complete records dropped, so a last line still being written arrives whole.
/// <see cref="FollowTailOptions.Seek"/> and <see cref="FollowTailOptions.SeekBack"/> start
/// elsewhere. A file that does not exist yet is read from its start once it appears.</para>
/// <para>Differences from POE 1.370, on purpose: a change of link count alone is not a reset (POE
/// reads the whole file again when a hard link is made); on a reset the filter's unfinished record
/// is dropped (POE glues it to the first record of the new file); end of file on a watched pipe is
/// ErrorEvent("read", 0, "") as in <see cref="ReadWriteWheel"/> (POE: IdleEvent for a pipe, an
/// error for a socket or terminal); a file that cannot be opened for another reason than not
/// existing is reported as ErrorEvent("open", ...) (POE keeps retrying silently).</para>
/// <para>In a forked child (<see cref="Kernel.HasForked"/>, which <see cref="Kernel.Fork"/> runs),
/// a wheel created before the fork stops following before any handler runs: the open file
/// description, and so the read offset, is shared with the parent, and a child that read from
/// it would take records away from the parent. It cancels its poll, stops watching, drops what
/// the filter holds, closes its copy of the descriptor with <c>close(2)</c> only (a handle it does
/// not own is left to its owner) and reports ErrorEvent("fork", 0, message, wheelId). A child
/// that wants to follow the file creates a wheel of its own. <see cref="FollowTailOptions.KeepAfterFork"/>
/// keeps POE's behaviour (both processes read, each record goes to one of them).</para>
/// </remarks>
/// <example>
/// <code>
/// kernel.Create(new LogWatch(), s => s
///     .On("_start", c => c.Heap.Tail = new FollowTailWheel(c.Kernel, new FollowTailOptions
///     {
///         Filename = "/var/log/app.log", InputEvent = "line", ResetEvent = "rolled", ErrorEvent = "failed",
///     }))
///     .On("line", c => Console.WriteLine(c.Arg&lt;string&gt;(0)))
///     .On("rolled", c => Console.WriteLine("-- log rotated --"))
///     .On("failed", c => c.Heap.Tail!.Dispose()));
/// </code>
/// </example>
public sealed class FollowTailWheel : Wheel, IReadyHandler, IRecordSink, IForkAware
{
    /// <summary>The ErrorEvent operation of a wheel that stopped following in a forked child.</summary>
    public const string ForkOperation = "fork";

    /// <summary>The most blocks one poll reads before letting other events run (then it polls again at once).</summary>
    public const int MaxReadsPerPoll = 16;

    private const int EISDIR = 21;

    private readonly string? _filename;
    private readonly bool _ownsHandle;
    private readonly TimeSpan _pollInterval;
    private readonly InputBuffer _input;
    private readonly string _pollState;
    private readonly IFilter _filter;
    private string _inputEvent;
    private FileDescriptor? _handle;
    private bool _polling;    // the poll state is registered (regular files and names)
    private int _timerId;
    private bool _watching;   // a read watcher (pipes and the like)
    private bool _rotated;    // the name means a new file: finish the old one, then switch
    private bool _stopped;    // an error ended following
    private bool _forkAware;  // registered with Kernel.AddForkAware
    private bool _releasedByFork; // in a forked child: the descriptor was the parent's and is gone

    /// <summary>Opens (or waits for) the file in the active session and starts following it.</summary>
    /// <exception cref="ArgumentException">An option is invalid, the handle is closed, or the file is a directory.</exception>
    public FollowTailWheel(Kernel kernel, FollowTailOptions options) : base(kernel)
    {
        ArgumentNullException.ThrowIfNull(options);
        if ((options.Filename is null) == (options.Handle is null))
            throw new ArgumentException("FollowTail needs a Filename or a Handle, but not both.", nameof(options));
        if (options.Filename is "")
            throw new ArgumentException("Filename is empty; pass the path of the file to follow.", nameof(options));
        _inputEvent = options.InputEvent ?? throw new ArgumentException("InputEvent is required.", nameof(options));
        if (options.PollInterval <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), options.PollInterval, "PollInterval must be positive (default one second).");
        if (options.Seek is not null && options.SeekBack is not null)
            throw new ArgumentException("Seek and SeekBack cannot both be set: Seek counts from the start, SeekBack from the end.", nameof(options));
        if (options.Seek < 0 || options.SeekBack < 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.Seek ?? options.SeekBack,
                                                  "Seek and SeekBack are byte counts and cannot be negative; use SeekBack to count from the end.");
        if (options.ReadBlockSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.ReadBlockSize, "ReadBlockSize must be positive (default 65536).");
        if (options.MaxInputBuffer <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxInputBuffer, "MaxInputBuffer must be positive.");
        if (options.Handle is { } given && (given.IsInvalid || given.IsClosed))
            throw new ArgumentException("The handle is closed or invalid; pass an open descriptor.", nameof(options));

        _filename = options.Filename;
        _ownsHandle = options.Filename is not null || options.OwnsHandle;
        _pollInterval = options.PollInterval;
        _filter = options.Filter ?? new LineFilter();
        _input = new InputBuffer(options.ReadBlockSize, options.MaxInputBuffer);
        _pollState = $"{nameof(FollowTailWheel)}({Id}) -> poll";
        ErrorEvent = options.ErrorEvent;
        ResetEvent = options.ResetEvent;
        IdleEvent = options.IdleEvent;

        if (_filename is not null)
        {
            if (PosixFile.Stat(_filename) is { Ok: true } named && named.Value.IsDirectory)
                throw new ArgumentException($"{_filename} is a directory; FollowTail follows files and pipes.", nameof(options));
            var opened = OpenByName(_filename);
            if (!opened.Ok)
            {
                if (opened.Error.Errno == Errno.ENOENT)
                {
                    SchedulePoll(TimeSpan.Zero); // wait for it to appear
                    AddForkAware(options);
                    RegisterWithOwner(); // a force-stopped owner disposes a waiting wheel too
                }
                else Stop("open", opened.Error, yield: true);
                return;
            }
            _handle = opened.Value;
        }
        else
        {
            _handle = options.Handle!;
        }

        var status = PosixFile.FStat(_handle.Fd);
        if (!status.Ok)
        {
            Stop("stat", status.Error, yield: true);
            return;
        }
        if (status.Value.IsDirectory)
        {
            if (_filename is not null) _handle.Dispose();
            throw new ArgumentException("The handle is a directory; FollowTail follows files and pipes.", nameof(options));
        }
        AddForkAware(options);
        RegisterWithOwner();
        if (!status.Value.IsRegular)
        {
            StartWatching(); // Seek and SeekBack mean nothing on a pipe
            return;
        }
        PositionAtStart(options);
        SchedulePoll(TimeSpan.Zero);
    }

    /// <summary>The event that receives (record, wheelId); changeable at run time (POE's event()).</summary>
    public string InputEvent
    {
        get => _inputEvent;
        set => _inputEvent = value ?? throw new ArgumentNullException(nameof(value), "InputEvent cannot be removed; dispose the wheel instead.");
    }

    /// <summary>The event that receives (operation, errno, message, wheelId); null = not reported.</summary>
    public string? ErrorEvent { get; set; }

    /// <summary>The event that receives (wheelId) when the file is read again from its start.</summary>
    public string? ResetEvent { get; set; }

    /// <summary>The event that receives (wheelId) after a poll that found nothing new.</summary>
    public string? IdleEvent { get; set; }

    /// <summary>The descriptor being read; null while waiting for the file to appear, and after Dispose.</summary>
    public FileDescriptor? Handle => _handle;

    /// <summary>The filter decoding the input.</summary>
    public IFilter Filter => _filter;

    /// <summary>True until an error ended following or the wheel was disposed.</summary>
    public bool IsFollowing => !_stopped && !IsDisposed;

    /// <summary>
    /// The offset in the file of the next byte the wheel will read (POE's tell()); bytes of an
    /// unfinished record, already read and held by the filter, are before it. Null when no
    /// file is open or the descriptor cannot seek (a pipe).
    /// </summary>
    public long? Tell()
    {
        if (_handle is null || _handle.IsClosed) return null;
        var at = PosixFile.Seek(_handle.Fd, 0, SeekOrigin.Current);
        return at.Ok ? at.Value : null;
    }

    /// <inheritdoc />
    void IReadyHandler.OnReady(int fd, IoMode mode)
    {
        if (IsDisposed || _stopped || mode != IoMode.Read) return;
        if (!_input.TryRead(fd, _filter, out int n, out int errno, out string message))
        {
            Stop("read", new OsError(errno), message);   // errno 0, "": end of file
            return;
        }
        if (n > 0) Decode();
    }

    /// <inheritdoc />
    bool IForkAware.ReleaseInChild()
    {
        if (IsDisposed || _releasedByFork) return false;
        _releasedByFork = true;
        _forkAware = false;
        _stopped = true;
        _rotated = false;
        CancelPoll();
        CloseHandle();   // unwatches first; our copy only (the parent's offset is untouched)
        if (!_input.IsDecoding) DiscardPending();
        return true;
    }

    /// <inheritdoc />
    void IForkAware.ReportReleasedInChild()
    {
        if (!IsDisposed && ErrorEvent is { } ev)
            Kernel.Call(Owner, ev, ForkOperation, 0, "the file was opened by the parent process; this process stopped following it", BoxedId);
    }

    private void AddForkAware(FollowTailOptions options)
    {
        if (options.KeepAfterFork) return;
        Kernel.AddForkAware(Owner, this);
        _forkAware = true;
    }

    /// <inheritdoc />
    protected override void DisposeCore()
    {
        if (_forkAware) Kernel.RemoveForkAware(Owner, this);
        CancelPoll();
        if (_polling)
        {
            _polling = false;
            Kernel.State(_pollState);
        }
        StopWatching();
        CloseHandle();
        // Inside InputEvent the decode loop still reads the buffer; it releases it when done.
        if (!_input.IsDecoding) _input.Release(force: true);
    }

    /// <summary>Opens a name: a FIFO read-write, so that it never reads end of file (POE does the same).</summary>
    private static OsResult<FileDescriptor> OpenByName(string name)
    {
        bool fifo = PosixFile.Stat(name) is { Ok: true } s && s.Value.IsFifo;
        return PosixFile.Open(name, fifo ? FileAccess.ReadWrite : FileAccess.Read);
    }

    /// <summary>POE's start position for a regular file opened by the constructor.</summary>
    private void PositionAtStart(FollowTailOptions o)
    {
        int fd = _handle!.Fd;
        long end = PosixFile.Seek(fd, 0, SeekOrigin.End) is { Ok: true } e ? e.Value : 0;
        long start = o switch
        {
            { SeekBack: long back } => back >= end ? 0 : end - back,
            { Seek: long seek } => Math.Min(seek, end),
            _ => Math.Max(0, end - FollowTailOptions.DefaultLookBack),
        };
        PosixFile.Seek(fd, start, SeekOrigin.Begin);
        if (o.Seek is not null || o.SeekBack is not null) return;

        // Read to the end and drop the complete records: only an unfinished last record stays,
        // so that it is delivered whole when its writer finishes it.
        for (int i = 0; i < MaxReadsPerPoll && _input.TryRead(fd, _filter, out int n, out _, out _) && n > 0; i++)
        {
            while (_input.Count > 0)
            {
                var status = _input.TryGet(_filter, out _, out int consumed);
                if (status == DecodeStatus.NeedMoreData) break;
                if (status == DecodeStatus.Error || consumed == 0)
                {
                    DiscardPending();
                    break;
                }
            }
        }
    }

    private void OnPoll(EventContext<object?> context)
    {
        _timerId = 0;
        if (IsDisposed || _stopped) return;
        if (_handle is null && !OpenAfterReset()) return;

        int fd = _handle!.Fd;
        for (int reads = 0; ; reads++)
        {
            if (reads == MaxReadsPerPoll)
            {
                SchedulePoll(TimeSpan.Zero); // more to read: after the other sessions' events
                return;
            }
            if (!_input.TryRead(fd, _filter, out int n, out int errno, out string message))
            {
                if (errno != 0)
                {
                    Stop("read", new OsError(errno), message);
                    return;
                }
                break; // end of file
            }
            if (n == 0) break;
            Decode();
            if (IsDisposed || _stopped) return;
        }
        AtEndOfFile(fd);
    }

    /// <summary>Everything is read: has the file been rotated or truncated?</summary>
    private void AtEndOfFile(int fd)
    {
        if (_rotated)
        {
            // The old file is finished: on to the new one.
            _rotated = false;
            CloseHandle();
            SchedulePoll(TimeSpan.Zero);
            return;
        }

        var open = PosixFile.FStat(fd);
        if (!open.Ok)
        {
            Stop("stat", open.Error);
            return;
        }
        if (_filename is not null)
        {
            var named = PosixFile.Stat(_filename);
            if (!named.Ok)
            {
                if (named.Error.Errno != Errno.ENOENT)
                {
                    Stop("stat", named.Error);
                    return;
                }
                // The name is gone. A renamed file may still be written to until the new one
                // appears; a removed one (no links left) is let go.
                if (open.Value.Links == 0) CloseHandle();
                Idle();
                return;
            }
            if (!named.Value.IsSameFile(open.Value))
            {
                // Rotated: one more read catches what the writer added since, then switch.
                _rotated = true;
                SchedulePoll(TimeSpan.Zero);
                return;
            }
        }
        if (Tell() is long position && open.Value.Size < position)
        {
            // Truncated: read it again from the start.
            PosixFile.Seek(fd, 0, SeekOrigin.Begin);
            DiscardPending();
            EmitReset();
            if (!IsDisposed) SchedulePoll(TimeSpan.Zero);
            return;
        }
        Idle();
    }

    /// <summary>Opens the name after a rotation (or for the first time); false when there is nothing to read yet.</summary>
    private bool OpenAfterReset()
    {
        var opened = OpenByName(_filename!);
        if (!opened.Ok)
        {
            if (opened.Error.Errno == Errno.ENOENT) Idle();
            else Stop("open", opened.Error);
            return false;
        }
        _handle = opened.Value;
        DiscardPending();
        var status = PosixFile.FStat(_handle.Fd);
        if (!status.Ok)
        {
            Stop("stat", status.Error);
            return false;
        }
        if (status.Value.IsDirectory)
        {
            Stop("open", new OsError(EISDIR));
            return false;
        }
        EmitReset();
        if (IsDisposed) return false;
        if (status.Value.IsRegular) return true;
        // The name now means a FIFO: watch it instead of polling.
        Kernel.State(_pollState);
        _polling = false;
        StartWatching();
        return false;
    }

    /// <summary>Hands every complete record in the buffer to InputEvent (as <see cref="ReadWriteWheel"/>: records already read still arrive if a handler disposes the wheel).</summary>
    private void Decode() => _input.Decode(this, "input");

    string? IRecordSink.RecordEvent => _stopped ? null : _inputEvent;

    IFilter IRecordSink.DecodeFilter => _filter;

    void IRecordSink.Deliver(string ev, object? record) => Kernel.Call(Owner, ev, record, BoxedId);

    void IRecordSink.DecodeFailed(string message) => Stop("decode", new OsError(Errno.EBADMSG), message);

    bool IRecordSink.ReleaseAll => IsDisposed;

    private void DiscardPending()
    {
        _input.Release(force: true);
        _filter.Reset();
    }

    private void EmitReset()
    {
        if (!IsDisposed && ResetEvent is { } ev) Kernel.Call(Owner, ev, BoxedId);
    }

    private void Idle()
    {
        if (!IsDisposed && IdleEvent is { } ev) Kernel.Call(Owner, ev, BoxedId);
        if (!IsDisposed && !_stopped && _polling) SchedulePoll(_pollInterval);
    }

    private void SchedulePoll(TimeSpan delay)
    {
        if (!_polling)
        {
            Kernel.State(_pollState, OnPoll);
            _polling = true;
        }
        CancelPoll();
        _timerId = Kernel.DelaySet(_pollState, delay);
    }

    private void CancelPoll()
    {
        if (_timerId == 0) return;
        Kernel.AlarmRemove(_timerId);
        _timerId = 0;
    }

    private void StartWatching()
    {
        // A blocking read would stall every session.
        PosixSocket.SetNonBlocking(_handle!.Fd, true);
        Kernel.Watch(_handle.Fd, IoMode.Read, this);
        _watching = true;
    }

    private void StopWatching()
    {
        if (!_watching) return;
        _watching = false;
        if (_handle is { IsClosed: false } h) Kernel.Unwatch(h.Fd, IoMode.Read);
    }

    private void CloseHandle()
    {
        StopWatching();
        if (_ownsHandle) _handle?.Dispose();
        _handle = null;
    }

    /// <summary>Stops following and reports why: with Call from a poll or readiness, with Yield from the constructor.</summary>
    private void Stop(string operation, OsError error, string? message = null, bool yield = false)
    {
        _stopped = true;
        CancelPoll();
        StopWatching();
        if (IsDisposed || ErrorEvent is not { } ev) return;
        if (yield) Kernel.Yield(ev, operation, error.Errno, message ?? error.Message, BoxedId);
        else Kernel.Call(Owner, ev, operation, error.Errno, message ?? error.Message, BoxedId);
    }

    private void Stop(string operation, OsError error, bool yield) => Stop(operation, error, null, yield);
}
