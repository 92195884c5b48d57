using PoeSharp.Components.Workers;

namespace PoeSharp.Components.Tests.Workers;

/// <summary>Heartbeat slots in an array: a fake fork stays in this process, so "shared" is free.</summary>
internal sealed class ArrayHeartbeatBoard(int slots) : IHeartbeatBoard
{
    private readonly long[] _slots = new long[slots];
    private readonly int[] _requests = new int[slots];

    public List<(int Slot, bool InChild)> Forks { get; } = [];

    public void Prepare(int slot, long now)
    {
        _slots[slot] = now;
        _requests[slot] = 0;
    }

    public void Forked(int slot, bool inChild) => Forks.Add((slot, inChild));

    public void Beat(int slot, long now, bool request)
    {
        _slots[slot] = now;
        if (request) _requests[slot]++;
    }

    /// <summary>As the parent would see them, for a test that plays a worker's beat.</summary>
    public void Beat(int slot, long now) => Beat(slot, now, request: false);

    public int Requests(int slot) => _requests[slot];

    public long LastBeat(int slot, long now) => _slots[slot];

    public void Dispose() { }
}
