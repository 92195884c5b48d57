using System.Net.Sockets;
using PoeSharp.Filters;
using PoeSharp.Loop;
using PoeSharp.Os;
using PoeSharp.Wheels.Drivers;

namespace PoeSharp.Wheels;

/// <summary>
/// Buffered non-blocking I/O on one descriptor (or an input/output pair), framed by filters
/// (POE::Wheel::ReadWrite). Input: each readable descriptor is read once, the input filter
/// decodes every complete record and each goes to <see cref="InputEvent"/> with
/// <c>Call(record, wheelId)</c>. Output: <see cref="Put(object)"/> serialises into pooled
/// segments and the wheel writes them when the descriptor is writable.
/// </summary>
/// <remarks>
/// <para>Events (all delivered synchronously with <see cref="Kernel.Call(SessionRef, string, object?[])"/> to the owning session):
/// InputEvent(record, wheelId); ErrorEvent(operation, errno, message, wheelId) with operation
/// "read" (errno 0 and message "" = end of file), "write", "decode" (the input filter rejected
/// the bytes, errno EBADMSG), or "fork" (errno 0, in a forked child: see below); FlushedEvent(wheelId); HighEvent(wheelId); LowEvent(wheelId). After a
/// read error, end of file or decode error the wheel stops reading; after a write error it stops
/// writing; it keeps the session alive until it is disposed.</para>
/// <para>Disposing the wheel inside InputEvent: the records already read are still delivered
/// (the rest of the same read), as POE does; nothing more is read. Pausing input inside
/// InputEvent likewise only stops further reads.</para>
/// <para>Output queued while a wheel of the same session handles readiness (this wheel's
/// InputEvent, a SocketFactory's SuccessEvent, a Run wheel's output events) is written at the end
/// of that callback, before the next poll, without registering the write watcher; what the
/// descriptor does not take then waits for the write watcher as usual. Output queued elsewhere
/// (timers, posted events) takes the write watcher, as in POE.</para>
/// <para>In a forked child (<see cref="Kernel.HasForked"/>, which <see cref="Kernel.Fork"/> runs),
/// a wheel created before the fork lets go of its connection before any handler runs: it stops
/// watching, drops its buffered output, closes the descriptor(s) it owns with <c>close(2)</c> only
/// (the parent's copy keeps the connection open: no FIN, no RST, nothing written or read) and then
/// reports ErrorEvent("fork", 0, message). It keeps the session alive until disposed, as after
/// any error; Put then queues nothing that is written. <see cref="ReadWriteOptions.KeepAfterFork"/>
/// keeps POE's behaviour (both processes use the descriptor).</para>
/// <para>Water marks follow POE 1.370's validation. Differences from 1.370, on purpose: the
/// high-water state lasts until the buffer drains to LowMark (1.370 drops it on any Put below
/// HighMark, so LowEvent can go missing), and HighEvent is emitted after a write attempt that
/// leaves at least HighMark octets, once per high-water episode, even when Put already reported
/// the state (1.370 then never emits it).</para>
/// </remarks>
public sealed class ReadWriteWheel : Wheel, IReadyHandler, IDeferredWriter, IRecordSink, IForkAware
{
    /// <summary>The ErrorEvent operation of a wheel that let go of its connection in a forked child.</summary>
    public const string ForkOperation = "fork";

    private readonly FileDescriptor _inHandle;
    private readonly FileDescriptor _outHandle;
    private readonly int _inFd;
    private readonly int _outFd;
    private readonly bool _ownsHandles;
    private readonly bool _autoFlush;
    private readonly InputBuffer _input;
    private readonly OutputQueue _output = new();

    private IFilter _inFilter;
    private IFilter _outFilter;
    private string? _inputEvent;
    private string? _highEvent;
    private string? _lowEvent;
    private int? _highMark;
    private int? _lowMark;

    private bool _writeDeferred;  // queued in WriteBatch: written at the end of the current readiness callback

