using System.Buffers;
using PoeSharp.Filters;
using PoeSharp.Os;

namespace PoeSharp.Wheels.Drivers;

/// <summary>
/// The read side of a wheel's driver: bytes read from a descriptor and not yet consumed by a
/// filter, in one pooled array that is rented on the first read, compacted or grown (up to a
/// bound) when a record does not fit, and returned as soon as it is empty, so an idle
/// descriptor holds no buffer. Used by <see cref="ReadWriteWheel"/> and <see cref="RunWheel"/>'s
/// output pipes.
/// </summary>
internal sealed class InputBuffer
{
    private readonly int _blockSize;
    private readonly int _max;
    private byte[]? _buffer;
    private int _start;
    private int _end;

    /// <summary>A buffer that reads <paramref name="blockSize"/> bytes at a time and holds at most <paramref name="max"/>.</summary>
    internal InputBuffer(int blockSize, int max)
    {
        _max = max;
        _blockSize = Math.Min(blockSize, max);
    }

    /// <summary>Bytes read and not yet consumed.</summary>
    internal int Count => _end - _start;

    /// <summary>The unconsumed bytes, oldest first.</summary>
    internal ReadOnlySpan<byte> Pending => _buffer is null ? default : new ReadOnlySpan<byte>(_buffer, _start, _end - _start);

    /// <summary>The most bytes the buffer holds.</summary>
    internal int Max => _max;

    /// <summary>
    /// Free space to read into, after making room (rent, compact or grow). Empty when
    /// <see cref="Max"/> unconsumed bytes are already held: the filter cannot make progress.
    /// </summary>
    private Span<byte> GetFreeSpace()
    {
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(_blockSize);
            _start = _end = 0;
            return _buffer;
        }
        int free = _buffer.Length - _end;
        if (free >= _buffer.Length / 4 && free > 0) return _buffer.AsSpan(_end);
        int pending = _end - _start;
        if (_start > 0 && pending <= _buffer.Length / 2)
        {
            Compact();
            return _buffer.AsSpan(_end);
        }
        if (_buffer.Length >= _max)
        {
            if (_start > 0) Compact();
            return _buffer.AsSpan(_end);
        }
        // The filter needs more than fits: grow, bounded by the maximum.
        var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)_buffer.Length * 2, _max));
        _buffer.AsSpan(_start, pending).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
        _start = 0;
        _end = pending;
        return _buffer.AsSpan(_end);
    }

    /// <summary>
    /// One read(2) from <paramref name="fd"/> into the free space. True with <paramref name="read"/>
    /// bytes added (0 when nothing is there yet); false when reading is over, with the error to
    /// report: end of file (errno 0, message ""), a read error, or <see cref="Max"/> bytes held
    /// without a complete record of <paramref name="filter"/> (ENOBUFS).
    /// </summary>
    internal bool TryRead(int fd, IFilter filter, out int read, out int errno, out string message)
    {
        read = 0;
        var free = GetFreeSpace();
        if (free.IsEmpty)
        {
            errno = Errno.ENOBUFS;
            message = $"input buffer limit of {_max} bytes reached without a complete {filter.Name} record";
            return false;
        }
        var result = PosixSocket.Read(fd, free);
        if (!result.Ok)
        {
            errno = result.Error.Errno;
            message = result.Error.Message;
            return false;
        }
        errno = 0;
        message = "";
        if (result.Value == 0) return false;                      // end of file
        if (result.Value == PosixSocket.WouldBlock) return true;  // a spurious wake-up
        read = result.Value;
        _end += read;
        return true;
    }

    /// <summary>
    /// Lets <paramref name="filter"/> decode one record from the pending bytes and drops the bytes
    /// it consumed (none when it needs more data).
    /// </summary>
    /// <exception cref="InvalidOperationException">The filter claimed more bytes than it was given.</exception>
    internal DecodeStatus TryGet(IFilter filter, out object? record, out int consumed)
    {
        int available = _end - _start;
        var status = filter.TryGet(Pending, out record, out consumed);
        if (status == DecodeStatus.NeedMoreData) return status;
        if ((uint)consumed > (uint)available)
            throw new InvalidOperationException($"Filter {filter.Name} consumed {consumed} of {available} bytes.");
        _start += consumed;
        return status;
    }

    /// <summary>True while <see cref="Decode"/> runs (a handler it calls may re-enter the reader).</summary>
    internal bool IsDecoding { get; private set; }

    /// <summary>
    /// Hands every complete record to <paramref name="sink"/>, one filter call each, until the
    /// bytes run out, the filter needs more, or the sink takes no more records; a filter error
    /// ends it with <see cref="IRecordSink.DecodeFailed"/>. A call from inside a delivery returns
    /// at once: the running loop goes on, with the new filter if the handler switched it.
    /// <paramref name="what"/> names the bytes ("input", "output") in the error message.
    /// </summary>
    internal void Decode(IRecordSink sink, string what)
    {
        if (IsDecoding) return;
        IsDecoding = true;
        try
        {
            while (Count > 0 && sink.RecordEvent is { } ev)
            {
                IFilter filter = sink.DecodeFilter;
                var status = TryGet(filter, out var record, out int consumed);
                if (status == DecodeStatus.NeedMoreData) break;
                if (status == DecodeStatus.Error)
                {
                    sink.DecodeFailed(record is FilterError fe ? fe.ToString() : $"{filter.Name}: the {what} breaks the filter's framing");
                    break;
                }
                sink.Deliver(ev, record);
                if (consumed == 0) break; // a record from no bytes would repeat forever
            }
        }
        finally
        {
            IsDecoding = false;
            // Idle readers hold no buffer.
            Release(force: sink.ReleaseAll);
        }
    }

    /// <summary>
    /// Hands the pending bytes over to <paramref name="next"/> (POE's set_filter): the old filter
    /// is reset, since it may remember a scan offset into bytes it no longer sees. Returns false
    /// when <paramref name="next"/> already is the current filter.
    /// </summary>
    internal static bool SwitchFilter(ref IFilter current, IFilter next)
    {
        if (ReferenceEquals(next, current)) return false;
        current.Reset();
        current = next;
        return true;
    }

    /// <summary>Returns the array to the pool when nothing is pending (or always, with <paramref name="force"/>).</summary>
    internal void Release(bool force = false)
    {
        if (_buffer is null || (!force && _start < _end)) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
        _start = _end = 0;
    }

    private void Compact()
    {
        // The filter sees the same unconsumed bytes, now from offset 0.
        int pending = _end - _start;
        _buffer.AsSpan(_start, pending).CopyTo(_buffer);
        _start = 0;
        _end = pending;
    }
}
