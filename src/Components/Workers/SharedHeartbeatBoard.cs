using System.IO.MemoryMappedFiles;

namespace PoeSharp.Components.Workers;

/// <summary>
/// Heartbeat slots in an anonymous shared mapping created by the parent before it forks: a child's
/// writes are seen by the parent without a descriptor, a syscall or a thread. Each slot is an
/// aligned 64-bit word, written and read whole.
/// </summary>
internal sealed class SharedHeartbeatBoard : IHeartbeatBoard
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;

    /// <summary>Creates <paramref name="slots"/> slots, all 0.</summary>
    public SharedHeartbeatBoard(int slots)
    {
        Slots = slots;
        _file = MemoryMappedFile.CreateNew(null, Math.Max(1, slots) * sizeof(long));
        _view = _file.CreateViewAccessor();
    }

    /// <inheritdoc />
    public int Slots { get; }

    /// <inheritdoc />
    public long Read(int slot) => _view.ReadInt64(slot * sizeof(long));

    /// <inheritdoc />
    public void Write(int slot, long timestamp) => _view.Write(slot * sizeof(long), timestamp);

    /// <inheritdoc />
    public void Dispose()
    {
        _view.Dispose();
        _file.Dispose();
    }
}
