using System.Buffers.Binary;
using System.Text;
using PoeSharp.Os;

namespace PoeSharp.Components.Workers;

/// <summary>
/// A non-blocking pipe per worker: the worker writes a record per event, the parent drains the pipe
/// on its timers and notes when it last found something. A fresh pipe per fork, so a dead worker's
/// records never count for its replacement. Records: 1 beat; 2 request answered; 3 request begun
/// (then its timestamp, 8 bytes, a length byte and up to <see cref="MaxRequestText"/> bytes of
/// "METHOD target"); 4 connection accepted; 5 retiring. Each record is one write of at most
/// PIPE_BUF bytes, so it arrives whole or, when the pipe is full (the parent is behind), not at all:
/// the counts are lower bounds. Writing a record allocates nothing. (An anonymous shared mapping
/// would save the syscalls, but .NET maps MemoryMappedFile views so that a forked child cannot touch them.)
/// </summary>
internal sealed class PipeHeartbeatBoard(int slots) : IHeartbeatBoard
{
    /// <summary>The longest "METHOD target" a worker reports; longer ones are cut.</summary>
    public const int MaxRequestText = 100;

    private const byte BeatByte = 1, AnsweredByte = 2, StartedByte = 3, AcceptedByte = 4, RetiringByte = 5;
    private const int StartedHead = 1 + 8 + 1;
    private static readonly byte[] s_beat = [BeatByte];
    private static readonly byte[] s_answered = [AnsweredByte];
    private static readonly byte[] s_accepted = [AcceptedByte];
    private static readonly byte[] s_retiring = [RetiringByte];
    private readonly FileDescriptor?[] _read = new FileDescriptor?[slots];
    private readonly FileDescriptor?[] _write = new FileDescriptor?[slots];
    private readonly long[] _last = new long[slots];
    private readonly int[] _requests = new int[slots];
    private readonly int[] _connections = new int[slots];
    private readonly int[] _inFlight = new int[slots];
    private readonly long[] _since = new long[slots];
    private readonly string?[] _current = new string?[slots];
    private readonly bool[] _retired = new bool[slots];
    // A begun-request record may be split across two reads: its bytes so far, per slot (created on first use).
    private readonly byte[]?[] _partial = new byte[]?[slots];
    private readonly int[] _partialLength = new int[slots];
    private readonly byte[] _drain = new byte[512];

    /// <inheritdoc />
    public void Prepare(int slot, long now)
    {
        Close(slot);
        var pipe = PosixSocket.Pipe(nonBlocking: true);
        if (pipe.Ok) (_read[slot], _write[slot]) = pipe.Value;
        _last[slot] = now;
        _requests[slot] = 0;
        _connections[slot] = 0;
        _inFlight[slot] = 0;
        _current[slot] = null;
        _retired[slot] = false;
        _partialLength[slot] = 0;
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
    public void Beat(int slot, long now, bool request) => Send(slot, request ? s_answered : s_beat);

    /// <inheritdoc />
    public void RequestStarted(int slot, long now, string method, string target)
    {
        if (_write[slot] is not { } fd) return;
        Span<byte> record = stackalloc byte[StartedHead + MaxRequestText];
        record[0] = StartedByte;
        BinaryPrimitives.WriteInt64LittleEndian(record[1..], now);
        int n = 0;
        Span<byte> text = record[StartedHead..];
        Append(text, ref n, method);
        if (n < text.Length) text[n++] = (byte)' ';
        Append(text, ref n, target);
        record[StartedHead - 1] = (byte)n;
        _ = PosixSocket.Write(fd.Fd, record[..(StartedHead + n)]);
    }

    /// <inheritdoc />
    public void ConnectionAccepted(int slot) => Send(slot, s_accepted);

    /// <inheritdoc />
    public void Retiring(int slot) => Send(slot, s_retiring);

    /// <inheritdoc />
    public long LastBeat(int slot, long now)
    {
        if (_read[slot] is { } fd)
        {
            bool seen = false;
            while (PosixSocket.Read(fd.Fd, _drain) is { Ok: true, Value: > 0 and var n })
            {
                seen = true;
                Consume(slot, _drain.AsSpan(0, n));
            }
            if (seen) _last[slot] = now;
        }
        return _last[slot];
    }

    /// <inheritdoc />
    public int Requests(int slot) => _requests[slot];

    /// <inheritdoc />
    public int Connections(int slot) => _connections[slot];

    /// <inheritdoc />
    public (string? Request, long Since) Current(int slot) => (_current[slot], _since[slot]);

    /// <inheritdoc />
    public bool Retired(int slot) => _retired[slot];

    /// <inheritdoc />
    public void Dispose()
    {
        for (int i = 0; i < _read.Length; i++) Close(i);
    }

    private void Send(int slot, byte[] record)
    {
        if (_write[slot] is { } fd) _ = PosixSocket.Write(fd.Fd, record);
    }

    // Printable ASCII only, cut at the buffer's end: the status file is one line per worker.
    private static void Append(Span<byte> text, ref int n, string value)
    {
        foreach (char c in value)
        {
            if (n == text.Length) return;
            text[n++] = c is > ' ' and < (char)0x7f ? (byte)c : (byte)'?';
        }
    }

    private void Consume(int slot, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
        {
            if (_partialLength[slot] > 0 || b == StartedByte)
            {
                byte[] partial = _partial[slot] ??= new byte[StartedHead + MaxRequestText];
                partial[_partialLength[slot]++] = b;
                int length = _partialLength[slot];
                if (length < StartedHead || length < StartedHead + partial[StartedHead - 1]) continue;
                _partialLength[slot] = 0;
                _inFlight[slot]++;
                _since[slot] = BinaryPrimitives.ReadInt64LittleEndian(partial.AsSpan(1));
                _current[slot] = Encoding.ASCII.GetString(partial, StartedHead, partial[StartedHead - 1]);
                continue;
            }
            switch (b)
            {
                case AnsweredByte:
                    _requests[slot]++;
                    // A begun record lost to a full pipe must not leave the count below zero.
                    if (_inFlight[slot] > 0 && --_inFlight[slot] == 0) _current[slot] = null;
                    break;
                case AcceptedByte:
                    _connections[slot]++;
                    break;
                case RetiringByte:
                    _retired[slot] = true;
                    break;
            }
        }
    }

    private void Close(int slot)
    {
        _read[slot]?.Dispose();
        _read[slot] = null;
        _write[slot]?.Dispose();
        _write[slot] = null;
    }
}
