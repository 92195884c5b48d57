using System.Runtime.CompilerServices;

namespace PoeSharp.Resources;

/// <summary>
/// POE's one time-ordered queue, split in two for speed: FIFO events in a ring (already in
/// (due, seq) order, O(1) both ends) and timers in an indexed 4-ary min-heap on (due, seq) with
/// position tracking, so removal by timer ID is O(log n). <see cref="TryDequeueDue"/> merges the two.
/// </summary>
internal sealed class EventQueue
{
    private QueueItem[] _ring = new QueueItem[256];
    private int _head;
    private int _ringCount;

    private struct HeapEntry
    {
        public long Due;
        public long Seq;
        public int Slot;
    }

    private HeapEntry[] _heap = new HeapEntry[64];
    private int _heapCount;
    private QueueItem[] _slots = new QueueItem[64];
    private int[] _slotPos = new int[64];     // slot -> heap index, -1 when free
    private int[] _sessPrev = new int[64];    // per-session timer list through the slots (no per-session set)
    private int[] _sessNext = new int[64];
    private int[] _freeSlots = new int[64];
    private int _freeCount;
    private int _slotHigh;                    // slots [0, _slotHigh) have been used
    private readonly Dictionary<int, int> _timerSlots = new();
    private long _seq;
    private int _nextTimerId;

    public int FifoCount => _ringCount;
    public int TimerCount => _heapCount;
    public int Count => _ringCount + _heapCount;
    public long NextSeq => _seq;

    public void EnqueueFifo(ref QueueItem item)
    {
        item.Seq = _seq++;
        if (_ringCount == _ring.Length) GrowRing();
        int tail = _head + _ringCount;
        if (tail >= _ring.Length) tail -= _ring.Length;
        _ring[tail] = item;
        _ringCount++;
    }

    private void GrowRing()
    {
        var bigger = new QueueItem[_ring.Length * 2];
        int first = Math.Min(_ringCount, _ring.Length - _head);
        Array.Copy(_ring, _head, bigger, 0, first);
        Array.Copy(_ring, 0, bigger, first, _ringCount - first);
        _ring = bigger;
        _head = 0;
    }

    /// <summary>Adds a timer; returns its ID (also stored in the item).</summary>
    public int AddTimer(ref QueueItem item)
    {
        item.Seq = _seq++;
        int id = ++_nextTimerId;
        item.TimerId = id;
        int slot;
        if (_freeCount > 0) slot = _freeSlots[--_freeCount];
        else
        {
            if (_slotHigh == _slots.Length)
            {
                Array.Resize(ref _slots, _slots.Length * 2);
                Array.Resize(ref _slotPos, _slotPos.Length * 2);
                Array.Resize(ref _sessPrev, _sessPrev.Length * 2);
                Array.Resize(ref _sessNext, _sessNext.Length * 2);
            }
            slot = _slotHigh++;
        }
        _slots[slot] = item;
        _timerSlots.Add(id, slot);
        var owner = item.Dest;
        _sessPrev[slot] = -1;
        _sessNext[slot] = owner.TimerHead;
        if (owner.TimerHead >= 0) _sessPrev[owner.TimerHead] = slot;
        owner.TimerHead = slot;
        if (_heapCount == _heap.Length) Array.Resize(ref _heap, _heap.Length * 2);
        int i = _heapCount++;
        _heap[i] = new HeapEntry { Due = item.Due, Seq = item.Seq, Slot = slot };
        _slotPos[slot] = i;
        SiftUp(i);
        return id;
    }

    /// <summary>The session that owns timer <paramref name="id"/>, if it is pending.</summary>
    public bool TryGetTimerOwner(int id, out Session owner)
    {
        if (_timerSlots.TryGetValue(id, out int slot))
        {
            owner = _slots[slot].Dest;
            return true;
        }
        owner = null!;
        return false;
    }

    /// <summary>Adds the IDs of <paramref name="session"/>'s pending timers (named <paramref name="name"/>, or all when null) to <paramref name="ids"/>.</summary>
    public void CollectSessionTimers(Session session, string? name, List<int> ids)
    {
        for (int slot = session.TimerHead; slot >= 0; slot = _sessNext[slot])
            if (name is null || _slots[slot].Event == name) ids.Add(_slots[slot].TimerId);
    }

    private void UnlinkFromSession(int slot)
    {
        var owner = _slots[slot].Dest;
        int prev = _sessPrev[slot], next = _sessNext[slot];
        if (prev >= 0) _sessNext[prev] = next;
        else owner.TimerHead = next;
        if (next >= 0) _sessPrev[next] = prev;
    }

    public ref QueueItem TimerRef(int id) => ref _slots[_timerSlots[id]];

    public bool TryRemoveTimer(int id, out QueueItem item)
    {
        if (!_timerSlots.Remove(id, out int slot))
        {
            item = default;
            return false;
        }
        item = _slots[slot];
        UnlinkFromSession(slot);
        RemoveHeapAt(_slotPos[slot]);
        FreeSlot(slot);
        return true;
    }

    /// <summary>Moves timer <paramref name="id"/> to <paramref name="due"/>; keeps its sequence number.</summary>
    public bool AdjustTimer(int id, long due)
    {
        if (!_timerSlots.TryGetValue(id, out int slot)) return false;
        _slots[slot].Due = due;
        int i = _slotPos[slot];
        _heap[i].Due = due;
        SiftUp(i);
        SiftDown(_slotPos[slot]);
        return true;
    }

