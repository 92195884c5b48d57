using PoeSharp.Components.Workers;

namespace PoeSharp.Components.Tests.Workers;

/// <summary>Heartbeat slots in an array: a fake fork stays in this process, so "shared" is free.</summary>
internal sealed class ArrayHeartbeatBoard(int slots) : IHeartbeatBoard
{
    private readonly long[] _slots = new long[slots];

    public int Slots => _slots.Length;

    public int Writes { get; private set; }

    public long Read(int slot) => _slots[slot];

    public void Write(int slot, long timestamp)
    {
        Writes++;
        _slots[slot] = timestamp;
    }

    public void Dispose() { }
}
