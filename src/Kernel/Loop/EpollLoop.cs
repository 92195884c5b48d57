using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PoeSharp.Os;

namespace PoeSharp.Loop;

/// <summary>
/// The Linux readiness back end: one level-triggered epoll instance, an eventfd to wake it,
/// and per-descriptor interest bookkeeping for read, write and expedite with pause/resume.
/// Readiness is mapped the way <c>select(2)</c> reports it, so POE programs see the same
/// thing: read = IN/HUP/ERR, write = OUT/ERR, expedite = PRI. Descriptors epoll refuses
/// (regular files, EPERM) are reported ready on every poll, as <c>select</c> does.
/// </summary>
/// <remarks>
/// No allocation per <see cref="Poll"/>: the event buffer is native memory allocated once and
/// the bookkeeping is an array indexed by descriptor that grows only when a larger descriptor
/// is watched. Only <see cref="Wake"/> may be called from another thread.
/// </remarks>
public sealed unsafe class EpollLoop : ILoop
{
    private const int MaxEvents = 256;
    private const byte ReadBit = 1, WriteBit = 2, ExpediteBit = 4;
    private const ulong WakeToken = ulong.MaxValue;

    private static readonly int EventSize = EpollInterop.EventSize;
    private static readonly int DataOffset = EpollInterop.DataOffset;
    private static bool s_noPWait2;

    private struct FdState
    {
        public byte Interest;     // watched modes (paused ones included)
        public byte Paused;       // paused modes
        public bool Registered;   // present in the epoll set
        public bool Plain;        // epoll refused it (EPERM: regular file): always ready
        public uint Mask;         // events registered with epoll
        public uint Generation;   // bumped on every ADD, so a stale event for a re-added fd is dropped
        public bool Exclusive;    // registered with EPOLLEXCLUSIVE (one waking epoll instance per readiness)
        public bool ExclusiveRefused;   // the OS refused EPOLLEXCLUSIVE for it (EINVAL): registered plainly
        public bool Inherited;    // registered again after a fork: the parent holds the same file
    }

    private ILoopSink? _sink;
    private FdState[] _fds = new FdState[64];
    private int _maxFd = -1;
    private int _watchCount;
    private int _plainCount;
    private int _epfd = -1;
    private volatile int _wakeFd = -1;
    private int _wakePending;
    private byte* _events;
    private bool _disposed;
    private int _forkGeneration = ForkSafety.ForkGeneration;

