using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PoeSharp.Os;

namespace PoeSharp.Wheels.Drivers;

/// <summary>
/// The write side of a ReadWrite wheel (POE::Driver::SysRW's output queue): filters serialise
/// straight into pooled, pinned segments through <see cref="IBufferWriter{T}"/>, so a record is
/// copied once, and <see cref="Flush"/> hands up to 64 segments to one <c>writev</c>.
/// </summary>
internal sealed unsafe class OutputQueue : IBufferWriter<byte>
{
    private const int MaxIoVecs = 64;

    private struct Segment
    {
        public byte[] Buffer;
        public int Start;
        public int End;
    }

    // Both rings start empty and grow by doubling on demand, then keep their size: a busy
    // connection stops allocating after its first bursts, and one that usually has a single
    // answer in flight (an idle keep-alive connection) holds one slot of each.
    private Segment[] _segments = [];
    private int _head;
    private int _count;

    // Message bookkeeping for get_driver_out_messages: the stream offset where each record ends.
    private long[] _messageEnds = [];
    private int _messageHead;
    private int _messageCount;
    private long _queuedTotal;
    private long _writtenTotal;

    /// <summary>Octets waiting to be written (POE's get_driver_out_octets).</summary>
    public long Octets => _queuedTotal - _writtenTotal;

    /// <summary>Records not yet completely written (POE's get_driver_out_messages).</summary>
    public int Messages => _messageCount;

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0) => GetFree(sizeHint);

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        ref var tail = ref TailWithRoom(sizeHint);
        return tail.Buffer.AsMemory(tail.End);
    }

    /// <inheritdoc />
    public void Advance(int count)
    {
        if (count == 0) return;
        if (_count == 0) throw new InvalidOperationException("Advance called before GetSpan.");
        ref var tail = ref _segments[(_head + _count - 1) & (_segments.Length - 1)];
        if ((uint)count > (uint)(tail.Buffer.Length - tail.End))
            throw new ArgumentOutOfRangeException(nameof(count), count, "Advanced past the span that GetSpan returned.");
        tail.End += count;
        _queuedTotal += count;
    }

    /// <summary>Marks the end of one record (after the filter's Put).</summary>
    public void EndMessage()
    {
        if (_messageCount > 0 && _messageEnds[(_messageHead + _messageCount - 1) & (_messageEnds.Length - 1)] == _queuedTotal)
            return; // an empty record adds no message
        if (_queuedTotal == _writtenTotal) return;
        if (_messageCount == _messageEnds.Length) GrowMessages();
        _messageEnds[(_messageHead + _messageCount) & (_messageEnds.Length - 1)] = _queuedTotal;
        _messageCount++;
    }

    /// <summary>
    /// Writes as much as the descriptor takes without blocking. Returns the error of a failed
    /// write (the data stays queued), or no error when everything was written or the descriptor
    /// is full.
    /// </summary>
    [SkipLocalsInit] // the iovec array is filled before use; zeroing 1 KiB per flush is wasted
    public OsError Flush(int fd)
    {
        Span<IoVector> iov = stackalloc IoVector[MaxIoVecs];
        while (_count > 0)
        {
            long requested;
            OsResult<long> result;
            if (_count == 1)
            {
                ref var seg = ref _segments[_head];
                requested = seg.End - seg.Start;
                var r = PosixSocket.Write(fd, seg.Buffer.AsSpan(seg.Start, seg.End - seg.Start));
                result = new OsResult<long>(r.Value, r.Error);
            }
            else
            {
                int n = Math.Min(_count, MaxIoVecs);
                requested = 0;
                int mask = _segments.Length - 1;
                for (int i = 0; i < n; i++)
                {
                    ref var seg = ref _segments[(_head + i) & mask];
                    // Segments live on the pinned object heap, so their addresses are stable.
                    iov[i].Base = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(seg.Buffer)) + seg.Start;
                    iov[i].Length = (nuint)(seg.End - seg.Start);
                    requested += seg.End - seg.Start;
                }
                result = PosixSocket.WriteV(fd, iov[..n]);
            }
            if (!result.Ok) return result.Error;
            if (result.Value == PosixSocket.WouldBlock) return OsError.None;
            Consume(result.Value);
            // A short write means the socket buffer is full: another try would only get EAGAIN.
            if (result.Value < requested) return OsError.None;
        }
        return OsError.None;
    }

    /// <summary>Drops everything queued and gives the segments back.</summary>
    public void Clear()
    {
        while (_count > 0) ReleaseHead();
        _writtenTotal = _queuedTotal;
        _messageCount = 0;
    }

    private Span<byte> GetFree(int sizeHint)
    {
        ref var tail = ref TailWithRoom(sizeHint);
        return tail.Buffer.AsSpan(tail.End);
    }

    private ref Segment TailWithRoom(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_count > 0)
        {
            ref var tail = ref _segments[(_head + _count - 1) & (_segments.Length - 1)];
            if (tail.Buffer.Length - tail.End >= needed) return ref tail;
        }
        if (_count == _segments.Length) GrowSegments();
        ref var fresh = ref _segments[(_head + _count) & (_segments.Length - 1)];
        fresh = new Segment { Buffer = SegmentPool.Rent(needed), Start = 0, End = 0 };
        _count++;
        return ref fresh;
    }

    private void Consume(long bytes)
    {
        _writtenTotal += bytes;
        while (bytes > 0)
        {
            ref var seg = ref _segments[_head];
            int inSeg = seg.End - seg.Start;
            if (bytes < inSeg)
            {
                seg.Start += (int)bytes;
                break;
            }
            bytes -= inSeg;
            ReleaseHead();
        }
        while (_messageCount > 0 && _messageEnds[_messageHead] <= _writtenTotal)
        {
            _messageHead = (_messageHead + 1) & (_messageEnds.Length - 1);
            _messageCount--;
        }
    }

    private void ReleaseHead()
    {
        ref var seg = ref _segments[_head];
        SegmentPool.Return(seg.Buffer);
        seg = default;
        _head = (_head + 1) & (_segments.Length - 1);
        _count--;
    }

    private void GrowSegments()
    {
        var bigger = new Segment[Math.Max(1, _segments.Length * 2)];
        for (int i = 0; i < _count; i++) bigger[i] = _segments[(_head + i) & (_segments.Length - 1)];
        _segments = bigger;
        _head = 0;
    }

    private void GrowMessages()
    {
        var bigger = new long[Math.Max(1, _messageEnds.Length * 2)];
        for (int i = 0; i < _messageCount; i++) bigger[i] = _messageEnds[(_messageHead + i) & (_messageEnds.Length - 1)];
        _messageEnds = bigger;
        _messageHead = 0;
    }
}