    private bool _readWatched;
    private bool _readPaused;
    private bool _readFinished;   // EOF, read/decode error, or shutdown_input: never read again
    private bool _writeWatched;
    private bool _writePaused;
    private bool _writeFinished;  // write error or shutdown_output

    private bool _highWater;
    private bool _highEventSent;
    private bool _releasedByFork; // in a forked child: the descriptor was the parent's and is gone

    /// <summary>Creates the wheel in the active session and starts watching its descriptor(s).</summary>
    /// <exception cref="ArgumentException">Bad water marks ("Water mark errors: ..." with each reason) or sizes.</exception>
    public ReadWriteWheel(Kernel kernel, ReadWriteOptions options) : base(kernel)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Handle is null)
            throw new ArgumentNullException(nameof(options), "ReadWriteOptions.Handle is required: pass the socket or pipe to read and write.");
        ValidateWaterMarks(options);
        if (options.ReadBlockSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.ReadBlockSize, "ReadBlockSize must be positive (default 65536).");
        if (options.MaxInputBuffer <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxInputBuffer, "MaxInputBuffer must be positive.");

        _inHandle = options.Handle;
        _outHandle = options.OutputHandle ?? options.Handle;
        if (_inHandle.IsInvalid || _inHandle.IsClosed || _outHandle.IsInvalid || _outHandle.IsClosed)
            throw new ArgumentException("The handle is closed or invalid; pass an open descriptor.", nameof(options));
        _inFd = _inHandle.Fd;
        _outFd = _outHandle.Fd;
        _ownsHandles = options.OwnsHandle;
        _autoFlush = options.AutoFlush;
        _input = new InputBuffer(options.ReadBlockSize, options.MaxInputBuffer);

        if (options.Filter is { } both)
        {
            _inFilter = _outFilter = both;
        }
        else
        {
            var line = options.InputFilter is null || options.OutputFilter is null ? new LineFilter() : null;
            _inFilter = options.InputFilter ?? line!;
            _outFilter = options.OutputFilter ?? line!;
        }

        _inputEvent = options.InputEvent;
        ErrorEvent = options.ErrorEvent;
        FlushedEvent = options.FlushedEvent;
        _highMark = options.HighMark;
        _lowMark = options.LowMark;
        _highEvent = options.HighEvent;
        _lowEvent = options.LowEvent;

        // POE makes its handles non-blocking; a blocking read would stall every session.
        // (No system call for the sockets and pipes PosixSocket made non-blocking already.)
        PosixSocket.SetNonBlocking(_inHandle, true);
        if (_outFd != _inFd) PosixSocket.SetNonBlocking(_outHandle, true);

        // The wheel keeps its session alive until disposed (POE: its paused write watcher does).
        // An extra reference does that without a system call; the write watcher is registered
        // the first time output has to wait for the descriptor, so a connection whose replies
        // always go out at once never needs one.
        Kernel.RefcountIncrement(Owner, LivenessTag);
        if (!options.KeepAfterFork) Kernel.AddForkAware(Owner, this);
        RegisterWithOwner();
        if (_inputEvent is not null) StartReading();
    }

    /// <summary>The extra-reference tag that keeps the owner alive while a ReadWrite wheel exists.</summary>
    internal const string LivenessTag = "ReadWriteWheel";

    /// <summary>The event that receives (record, wheelId); setting null stops reading, setting a name starts it again.</summary>
    public string? InputEvent
    {
        get => _inputEvent;
        set
        {
            ThrowIfDisposed();
            _inputEvent = value;
            if (value is null)
            {
                StopReading();
            }
            else if (!_readFinished)
            {
                StartReading();
                if (_input.Count > 0) Decode();
            }
        }
    }

    /// <summary>The event that receives (operation, errno, message, wheelId); null = errors are not reported.</summary>
    public string? ErrorEvent { get; set; }

    /// <summary>The event that receives (wheelId) when the output buffer becomes empty.</summary>
    public string? FlushedEvent { get; set; }

    /// <summary>The event for going high-water; settable only when HighMark was given.</summary>
    public string? HighEvent
    {
        get => _highEvent;
        set => _highEvent = _highMark is null
            ? throw new InvalidOperationException("HighEvent needs a high water mark: set HighMark and LowMark in ReadWriteOptions.")
            : value;
    }

    /// <summary>The event for draining to the low mark; settable only when LowMark was given.</summary>
    public string? LowEvent
    {
        get => _lowEvent;
        set => _lowEvent = _lowMark is null
            ? throw new InvalidOperationException("LowEvent needs a low water mark: set HighMark and LowMark in ReadWriteOptions.")
            : value;
    }

    /// <summary>The high water mark, or null when none was configured.</summary>
    public int? HighMark => _highMark;

    /// <summary>The low water mark, or null when none was configured.</summary>
    public int? LowMark => _lowMark;

    /// <summary>True from reaching <see cref="HighMark"/> until the buffer drains to <see cref="LowMark"/>.</summary>
    public bool IsHighWater => _highWater;

    /// <summary>The filter decoding input (POE's get_input_filter).</summary>
    public IFilter InputFilter => _inFilter;

    /// <summary>The filter encoding output (POE's get_output_filter).</summary>
    public IFilter OutputFilter => _outFilter;

    /// <summary>The descriptor read from.</summary>
    public FileDescriptor InputHandle => _inHandle;

    /// <summary>The descriptor written to.</summary>
    public FileDescriptor OutputHandle => _outHandle;

    /// <summary>Octets buffered for output and not yet written (POE's get_driver_out_octets).</summary>
    public long DriverOutOctets => _output.Octets;

    /// <summary>Records buffered for output and not yet completely written (POE's get_driver_out_messages).</summary>
    public int DriverOutMessages => _output.Messages;

    /// <summary>Bytes read but not yet consumed by the input filter.</summary>
    public int PendingInputOctets => _input.Count;

    /// <summary>
    /// Serialises <paramref name="record"/> with the output filter and queues it; the wheel writes
    /// it when the descriptor is writable (at once with AutoFlush). Returns true while the wheel is
    /// high-water (see <see cref="IsHighWater"/>); false without water marks.
    /// </summary>
    /// <exception cref="ArgumentException">The output filter does not write this kind of record.</exception>
    public bool Put(object record)
    {
        ThrowIfDisposed();
        ThrowIfNotOwner();
        ArgumentNullException.ThrowIfNull(record);
        long before = _output.Octets;
        _outFilter.Put(record, _output);
        _output.EndMessage();
        return AfterPut(before);
    }

    /// <summary>Queues several records in order; see <see cref="Put(object)"/>.</summary>
    public bool Put(params ReadOnlySpan<object> records)
    {
        ThrowIfDisposed();
        ThrowIfNotOwner();
        long before = _output.Octets;
        foreach (var record in records)
        {
            ArgumentNullException.ThrowIfNull(record, nameof(records));
            _outFilter.Put(record, _output);
            _output.EndMessage();
        }
        return AfterPut(before);
    }

    /// <summary>Tries to write the buffered output now (POE's flush); may emit FlushedEvent, HighEvent, LowEvent, ErrorEvent.</summary>
    public void Flush()
    {
        ThrowIfDisposed();
        ThrowIfNotOwner();
        FlushCore();
    }

    /// <summary>Stops watching for input; bytes keep arriving in the OS buffer (POE's pause_input).</summary>
    public void PauseInput()
    {
        ThrowIfDisposed();
        _readPaused = true;
        if (_readWatched) Kernel.PauseWatch(_inFd, IoMode.Read);
    }

    /// <summary>Resumes watching for input after <see cref="PauseInput"/> (POE's resume_input).</summary>
    public void ResumeInput()
    {
        ThrowIfDisposed();
        _readPaused = false;
        if (_readWatched) Kernel.ResumeWatch(_inFd, IoMode.Read);
    }

    /// <summary><c>shutdown(SHUT_RD)</c> on a socket and stop reading (POE's shutdown_input).</summary>
    public void ShutdownInput()
    {
        ThrowIfDisposed();
        // After a fork released it, the number may name another descriptor of this process now.
        if (!_releasedByFork) PosixSocket.Shutdown(_inFd, SocketShutdown.Receive); // ENOTSOCK on a pipe: nothing to shut
        _readFinished = true;
        StopReading();
    }

    /// <summary>
    /// <c>shutdown(SHUT_WR)</c> on a socket (the peer reads end of file) and stop writing (POE's
    /// shutdown_output). Output still buffered is not written: call it after FlushedEvent.
    /// </summary>
    public void ShutdownOutput()
    {
        ThrowIfDisposed();
        if (!_releasedByFork) PosixSocket.Shutdown(_outFd, SocketShutdown.Send);
        StopWriting();
    }

    /// <summary>
    /// Replaces both filters (POE's set_filter). Bytes already read and not consumed are decoded
    /// by the new filter at once, so their records arrive before this returns (or, when called
    /// from InputEvent, right after the current record).
    /// </summary>
    public void SetFilter(IFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        _outFilter = filter;
        SetInputFilter(filter);
    }

    /// <summary>Replaces the input filter; pending input bytes go to the new one (POE's set_input_filter).</summary>
    public void SetInputFilter(IFilter filter)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(filter);
        if (!InputBuffer.SwitchFilter(ref _inFilter, filter)) return;
        if (!_input.IsDecoding && _input.Count > 0 && _inputEvent is not null && !_readFinished) Decode();
    }

    /// <summary>Replaces the output filter; data already queued is not re-encoded (POE's set_output_filter).</summary>
    public void SetOutputFilter(IFilter filter)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(filter);
        _outFilter = filter;
    }

    /// <summary>Changes the high water mark; it must stay above the low mark (POE's set_high_mark).</summary>
    public void SetHighMark(int highMark)
    {
        ThrowIfDisposed();
        if (_highMark is null || _lowMark is null)
            throw new InvalidOperationException("There is no high water mark to change: set HighMark and LowMark in ReadWriteOptions.");
        if (highMark <= _lowMark.Value)
            throw new ArgumentOutOfRangeException(nameof(highMark), highMark, $"The high mark must be greater than the low mark ({_lowMark}).");
        _highMark = highMark;
    }

    /// <summary>Changes the low water mark; it must stay in 1..HighMark-1 (POE's set_low_mark).</summary>
    public void SetLowMark(int lowMark)
    {
        ThrowIfDisposed();
        if (_highMark is null || _lowMark is null)
            throw new InvalidOperationException("There is no low water mark to change: set HighMark and LowMark in ReadWriteOptions.");
        if (lowMark <= 0 || lowMark >= _highMark.Value)
            throw new ArgumentOutOfRangeException(nameof(lowMark), lowMark, $"The low mark must be above 0 and below the high mark ({_highMark}).");
        _lowMark = lowMark;
    }

    /// <inheritdoc />
    void IReadyHandler.OnReady(int fd, IoMode mode)
    {
        if (IsDisposed) return;
        if (mode == IoMode.Write)
        {
            FlushCore();
            return;
        }
        if (mode != IoMode.Read) return;
        // Replies put by InputEvent go out at the end of this read, before the next poll: this
        // saves the write watcher's resume, wait and pause (three system calls) per request/response.
        WriteBatch.Run(Owner, this, static wheel => wheel.OnReadable());
    }

    /// <inheritdoc />
    void IDeferredWriter.WriteDeferred(bool write)
    {
        _writeDeferred = false;
        if (IsDisposed || _writeFinished || _output.Octets == 0) return;
        if (_writeWatched && !_writePaused) return; // the write watcher is on already: it writes
        if (write) FlushCore();
        else ResumeWriting();
    }

    /// <inheritdoc />
    void IDeferredWriter.DropDeferred()
    {
        _writeDeferred = false;
        // Deferred means nothing was waiting before the callback: all of it is the parent's.
        if (!IsDisposed && !(_writeWatched && !_writePaused)) _output.Clear();
    }

    /// <inheritdoc />
    bool IForkAware.ReleaseInChild()
    {
        if (IsDisposed || _releasedByFork) return false;
        _releasedByFork = true;
        _readFinished = true;
        StopReading();
        _writeFinished = true;
        if (_writeWatched)
        {
            _writeWatched = false;
            Kernel.Unwatch(_outFd, IoMode.Write);
        }
        _writeDeferred = false;
        _output.Clear();
        // Closing our copy leaves the parent's open: the peer sees nothing.
        if (_ownsHandles)
        {
            _inHandle.Dispose();
            if (!ReferenceEquals(_outHandle, _inHandle)) _outHandle.Dispose();
        }
        return true;
    }

    /// <inheritdoc />
    void IForkAware.ReportReleasedInChild()
    {
        if (!IsDisposed && ErrorEvent is { } ev)
            Kernel.Call(Owner, ev, ForkOperation, 0, "the connection was inherited from the parent process; this process let go of it", BoxedId);
    }

    /// <inheritdoc />
    protected override void DisposeCore()
    {
        if (!_releasedByFork) Kernel.RemoveForkAware(Owner, this);
        if (_ownsHandles && !_releasedByFork)
        {
            // The descriptor is closed below: an accepted connection then leaves the loop's epoll
            // set by itself, one system call less per connection.
            if (_readWatched)
            {
                _readWatched = false;
                Kernel.UnwatchBeforeClose(_inHandle, IoMode.Read);
            }
            if (_writeWatched)
            {
                _writeWatched = false;
                Kernel.UnwatchBeforeClose(_outHandle, IoMode.Write);
            }
        }
        StopReading();
        if (_writeWatched)
        {
            _writeWatched = false;
            Kernel.Unwatch(_outFd, IoMode.Write);
        }
        _output.Clear();
        if (Owner.State != SessionState.Stopped) Kernel.RefcountDecrement(Owner, LivenessTag);
        // Inside InputEvent the decode loop still reads the buffer; it releases it when done.
        if (!_input.IsDecoding) _input.Release(force: true);
        if (_ownsHandles)
        {
            _inHandle.Dispose();
            if (!ReferenceEquals(_outHandle, _inHandle)) _outHandle.Dispose();
        }
    }

    /// <summary>POE 1.370's constructor rule, every violated condition listed.</summary>
    private static void ValidateWaterMarks(ReadWriteOptions o)
    {
        if (o.HighMark is null && o.LowMark is null && o.HighEvent is null && o.LowEvent is null) return; // the usual case
        var errors = new List<string>();
        if (o.HighMark.HasValue != o.LowMark.HasValue)
            errors.Add("HighMark and LowMark parameters require each-other");
        else if (o.HighMark.HasValue && (o.HighMark <= 0 || o.LowMark <= 0))
            errors.Add("HighMark and LowMark parameters must be above 0");
        if (o.HighEvent is not null && !o.HighMark.HasValue)
            errors.Add("HighEvent requires a corresponding HighMark");
        if (o.LowMark.HasValue != (o.LowEvent is not null))
            errors.Add("LowMark and LowEvent parameters require each-other");
        if (errors.Count > 0)
            throw new ArgumentException("Water mark errors: " + string.Join("; ", errors) + ".", nameof(o));
    }

    private void StartReading()
    {
        if (_readWatched || _readFinished) return;
        Kernel.Watch(_inFd, IoMode.Read, this);
        _readWatched = true;
        if (_readPaused) Kernel.PauseWatch(_inFd, IoMode.Read);
    }

    private void StopReading()
    {
        if (!_readWatched) return;
        _readWatched = false;
        Kernel.Unwatch(_inFd, IoMode.Read);
    }

    private void StopWriting()
    {
        _writeFinished = true;
        if (!_writeWatched) return;
        _writeWatched = false;
        Kernel.Unwatch(_outFd, IoMode.Write);
    }

    private void OnReadable()
    {
        if (!_input.TryRead(_inFd, _inFilter, out int n, out int errno, out string message))
        {
            FinishReading("read", errno, message);
            return;
        }
        if (n == 0) return;
        Decode();
    }

    /// <summary>Hands every complete record in the buffer to InputEvent, one filter call each.</summary>
    private void Decode() => _input.Decode(this, "input");

    string? IRecordSink.RecordEvent => _readFinished ? null : _inputEvent;

    IFilter IRecordSink.DecodeFilter => _inFilter;

    void IRecordSink.Deliver(string ev, object? record) => Kernel.Call(Owner, ev, record, BoxedId);

    void IRecordSink.DecodeFailed(string message) => FinishReading("decode", Errno.EBADMSG, message);

    bool IRecordSink.ReleaseAll => IsDisposed;

    private void FinishReading(string operation, int errno, string message)
    {
        _readFinished = true;
        StopReading();
        if (!IsDisposed && ErrorEvent is { } ev) Kernel.Call(Owner, ev, operation, errno, message, BoxedId);
    }

    private bool AfterPut(long before)
    {
        long after = _output.Octets;
        if (after > 0 && before == 0 && !_writeFinished)
        {
            if (_autoFlush)
            {
                FlushCore();
            }
            else if (!_writeDeferred)
            {
                // Inside a readiness callback of this session: write at its end (see WriteBatch).
                _writeDeferred = WriteBatch.TryDefer(this, Owner);
                if (!_writeDeferred) ResumeWriting();
            }
        }
        if (_highMark is int high && _output.Octets >= high) _highWater = true;
        return _highWater;
    }

    private void ResumeWriting()
    {
        if (_writeFinished) return;
        if (!_writeWatched)
        {
            Kernel.Watch(_outFd, IoMode.Write, this);
            _writeWatched = true;
            _writePaused = false;
        }
        else if (_writePaused)
        {
            _writePaused = false;
            Kernel.ResumeWatch(_outFd, IoMode.Write);
        }
    }

    /// <summary>Watchers belong to a session, so output can only be queued from the owner (POE's rule too).</summary>
    private void ThrowIfNotOwner()
    {
        if (!ReferenceEquals(Kernel.ActiveSession, Owner))
            throw new InvalidOperationException(
                $"{this} belongs to {Owner}; call Put inside that session (post it an event) instead of from {Kernel.ActiveSession}.");
    }

    private void PauseWriting()
    {
        if (_writeWatched && !_writePaused)
        {
            _writePaused = true;
            Kernel.PauseWatch(_outFd, IoMode.Write);
        }
    }

    /// <summary>POE's write state: write what the descriptor takes, then water marks and FlushedEvent.</summary>
    private void FlushCore()
    {
        if (_writeFinished || IsDisposed) return;
        var error = _output.Flush(_outFd);
        if (error.IsError)
        {
            StopWriting();
            if (ErrorEvent is { } ev) Kernel.Call(Owner, ev, "write", error.Errno, error.Message, BoxedId);
            return;
        }

        long octets = _output.Octets;
        if (_highWater)
        {
            if (octets <= _lowMark)
            {
                _highWater = false;
                _highEventSent = false;
                if (_lowEvent is { } low) Kernel.Call(Owner, low, BoxedId);
            }
            else if (!_highEventSent && octets >= _highMark)
            {
                _highEventSent = true;
                if (_highEvent is { } high) Kernel.Call(Owner, high, BoxedId);
            }
        }
        else if (_highMark is int mark && octets >= mark)
        {
            _highWater = true;
            _highEventSent = true;
            if (_highEvent is { } high) Kernel.Call(Owner, high, BoxedId);
        }
        if (IsDisposed || _writeFinished) return;

        // A handler above may have queued more: look again.
        if (_output.Octets == 0)
        {
            PauseWriting();
            if (FlushedEvent is { } flushed) Kernel.Call(Owner, flushed, BoxedId);
        }
        else
        {
            ResumeWriting();
        }
    }
}
