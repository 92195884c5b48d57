using System.Buffers;
using PoeSharp.Filters;
using PoeSharp.Loop;
using PoeSharp.Os;

namespace PoeSharp.Wheels;

/// <summary>
/// One output pipe of a <see cref="RunWheel"/> (the child's stdout or stderr): reads once per
/// readiness, decodes every complete record with its filter and hands each to the wheel, which
/// calls its event. At end of file or on an error it stops, closes its descriptor and tells the
/// wheel. The buffer is rented only while bytes wait for the filter.
/// </summary>
internal sealed class RunOutputPipe
{
    private readonly RunWheel _wheel;
    private readonly int _blockSize;
    private readonly int _maxInput;
    private FileDescriptor? _handle;
    private byte[]? _buffer;
    private int _start;
    private int _end;
    private bool _decoding;
    private bool _watched;
    private bool _watchPaused;
    private bool _userPaused;

    internal RunOutputPipe(RunWheel wheel, FileDescriptor handle, IFilter filter, string name, int blockSize, int maxInput)
    {
        _wheel = wheel;
        _handle = handle;
        Fd = handle.Fd;
        Filter = filter;
        Name = name;
        _maxInput = maxInput;
        _blockSize = Math.Min(blockSize, maxInput);
    }

    /// <summary>"STDOUT" or "STDERR": the last argument of this pipe's ErrorEvent.</summary>
    internal string Name { get; }

    /// <summary>The parent's (read) end; stays the same number after close, for matching only.</summary>
    internal int Fd { get; }

    /// <summary>The decoding filter.</summary>
    internal IFilter Filter { get; private set; }

    /// <summary>True after end of file, an error or close: nothing is read any more.</summary>
    internal bool Finished { get; private set; }

    /// <summary>Bytes read and not yet consumed by the filter.</summary>
    internal int PendingOctets => _end - _start;

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
        if (_wheel.EventFor(this) is not null && _buffer is not null && _start < _end && !_decoding) Decode();
    }

    /// <summary>Swaps the filter; bytes not yet consumed go to the new one at once (POE's set_stdout_filter).</summary>
    internal void SetFilter(IFilter filter)
    {
        if (ReferenceEquals(filter, Filter)) return;
        Filter.Reset();
        Filter = filter;
        if (!_decoding && _buffer is not null && _start < _end) Decode();
    }

    /// <summary>One readiness: one read, then every complete record.</summary>
    internal void OnReadable()
    {
        if (Finished) return;
        if (!MakeRoom()) return;
        var result = PosixSocket.Read(Fd, _buffer.AsSpan(_end));
        if (!result.Ok)
        {
            Finish("read", result.Error.Errno, result.Error.Message);
            return;
        }
        int n = result.Value;
        if (n == PosixSocket.WouldBlock) return;
        if (n == 0)
        {
            Finish("read", 0, "");
            return;
        }
        _end += n;
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
        if (!_decoding) ReleaseBuffer();
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

    /// <summary>Ensures free space after <see cref="_end"/>; false (and a finish) when the bound is reached.</summary>
    private bool MakeRoom()
    {
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(_blockSize);
            _start = _end = 0;
            return true;
        }
        int free = _buffer.Length - _end;
        if (free >= _buffer.Length / 4 && free > 0) return true;
        int pending = _end - _start;
        if (_start > 0 && pending <= _buffer.Length / 2)
        {
            _buffer.AsSpan(_start, pending).CopyTo(_buffer);
            _start = 0;
            _end = pending;
            return true;
        }
        if (_buffer.Length >= _maxInput)
        {
            if (_start > 0)
            {
                _buffer.AsSpan(_start, pending).CopyTo(_buffer);
                _start = 0;
                _end = pending;
            }
            if (_end < _buffer.Length) return true;
            Finish("read", SocketErrno.ENOBUFS,
                $"input buffer limit of {_maxInput} bytes reached without a complete {Filter.Name} record");
            return false;
        }
        var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)_buffer.Length * 2, _maxInput));
        _buffer.AsSpan(_start, pending).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
        _start = 0;
        _end = pending;
        return true;
    }

    /// <summary>
    /// Hands every complete record to the wheel. Records already read are still delivered when the
    /// wheel is disposed by one of them (POE does the same); a decode error finishes the pipe.
    /// </summary>
    private void Decode()
    {
        if (_decoding) return;
        _decoding = true;
        try
        {
            while (_buffer is not null && _start < _end && _wheel.EventFor(this) is { } ev)
            {
                int available = _end - _start;
                var status = Filter.TryGet(new ReadOnlySpan<byte>(_buffer, _start, available), out var record, out int consumed);
                if (status == DecodeStatus.NeedMoreData) break;
                if ((uint)consumed > (uint)available)
                    throw new InvalidOperationException($"Filter {Filter.Name} consumed {consumed} of {available} bytes.");
                _start += consumed;
                if (status == DecodeStatus.Error)
                {
                    string message = record is FilterError fe ? fe.ToString() : $"{Filter.Name}: the output breaks the filter's framing";
                    Finish("decode", SocketErrno.EBADMSG, message);
                    break;
                }
                _wheel.Deliver(ev, record);
                if (consumed == 0) break;   // a record from no bytes would repeat forever
            }
        }
        finally
        {
            _decoding = false;
            if (Finished || (_buffer is not null && _start == _end)) ReleaseBuffer();
        }
    }

    private void ReleaseBuffer()
    {
        if (_buffer is null) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
        _start = _end = 0;
    }
}
