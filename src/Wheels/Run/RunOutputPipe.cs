using PoeSharp.Filters;
using PoeSharp.Loop;
using PoeSharp.Os;
using PoeSharp.Wheels.Drivers;

namespace PoeSharp.Wheels;

/// <summary>
/// One output pipe of a <see cref="RunWheel"/> (the child's stdout or stderr): reads once per
/// readiness, decodes every complete record with its filter and hands each to the wheel, which
/// calls its event. At end of file or on an error it stops, closes its descriptor and tells the
/// wheel. The buffer is rented only while bytes wait for the filter.
/// </summary>
internal sealed class RunOutputPipe : IRecordSink
{
    private readonly RunWheel _wheel;
    private readonly InputBuffer _input;
    private FileDescriptor? _handle;
    private IFilter _filter;
    private bool _watched;
    private bool _watchPaused;
    private bool _userPaused;

    internal RunOutputPipe(RunWheel wheel, FileDescriptor handle, IFilter filter, string name, int blockSize, int maxInput)
    {
        _wheel = wheel;
        _handle = handle;
        Fd = handle.Fd;
        _filter = filter;
        Name = name;
        _input = new InputBuffer(blockSize, maxInput);
    }

    /// <summary>"STDOUT" or "STDERR": the last argument of this pipe's ErrorEvent.</summary>
    internal string Name { get; }

    /// <summary>The parent's (read) end; stays the same number after close, for matching only.</summary>
    internal int Fd { get; }

    /// <summary>The decoding filter.</summary>
    internal IFilter Filter => _filter;

    /// <summary>True after end of file, an error or close: nothing is read any more.</summary>
    internal bool Finished { get; private set; }

    /// <summary>Bytes read and not yet consumed by the filter.</summary>
    internal int PendingOctets => _input.Count;

    /// <summary>Starts watching; the wheel is the ready handler.</summary>
    internal void Start()
    {
        _wheel.Kernel.Watch(Fd, IoMode.Read, _wheel);
        _watched = true;
        _watchPaused = false;
        UpdateWatch();
    }

    /// <summary>PauseStdout/PauseStderr: stop reading; the child blocks once the pipe is full.</summary>
    internal void Pause()
    {
        _userPaused = true;
        UpdateWatch();
    }

    /// <summary>ResumeStdout/ResumeStderr.</summary>
    internal void Resume()
    {
        _userPaused = false;
        UpdateWatch();
    }

    /// <summary>Re-evaluates the watch after the event name changed, and decodes bytes that waited for it.</summary>
    internal void EventChanged()
    {
        UpdateWatch();
        if (_wheel.EventFor(this) is not null && _input.Count > 0 && !_input.IsDecoding) Decode();
    }

    /// <summary>Swaps the filter; bytes not yet consumed go to the new one at once (POE's set_stdout_filter).</summary>
    internal void SetFilter(IFilter filter)
    {
        if (!InputBuffer.SwitchFilter(ref _filter, filter)) return;
        if (!_input.IsDecoding && _input.Count > 0) Decode();
    }

    /// <summary>One readiness: one read, then every complete record.</summary>
    internal void OnReadable()
    {
        if (Finished) return;
        if (!_input.TryRead(Fd, _filter, out int n, out int errno, out string message))
        {
            Finish("read", errno, message);
            return;
        }
        if (n == 0)
        {
            _input.Release();
            return;
        }
        Decode();
    }

    /// <summary>Stops reading and closes the descriptor, without any event (Dispose).</summary>
    internal void Close()
    {
        Finished = true;
        if (_watched)
        {
            _watched = false;
            _wheel.Kernel.Unwatch(Fd, IoMode.Read);
        }
        _handle?.Dispose();
        _handle = null;
        if (!_input.IsDecoding) _input.Release(force: true);
    }

    private void UpdateWatch()
    {
        if (!_watched) return;
        bool pause = _userPaused || _wheel.EventFor(this) is null;
        if (pause == _watchPaused) return;
        _watchPaused = pause;
        if (pause) _wheel.Kernel.PauseWatch(Fd, IoMode.Read);
        else _wheel.Kernel.ResumeWatch(Fd, IoMode.Read);
    }

    private void Finish(string operation, int errno, string message)
    {
        if (Finished) return;
        Close();
        _wheel.OnPipeFinished(this, operation, errno, message);
    }

    /// <summary>
    /// Hands every complete record to the wheel. Records already read are still delivered when the
    /// wheel is disposed by one of them (POE does the same); a decode error finishes the pipe.
    /// </summary>
    private void Decode() => _input.Decode(this, "output");

    string? IRecordSink.RecordEvent => _wheel.EventFor(this);

    IFilter IRecordSink.DecodeFilter => _filter;

    void IRecordSink.Deliver(string ev, object? record) => _wheel.Deliver(ev, record);

    void IRecordSink.DecodeFailed(string message) => Finish("decode", Errno.EBADMSG, message);

    bool IRecordSink.ReleaseAll => Finished;
}