    /// <summary>Creates the epoll instance and its wake descriptor (both close-on-exec).</summary>
    /// <exception cref="InvalidOperationException">The OS refused (descriptor limit reached).</exception>
    public EpollLoop()
    {
        _events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * EventSize));
        CreateDescriptors();
    }

    /// <inheritdoc />
    public int WatchCount => _watchCount;

    /// <summary>The epoll descriptor (for diagnostics and tests).</summary>
    public int EpollFd => _epfd;

    /// <summary>The eventfd that <see cref="Wake"/> writes to (for diagnostics and tests).</summary>
    public int WakeFd => _wakeFd;

    /// <inheritdoc />
    public void Attach(ILoopSink sink) => _sink = sink ?? throw new ArgumentNullException(nameof(sink));

    /// <inheritdoc />
    public void Watch(int fd, IoMode mode) => Watch(fd, mode, exclusive: false);

    /// <inheritdoc />
    /// <remarks>
    /// <c>EPOLLEXCLUSIVE</c> can only be given with <c>EPOLL_CTL_ADD</c> and an exclusive
    /// registration cannot be modified, so a change of the watched modes of such a descriptor is a
    /// <c>DEL</c> plus an <c>ADD</c> (two calls instead of one <c>MOD</c>; the new registration's
    /// readiness is reported from the next poll, as for any descriptor added anew). Pausing and resuming a
    /// descriptor watched in one mode only (a listener) costs the same as without the flag: a fully
    /// paused descriptor leaves the epoll set either way. Expedite cannot be combined with the flag
    /// (<c>EPOLLPRI</c>): while it is watched, the descriptor is registered without it; a kernel
    /// before Linux 4.5 refuses it and the descriptor is registered without it too. In a forked
    /// child the flag is set again on the child's own epoll instance (<see cref="AfterFork"/>),
    /// which is what makes it work: each process must wait on its own instance.
    /// </remarks>
    public void Watch(int fd, IoMode mode, bool exclusive)
    {
        ThrowIfDisposed();
        RebuildIfForked();
        if (fd < 0) throw new ArgumentOutOfRangeException(nameof(fd), fd, "A descriptor is never negative; was it closed already?");
        EnsureCapacity(fd);
        ref FdState s = ref _fds[fd];
        byte bit = Bit(mode);
        if ((s.Interest & bit) != 0) return;
        s.Interest |= bit;
        s.Paused &= (byte)~bit;
        if (exclusive) s.Exclusive = true;
        _watchCount++;
        if (fd > _maxFd) _maxFd = fd;
        Apply(fd, ref s);
    }

    /// <inheritdoc />
    public void Ignore(int fd, IoMode mode) => Ignore(fd, mode, closing: false);

    /// <inheritdoc />
    /// <remarks>
    /// Closing the last descriptor of an open file removes it from every epoll set, so when the
    /// descriptor is about to be closed and nothing else holds its file, the <c>EPOLL_CTL_DEL</c>
    /// is a system call for nothing (one per connection of a close-per-request server). Not for
    /// an exclusive registration (a listener shared by processes), and only in the process that
    /// registered it: in a child the registration was re-made on the child's instance for a file
    /// the parent holds too. Should the file live on all the same, its leftover registration reports
    /// under a generation that is no longer current and those reports are dropped.
    /// </remarks>
    public void Ignore(int fd, IoMode mode, bool closing)
    {
        if (_disposed || fd < 0 || fd >= _fds.Length) return;
        RebuildIfForked();
        ref FdState s = ref _fds[fd];
        byte bit = Bit(mode);
        if ((s.Interest & bit) == 0) return;
        s.Interest &= (byte)~bit;
        s.Paused &= (byte)~bit;
        _watchCount--;
        if (closing && s.Interest == 0 && s.Registered && !s.Exclusive && !s.Inherited)
        {
            // close(2) removes it: forget the registration without a system call.
            s.Registered = false;
            s.Mask = 0;
            s.Exclusive = false;
            s.ExclusiveRefused = false;
            return;
        }
        Apply(fd, ref s);
    }

    /// <inheritdoc />
    public void Pause(int fd, IoMode mode)
    {
        if (_disposed || fd < 0 || fd >= _fds.Length) return;
        RebuildIfForked();
        ref FdState s = ref _fds[fd];
        byte bit = Bit(mode);
        if ((s.Interest & bit) == 0 || (s.Paused & bit) != 0) return;
        s.Paused |= bit;
        Apply(fd, ref s);
    }

    /// <inheritdoc />
    public void Resume(int fd, IoMode mode)
    {
        if (_disposed || fd < 0 || fd >= _fds.Length) return;
        RebuildIfForked();
        ref FdState s = ref _fds[fd];
        byte bit = Bit(mode);
        if ((s.Paused & bit) == 0) return;
        s.Paused &= (byte)~bit;
        Apply(fd, ref s);
    }

    /// <summary>True when <paramref name="fd"/> is watched for <paramref name="mode"/> (paused or not).</summary>
    public bool IsWatched(int fd, IoMode mode) => fd >= 0 && fd < _fds.Length && (_fds[fd].Interest & Bit(mode)) != 0;

    /// <summary>True when <paramref name="fd"/>/<paramref name="mode"/> is watched and paused.</summary>
    public bool IsPaused(int fd, IoMode mode) => fd >= 0 && fd < _fds.Length && (_fds[fd].Paused & Bit(mode)) != 0;

    /// <summary>True when <paramref name="fd"/> is watched with the exclusive flag (whether the OS took it or not).</summary>
    public bool IsExclusive(int fd) => fd >= 0 && fd < _fds.Length && _fds[fd].Interest != 0 && _fds[fd].Exclusive;

    /// <inheritdoc />
    public int Poll(TimeSpan timeout)
    {
        ThrowIfDisposed();
        RebuildIfForked();
        if (_plainCount > 0) timeout = TimeSpan.Zero;
        int n = Wait(timeout);
        if (n < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.EINTR) n = 0;
            else throw new InvalidOperationException($"epoll_wait failed: {new OsError(errno)}. The loop's epoll descriptor is corrupt.");
        }

        int calls = 0;
        for (int i = 0; i < n; i++)
        {
            byte* ev = _events + (i * EventSize);
            uint events = Unsafe.ReadUnaligned<uint>(ev);
            ulong data = Unsafe.ReadUnaligned<ulong>(ev + DataOffset);
            if (data == WakeToken)
            {
                DrainWake();
                continue;
            }

            int fd = (int)(uint)data;
            uint gen = (uint)(data >> 32);
            // Read before write before expedite; interest is re-checked before every callback
            // because a callback may unwatch, pause or close this descriptor (or another in the batch).
            if ((events & (EpollInterop.EPOLLIN | EpollInterop.EPOLLRDNORM | EpollInterop.EPOLLRDBAND | EpollInterop.EPOLLHUP | EpollInterop.EPOLLERR)) != 0
                && Active(fd, gen, ReadBit))
            {
                calls++;
                _sink?.OnReady(fd, IoMode.Read);
            }
            if ((events & (EpollInterop.EPOLLOUT | EpollInterop.EPOLLWRNORM | EpollInterop.EPOLLWRBAND | EpollInterop.EPOLLERR)) != 0
                && Active(fd, gen, WriteBit))
            {
                calls++;
                _sink?.OnReady(fd, IoMode.Write);
            }
            if ((events & EpollInterop.EPOLLPRI) != 0 && Active(fd, gen, ExpediteBit))
            {
                calls++;
                _sink?.OnReady(fd, IoMode.Expedite);
            }
        }

        if (_plainCount > 0) calls += ReportPlain();
        return calls;
    }

    /// <inheritdoc />
    public void Wake()
    {
        int fd = _wakeFd;
        if (fd < 0 || Interlocked.Exchange(ref _wakePending, 1) == 1) return;
        ulong one = 1;
        FileInterop.WriteRetry(fd, (byte*)&one, sizeof(ulong));
    }

    /// <inheritdoc />
    /// <remarks>
    /// In a child forked by <c>PosixProcessHost</c> the loop also does this by itself before
    /// its first epoll call, so the order in which a kernel rebuilds its loop and its process host
    /// does not matter. Calling it again is harmless (it builds fresh descriptors once more).
    /// </remarks>
    public void AfterFork()
    {
        ThrowIfDisposed();
        _forkGeneration = ForkSafety.ForkGeneration;
        // The inherited epoll instance and eventfd are the parent's objects: closing our copies
        // does not touch the parent, but any epoll_ctl on them would change the parent's watches.
        int oldEp = _epfd, oldWake = _wakeFd;
        _epfd = -1;
        _wakeFd = -1;
        CreateDescriptors();
        FileInterop.Close(oldEp);
        FileInterop.Close(oldWake);
        _wakePending = 0;
        for (int fd = 0; fd <= _maxFd; fd++)
        {
            ref FdState s = ref _fds[fd];
            s.Registered = false;
            s.Mask = 0;
            s.Inherited = s.Interest != 0;
            if (s.Plain)
            {
                s.Plain = false;
                _plainCount--;
            }
            if (s.Interest == 0) continue;
            try
            {
                Apply(fd, ref s);
            }
            catch (InvalidOperationException)
            {
                // Closed in the child before the loop was rebuilt: nothing left to watch.
                _watchCount -= BitCount(s.Interest);
                s.Interest = 0;
                s.Paused = 0;
                s.Inherited = false;
            }
        }
    }

    /// <summary>Closes the epoll and wake descriptors. Watched descriptors are not closed.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        int wake = _wakeFd;
        _wakeFd = -1;
        FileInterop.Close(_epfd);
        FileInterop.Close(wake);
        _epfd = -1;
        NativeMemory.Free(_events);
        _events = null;
    }

    private static byte Bit(IoMode mode) => mode switch
    {
        IoMode.Read => ReadBit,
        IoMode.Write => WriteBit,
        IoMode.Expedite => ExpediteBit,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Use IoMode.Read, IoMode.Write or IoMode.Expedite."),
    };

    private void RebuildIfForked()
    {
        if (_forkGeneration != ForkSafety.ForkGeneration) AfterFork();
    }

    private static int BitCount(byte bits) => (bits & 1) + ((bits >> 1) & 1) + ((bits >> 2) & 1);

    private bool Active(int fd, uint gen, byte bit)
    {
        if ((uint)fd >= (uint)_fds.Length) return false;
        ref FdState s = ref _fds[fd];
        return s.Registered && s.Generation == gen && (s.Interest & bit) != 0 && (s.Paused & bit) == 0;
    }

    /// <summary>
    /// Calls each wait of the loop once on no epoll instance (EBADF at once), so that their
    /// marshalling stubs are compiled: a parent that forks before its first poll (a pre-forking
    /// pool does) would otherwise leave them to every child (docs/FORK-SAFETY.md, "Cost of a child").
    /// </summary>
    internal static void PrepareWaits()
    {
        byte* events = stackalloc byte[16];
        EpollInterop.TimeSpec ts = default;
        _ = EpollInterop.EpollPWait2(-1, events, 1, &ts, null);
        _ = EpollInterop.EpollWait(-1, events, 1, 0);
        _ = OsError.Last();
    }

    private int Wait(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan) return EpollInterop.EpollWait(_epfd, _events, MaxEvents, -1);
        if (timeout <= TimeSpan.Zero) return EpollInterop.EpollWait(_epfd, _events, MaxEvents, 0);
        if (!s_noPWait2)
        {
            // Nanosecond timeout, so a timer is neither early nor a millisecond late.
            EpollInterop.TimeSpec ts;
            long ticks = timeout.Ticks;
            ts.Seconds = ticks / TimeSpan.TicksPerSecond;
            ts.Nanoseconds = (ticks % TimeSpan.TicksPerSecond) * 100;
            int r = EpollInterop.EpollPWait2(_epfd, _events, MaxEvents, &ts, null);
            if (r >= 0 || Marshal.GetLastPInvokeError() != Errno.ENOSYS) return r;
            s_noPWait2 = true;
        }
        // Round up: waking early would make the kernel spin until its timer is due.
        double ms = Math.Ceiling(timeout.TotalMilliseconds);
        return EpollInterop.EpollWait(_epfd, _events, MaxEvents, ms >= int.MaxValue ? int.MaxValue : (int)ms);
    }

    private void DrainWake()
    {
        ulong value;
        FileInterop.ReadRetry(_wakeFd, (byte*)&value, sizeof(ulong));   // EAGAIN (already drained) is fine
        Volatile.Write(ref _wakePending, 0);
    }

    private int ReportPlain()
    {
        int calls = 0;
        for (int fd = 0; fd <= _maxFd && _plainCount > 0; fd++)
        {
            ref FdState s = ref _fds[fd];
            if (!s.Plain) continue;
            for (byte bit = ReadBit; bit <= ExpediteBit; bit <<= 1)
            {
                // Re-read the state: the previous callback may have changed it.
                ref FdState cur = ref _fds[fd];
                if (!cur.Plain || (cur.Interest & bit) == 0 || (cur.Paused & bit) != 0) continue;
                if (bit == ExpediteBit) continue;   // select() never reports exceptions on a file
                calls++;
                _sink?.OnReady(fd, bit == ReadBit ? IoMode.Read : IoMode.Write);
            }
        }
        return calls;
    }

    /// <summary>Brings the epoll registration of <paramref name="fd"/> in line with its bookkeeping.</summary>
    private void Apply(int fd, ref FdState s)
    {
        byte active = (byte)(s.Interest & ~s.Paused);
        uint mask = 0;
        if ((active & ReadBit) != 0) mask |= EpollInterop.EPOLLIN;
        if ((active & WriteBit) != 0) mask |= EpollInterop.EPOLLOUT;
        if ((active & ExpediteBit) != 0) mask |= EpollInterop.EPOLLPRI;
        if (s.Interest == 0)
        {
            s.Exclusive = false;
            s.ExclusiveRefused = false;
            s.Inherited = false;
        }
        // EPOLLEXCLUSIVE takes IN and OUT only (EINVAL with PRI).
        if (mask != 0 && s.Exclusive && !s.ExclusiveRefused && (mask & EpollInterop.EPOLLPRI) == 0) mask |= EpollInterop.EPOLLEXCLUSIVE;

        if (s.Plain)
        {
            if (s.Interest == 0)
            {
                s.Plain = false;
                _plainCount--;
            }
            return;
        }

        if (mask == 0)
        {
            // Fully paused or no longer watched: leave the set, since epoll reports HUP/ERR even for mask 0.
            if (s.Registered)
            {
                EpollInterop.EpollCtl(_epfd, EpollInterop.EPOLL_CTL_DEL, fd, null);   // EBADF/ENOENT: already closed
                s.Registered = false;
                s.Mask = 0;
            }
            return;
        }

        if (s.Registered && s.Mask == mask) return;
        byte* ev = stackalloc byte[16];
        Unsafe.WriteUnaligned(ev, mask);
        if (s.Registered && ((mask | s.Mask) & EpollInterop.EPOLLEXCLUSIVE) != 0)
        {
            // An exclusive registration cannot be modified, nor a plain one made exclusive: add it anew.
            EpollInterop.EpollCtl(_epfd, EpollInterop.EPOLL_CTL_DEL, fd, null);
            s.Registered = false;
        }
        if (s.Registered)
        {
            Unsafe.WriteUnaligned(ev + DataOffset, ((ulong)s.Generation << 32) | (uint)fd);
            if (EpollInterop.EpollCtl(_epfd, EpollInterop.EPOLL_CTL_MOD, fd, ev) == 0)
            {
                s.Mask = mask;
                return;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.ENOENT) ThrowCtl("modify", fd, errno);
            s.Registered = false;   // closed and reopened behind our back: add it again
        }

        uint gen = s.Generation + 1;
        Unsafe.WriteUnaligned(ev + DataOffset, ((ulong)gen << 32) | (uint)fd);
        int added = EpollInterop.EpollCtl(_epfd, EpollInterop.EPOLL_CTL_ADD, fd, ev);
        if (added != 0 && (mask & EpollInterop.EPOLLEXCLUSIVE) != 0 && Marshal.GetLastPInvokeError() == Errno.EINVAL)
        {
            // Before Linux 4.5, or a descriptor the flag does not apply to: watch it plainly.
            s.ExclusiveRefused = true;
            mask &= ~EpollInterop.EPOLLEXCLUSIVE;
            Unsafe.WriteUnaligned(ev, mask);
            added = EpollInterop.EpollCtl(_epfd, EpollInterop.EPOLL_CTL_ADD, fd, ev);
        }
        if (added != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.EEXIST && TakeOver(fd, ev, mask))
            {
                // A registration left by a closed duplicate of the same number: take it over.
            }
            else if (errno == Errno.EPERM)
            {
                s.Plain = true;   // a regular file or directory: always ready, as select() says
                _plainCount++;
                return;
            }
            else
            {
                ThrowCtl("watch", fd, errno);
            }
        }
        s.Generation = gen;
        s.Registered = true;
        s.Mask = mask;
    }

    /// <summary>Replaces a registration left by a closed duplicate of the same number (an exclusive one cannot be modified).</summary>
    private bool TakeOver(int fd, byte* ev, uint mask)
    {
        if ((mask & EpollInterop.EPOLLEXCLUSIVE) == 0 && EpollInterop.EpollCtl(_epfd, EpollInterop.EPOLL_CTL_MOD, fd, ev) == 0) return true;
        EpollInterop.EpollCtl(_epfd, EpollInterop.EPOLL_CTL_DEL, fd, null);
        return EpollInterop.EpollCtl(_epfd, EpollInterop.EPOLL_CTL_ADD, fd, ev) == 0;
    }

    private static void ThrowCtl(string what, int fd, int errno) =>
        throw new InvalidOperationException(errno == Errno.EBADF
            ? $"Cannot {what} fd {fd}: it is not an open descriptor (closed before it was unwatched?)."
            : $"Cannot {what} fd {fd} with epoll: {new OsError(errno)}.");

    private void EnsureCapacity(int fd)
    {
        if (fd < _fds.Length) return;
        int size = _fds.Length;
        while (size <= fd) size *= 2;
        Array.Resize(ref _fds, size);
    }

    private void CreateDescriptors()
    {
        int ep = EpollInterop.EpollCreate1(EpollInterop.EPOLL_CLOEXEC);
        if (ep < 0) throw new InvalidOperationException($"epoll_create1 failed: {OsError.Last()}.");
        int wake = EventFdInterop.EventFd(0, EventFdInterop.EFD_CLOEXEC | EventFdInterop.EFD_NONBLOCK);
        if (wake < 0)
        {
            var err = OsError.Last();
            FileInterop.Close(ep);
            throw new InvalidOperationException($"eventfd failed: {err}.");
        }
        byte* ev = stackalloc byte[16];
        Unsafe.WriteUnaligned(ev, EpollInterop.EPOLLIN);
        Unsafe.WriteUnaligned(ev + DataOffset, WakeToken);
        if (EpollInterop.EpollCtl(ep, EpollInterop.EPOLL_CTL_ADD, wake, ev) != 0)
        {
            var err = OsError.Last();
            FileInterop.Close(ep);
            FileInterop.Close(wake);
            throw new InvalidOperationException($"Cannot watch the wake descriptor: {err}.");
        }
        _epfd = ep;
        _wakeFd = wake;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
