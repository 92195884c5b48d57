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
        _connections[slot] = 0;
        _inFlight[slot] = 0;
        _current[slot] = (null, 0);
        _retired[slot] = false;
    }

    public void Forked(int slot, bool inChild) => Forks.Add((slot, inChild));

    public void Beat(int slot, long now, bool request)
    {
        _slots[slot] = now;
        if (!request) return;
        _requests[slot]++;
        if (_inFlight[slot] > 0 && --_inFlight[slot] == 0) _current[slot] = (null, 0);
    }

    /// <summary>As the parent would see them, for a test that plays a worker's beat.</summary>
    public void Beat(int slot, long now) => Beat(slot, now, request: false);

    public int Requests(int slot) => _requests[slot];

    private readonly int[] _connections = new int[slots];
    private readonly int[] _inFlight = new int[slots];
    private readonly (string?, long)[] _current = new (string?, long)[slots];
    private readonly bool[] _retired = new bool[slots];

    public void RequestStarted(int slot, long now, string method, string target)
    {
        _inFlight[slot]++;
        _current[slot] = ($"{method} {target}", now);
    }

    public void ConnectionAccepted(int slot) => _connections[slot]++;

    public void Retiring(int slot) => _retired[slot] = true;

    public int Connections(int slot) => _connections[slot];

    public (string? Request, long Since) Current(int slot) => _current[slot];

    public bool Retired(int slot) => _retired[slot];

    public long LastBeat(int slot, long now) => _slots[slot];

    public void Dispose() { }
}
