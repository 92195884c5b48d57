using PoeSharp.Os;

namespace PoeSharp.Components.Workers;

/// <summary>
/// A non-blocking pipe per worker: the worker writes a byte per beat, the parent drains the pipe
/// on its check timer and notes when it last found something. A full pipe (the parent is behind)
/// loses beats harmlessly. A fresh pipe per fork, so a dead worker's beats never count for its
/// replacement. A beat after a request is a different byte, so the parent also counts requests
/// (a beat lost to a full pipe loses its count too: the count is a lower bound). (An anonymous shared mapping would save the syscalls, but .NET maps
/// MemoryMappedFile views so that a forked child cannot touch them.)
/// </summary>
internal sealed class PipeHeartbeatBoard(int slots) : IHeartbeatBoard
{
    private const byte RequestByte = 2;
    private static readonly byte[] s_beat = [1];
    private static readonly byte[] s_request = [RequestByte];
    private readonly FileDescriptor?[] _read = new FileDescriptor?[slots];
    private readonly FileDescriptor?[] _write = new FileDescriptor?[slots];
    private readonly long[] _last = new long[slots];
    private readonly int[] _requests = new int[slots];
    private readonly byte[] _drain = new byte[256];

    /// <inheritdoc />
    public void Prepare(int slot, long now)
    {
        Close(slot);
        var pipe = PosixSocket.Pipe(nonBlocking: true);
        if (pipe.Ok) (_read[slot], _write[slot]) = pipe.Value;
        _last[slot] = now;
        _requests[slot] = 0;
    }

    /// <inheritdoc />
    public void Forked(int slot, bool inChild)
    {
        if (!inChild)
        {
            _write[slot]?.Dispose();
            _write[slot] = null;
            return;
        }
        for (int i = 0; i < _read.Length; i++)
        {
            _read[i]?.Dispose();
            _read[i] = null;
            if (i == slot) continue;
            _write[i]?.Dispose();
            _write[i] = null;
        }
    }

    /// <inheritdoc />
    public void Beat(int slot, long now, bool request)
    {
        if (_write[slot] is { } fd) _ = PosixSocket.Write(fd.Fd, request ? s_request : s_beat);
    }

    /// <inheritdoc />
    public long LastBeat(int slot, long now)
    {
        if (_read[slot] is { } fd)
        {
            bool seen = false;
            while (PosixSocket.Read(fd.Fd, _drain) is { Ok: true, Value: > 0 and var n })
            {
                seen = true;
                for (int i = 0; i < n; i++)
                    if (_drain[i] == RequestByte) _requests[slot]++;
            }
            if (seen) _last[slot] = now;
        }
        return _last[slot];
    }

    /// <inheritdoc />
    public int Requests(int slot) => _requests[slot];

    /// <inheritdoc />
    public void Dispose()
    {
        for (int i = 0; i < _read.Length; i++) Close(i);
    }

    private void Close(int slot)
    {
        _read[slot]?.Dispose();
        _read[slot] = null;
        _write[slot]?.Dispose();
        _write[slot] = null;
    }
}
