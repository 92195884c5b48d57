using PoeSharp.Components.Workers;

namespace PoeSharp.Components.Tests.Workers;

/// <summary>Heartbeat slots in an array: a fake fork stays in this process, so "shared" is free.</summary>
internal sealed class ArrayHeartbeatBoard(int slots) : IHeartbeatBoard
{
    private readonly long[] _slots = new long[slots];

    public List<(int Slot, bool InChild)> Forks { get; } = [];

    public void Prepare(int slot, long now) => _slots[slot] = now;

    public void Forked(int slot, bool inChild) => Forks.Add((slot, inChild));

    public void Beat(int slot, long now) => _slots[slot] = now;

    public long LastBeat(int slot, long now) => _slots[slot];

    public void Dispose() { }
}