    /// <summary>The earliest due time of anything queued, or null when empty.</summary>
    public long? NextDue()
    {
        long? best = null;
        if (_ringCount > 0) best = _ring[_head].Due;
        if (_heapCount > 0 && (best is null || _heap[0].Due < best)) best = _heap[0].Due;
        return best;
    }

    /// <summary>
    /// Takes the next item in (due, seq) order if it is due at <paramref name="now"/> and was
    /// queued before <paramref name="cutoffSeq"/> (items queued during a batch wait for the next one).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryDequeueDue(long now, long cutoffSeq, out QueueItem item)
    {
        bool fifoOk = _ringCount > 0 && _ring[_head].Seq < cutoffSeq && _ring[_head].Due <= now;
        bool timerOk = _heapCount > 0 && _heap[0].Seq < cutoffSeq && _heap[0].Due <= now;
        if (fifoOk && timerOk)
        {
            ref var f = ref _ring[_head];
            ref var t = ref _heap[0];
            if (t.Due < f.Due || (t.Due == f.Due && t.Seq < f.Seq)) fifoOk = false;
        }
        if (fifoOk)
        {
            item = _ring[_head];
            _ring[_head] = default;
            if (++_head == _ring.Length) _head = 0;
            _ringCount--;
            return true;
        }
        if (timerOk)
        {
            int slot = _heap[0].Slot;
            item = _slots[slot];
            _timerSlots.Remove(item.TimerId);
            UnlinkFromSession(slot);
            RemoveHeapAt(0);
            FreeSlot(slot);
            return true;
        }
        item = default;
        return false;
    }

    /// <summary>Removes every FIFO item matching <paramref name="match"/>, keeping the order of the rest (compacted in place); each removed item goes to <paramref name="removed"/>.</summary>
    public void RemoveFifoWhere<TState>(TState state, Func<TState, QueueItem, bool> match, Action<TState, QueueItem> removed)
    {
        var ring = _ring;
        int n = _ringCount;
        int write = 0;
        for (int k = 0; k < n; k++)
        {
            int read = _head + k;
            if (read >= ring.Length) read -= ring.Length;
            var it = ring[read];
            if (match(state, it))
            {
                removed(state, it);
                continue;
            }
            if (write != k)
            {
                int to = _head + write;
                if (to >= ring.Length) to -= ring.Length;
                ring[to] = it;
            }
            write++;
        }
        for (int k = write; k < n; k++)
        {
            int idx = _head + k;
            if (idx >= ring.Length) idx -= ring.Length;
            ring[idx] = default;
        }
        _ringCount = write;
    }

    /// <summary>Visits every FIFO item in order.</summary>
    public void ForEachFifo<TState>(TState state, Action<TState, QueueItem> visit)
    {
        for (int k = 0; k < _ringCount; k++)
        {
            int idx = _head + k;
            if (idx >= _ring.Length) idx -= _ring.Length;
            visit(state, _ring[idx]);
        }
    }

    /// <summary>Visits every timer (heap order, not due order).</summary>
    public void ForEachTimer<TState>(TState state, Action<TState, QueueItem> visit)
    {
        for (int i = 0; i < _heapCount; i++) visit(state, _slots[_heap[i].Slot]);
    }

    public void Clear()
    {
        Array.Clear(_ring);
        _head = 0;
        _ringCount = 0;
        for (int i = 0; i < _heapCount; i++) _slots[_heap[i].Slot].Dest.TimerHead = -1;
        Array.Clear(_slots);
        _heapCount = 0;
        _freeCount = 0;
        _slotHigh = 0;
        _timerSlots.Clear();
    }

    private void FreeSlot(int slot)
    {
        _slots[slot] = default;
        _slotPos[slot] = -1;
        if (_freeCount == _freeSlots.Length) Array.Resize(ref _freeSlots, _freeSlots.Length * 2);
        _freeSlots[_freeCount++] = slot;
    }

    private void RemoveHeapAt(int i)
    {
        int last = --_heapCount;
        if (i != last)
        {
            var moved = _heap[last];
            _heap[i] = moved;
            _slotPos[moved.Slot] = i;
            SiftUp(i);
            if (_slotPos[moved.Slot] == i) SiftDown(i);
        }
        _heap[last] = default;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Less(in HeapEntry a, in HeapEntry b) => a.Due < b.Due || (a.Due == b.Due && a.Seq < b.Seq);

    private void SiftUp(int i)
    {
        var heap = _heap;
        var e = heap[i];
        while (i > 0)
        {
            int parent = (i - 1) >> 2;
            if (!Less(e, heap[parent])) break;
            heap[i] = heap[parent];
            _slotPos[heap[i].Slot] = i;
            i = parent;
        }
        heap[i] = e;
        _slotPos[e.Slot] = i;
    }

    private void SiftDown(int i)
    {
        // A 4-ary heap: half the levels of a binary one and the children share cache lines, which
        // is what matters with a million pending timers (every level is a cache miss).
        var heap = _heap;
        int n = _heapCount;
        var e = heap[i];
        while (true)
        {
            int first = (i << 2) + 1;
            if (first >= n) break;
            int best = first;
            int last = Math.Min(first + 4, n);
            for (int c = first + 1; c < last; c++)
                if (Less(heap[c], heap[best])) best = c;
            if (!Less(heap[best], e)) break;
            heap[i] = heap[best];
            _slotPos[heap[i].Slot] = i;
            i = best;
        }
        heap[i] = e;
        _slotPos[e.Slot] = i;
    }
}
