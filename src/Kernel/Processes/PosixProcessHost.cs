using System.Runtime.InteropServices;
using PoeSharp.Loop;
using PoeSharp.Os;

namespace PoeSharp.Processes;

/// <summary>
/// The real <see cref="IProcessHost"/>: fork() behind the readiness check and quiesce step of
/// docs/FORK-SAFETY.md, OS signals through a signalfd, and child exits through one pidfd per
/// child, reaped with <c>waitpid(pid)</c> (never <c>waitpid(-1)</c>, so other code's children
/// are left alone). No thread, no SIGCHLD handler.
/// </summary>
/// <remarks>
/// Without pidfd_open (Linux before 5.3, ENOSYS; or <c>POESHARP_NO_PIDFD=1</c>) children are
/// polled instead: SIGCHLD is read from the signalfd and a timerfd fires once when a watch starts
/// (the child may have exited already) and then every <see cref="FallbackPollInterval"/>, because
/// in a multi-threaded process a SIGCHLD can be taken by a runtime thread that does not block it.
/// Each poll is <c>waitpid(pid, WNOHANG)</c> for every watched pid, never <c>waitpid(-1)</c>.
/// </remarks>
/// <remarks>
/// In a child, <see cref="Fork"/> has already blocked HUP/INT/QUIT/TERM/CHLD, reset every
/// signal handler the runtime installed to its default, set the parent-death signal and
/// refreshed the pid. The child then calls the loop's <see cref="ILoop.AfterFork"/> and this
/// host's <see cref="AfterFork"/> (the kernel's <c>HasForked</c> does both), in either order: an
/// <see cref="EpollLoop"/> rebuilds itself before its first epoll call in a child, so the host's
/// watch changes never reach the parent's epoll instance.
/// </remarks>
public sealed unsafe class PosixProcessHost : IProcessHost, IReadyHandler
{
    /// <summary>The signals a child blocks first thing after fork (docs/FORK-SAFETY.md, "What `Fork()` does", item 5).</summary>
    private static ReadOnlySpan<int> ChildBlocked => [Signals.HUP, Signals.INT, Signals.QUIT, Signals.TERM, Signals.CHLD];

    private readonly Dictionary<int, int> _pidByFd = new();
    private readonly Dictionary<int, int> _fdByPid = new();
    private readonly HashSet<int> _silent = new();
    private readonly HashSet<int> _polled = new();   // children watched without a pidfd
    private readonly List<int> _reaped = new();
    private readonly List<int> _reapedStatus = new();
    private IProcessSink? _sink;
    private SignalSet _watched;    // signals the kernel wants delivered
    private SignalSet _owned;      // signals blocked here and read from the signalfd
    private int _signalFd = -1;
    private int _pidAtRebuild;
    private int _pollTimerFd = -1;
    private bool _noPidFd = Environment.GetEnvironmentVariable(NoPidFdVariable) == "1";
    private bool _disposed;

    /// <summary>Set to 1, makes every host poll its children instead of using pidfds (to test the fallback).</summary>
    internal const string NoPidFdVariable = "POESHARP_NO_PIDFD";

    /// <summary>The safety-net poll period of the pidfd fallback (a SIGCHLD normally triggers the poll at once).</summary>
    internal static readonly TimeSpan FallbackPollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Creates a host for this process. It does nothing until <see cref="Attach"/>.</summary>
    public PosixProcessHost()
    {
        _pidAtRebuild = ProcessInterop.GetPid();
        if (SignalMaskBootstrap.IsActive)
            foreach (int s in SignalMaskBootstrap.BlockedSignals) _owned.Add(s);
    }

    /// <summary>
    /// The signal a child receives when the parent dies (prctl PR_SET_PDEATHSIG); 0 = none.
    /// Default KILL: a parent that dies abnormally cannot ask its children to stop, and a TERM
    /// would only reach a child whose loop is still running (TERM is blocked and read from the
    /// signalfd), so a hung child would be left behind for ever. A parent that shuts down
    /// cleanly sends its children TERM itself. Set <see cref="Signals.TERM"/> for children that
    /// must finish their work even then.
    /// </summary>
    public int ParentDeathSignal { get; set; } = Signals.KILL;

    /// <summary>How long <see cref="Fork"/> waits for the other runtime threads to go quiet.</summary>
    public TimeSpan QuiesceTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Number of /proc scans the last fork's quiesce step needed (diagnostics).</summary>
    public int LastQuiesceSamples { get; private set; }

    /// <inheritdoc />
    public int ProcessId => ProcessInterop.GetPid();

    /// <summary>Number of children watched (reported or silently reaped) now.</summary>
    public int ChildCount => _fdByPid.Count + _polled.Count;

    /// <summary>
    /// Whether new watches use pidfds. False after pidfd_open failed with ENOSYS, with
    /// <c>POESHARP_NO_PIDFD=1</c>, or when a test sets it.
    /// </summary>
    internal bool UsePidFd
    {
        get => !_noPidFd;
        set => _noPidFd = !value;
    }

    /// <inheritdoc />
    public void Attach(IProcessSink sink)
    {
        _sink = sink ?? throw new ArgumentNullException(nameof(sink));
        if (!_owned.IsEmpty) UpdateSignalFd();
    }

    /// <inheritdoc />
    public ForkResult Fork()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ForkSafety.ThrowIfNotReady();   // also caches the parent's pid (ForkSafety's static initializer)
        ForkSafety.WarmUp();
        PrepareChildPath();
        if (!Quiescer.Quiesce(QuiesceTimeout, out int samples))
        {
            LastQuiesceSamples = samples;
            int tid = Quiescer.LastBusyTid;
            return ForkResult.Failure(Errno.EAGAIN,
                $"Not forked: thread {tid} ('{Quiescer.ThreadName(tid)}') kept running for {QuiesceTimeout.TotalSeconds:0.#} s. " +
                "Fork only while the process is single-threaded in managed code (no ThreadPool, Task, Timer or async I/O).");
        }
        LastQuiesceSamples = samples;
        int parent = ProcessInterop.GetPid();
        // From here on, descriptors made before this fork may have a copy in the child.
        ForkSafety.NoteFork();
        int pid = ProcessInterop.Fork();
        if (pid < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return ForkResult.Failure(errno, $"fork failed: {new OsError(errno)}");
        }
        if (pid > 0) return new ForkResult(pid);
        SetUpChild(parent);
        return new ForkResult(0);
    }

    /// <inheritdoc />
    public void WatchSignal(string name)
    {
        int signo = OsSignal(name);
        if (signo == 0) return;
        _watched.Add(signo);
        if (_owned.Contains(signo)) return;
        _owned.Add(signo);
        var one = default(SignalSet);
        one.Add(signo);
        SignalInterop.PthreadSigmask(SignalInterop.SIG_BLOCK, &one, null);
        UpdateSignalFd();
    }

    /// <inheritdoc />
    public void IgnoreSignal(string name)
    {
        int signo = OsSignal(name);
        if (signo == 0 || !_watched.Contains(signo)) return;
        _watched.Remove(signo);
        if (IsAlwaysOwned(signo)) return;   // still blocked: its default action is applied when it arrives
        _owned.Remove(signo);
        UpdateSignalFd();
        var one = default(SignalSet);
        one.Add(signo);
        SignalInterop.PthreadSigmask(SignalInterop.SIG_UNBLOCK, &one, null);
    }

    /// <inheritdoc />
    public bool WatchChild(int pid)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (pid <= 0) return false;
        if (_fdByPid.ContainsKey(pid) || _polled.Contains(pid))
        {
            _silent.Remove(pid);
            return true;
        }
        ProcessInterop.SigInfo info = default;
        // Our child? WNOWAIT leaves it reapable; ECHILD means it belongs to someone else.
        while (ProcessInterop.WaitId(ProcessInterop.P_PID, pid, &info, ProcessInterop.WEXITED | ProcessInterop.WNOHANG | ProcessInterop.WNOWAIT) != 0)
            if (Marshal.GetLastPInvokeError() != Errno.EINTR) return false;
        int fd = _noPidFd ? -1 : ProcessInterop.PidFdOpen(pid);
        if (fd < 0)
        {
            if (!_noPidFd)
            {
                if (Marshal.GetLastPInvokeError() != Errno.ENOSYS) return false;
                _noPidFd = true;   // an old kernel: poll from now on
            }
            WatchPolled(pid);
            return true;
        }
        _fdByPid[pid] = fd;
        _pidByFd[fd] = pid;
        _sink?.WatchInternal(fd, IoMode.Read, this);
        return true;
    }

    /// <inheritdoc />
    /// <remarks>The child is still reaped when it exits, silently, so it never lingers as a zombie.</remarks>
    public void IgnoreChild(int pid)
    {
        if (_fdByPid.ContainsKey(pid) || _polled.Contains(pid)) _silent.Add(pid);
    }

    /// <inheritdoc />
    public void AfterFork()
    {
        int pid = ProcessInterop.GetPid();
        if (pid == _pidAtRebuild) return;
        _pidAtRebuild = pid;
        if (!ForkedByUs) SetUpChildSignals();

        // The parent's children are not ours: forget them without waiting.
        foreach (var (fd, _) in _pidByFd)
        {
            _sink?.UnwatchInternal(fd, IoMode.Read);
            FileInterop.Close(fd);
        }
        _pidByFd.Clear();
        _fdByPid.Clear();
        _silent.Clear();
        _polled.Clear();
        CloseTimer();   // a timerfd is shared with the parent too

        // A signalfd's mask lives in the descriptor shared with the parent: make our own.
        int old = _signalFd;
        if (old >= 0)
        {
            _sink?.UnwatchInternal(old, IoMode.Read);
            _signalFd = -1;
        }
        UpdateSignalFd();
        if (old >= 0) FileInterop.Close(old);
        ForkedByUs = false;
    }

    /// <inheritdoc />
    void IReadyHandler.OnReady(int fd, IoMode mode)
    {
        if (fd == _signalFd) ReadSignals();
        else if (fd == _pollTimerFd) OnPollTimer();
        else if (_pidByFd.TryGetValue(fd, out int pid)) Reap(fd, pid);
    }

    /// <summary>Closes the signalfd and every pidfd; children are not waited for.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var (fd, _) in _pidByFd)
        {
            _sink?.UnwatchInternal(fd, IoMode.Read);
            FileInterop.Close(fd);
        }
        _pidByFd.Clear();
        _fdByPid.Clear();
        _polled.Clear();
        CloseTimer();
        if (_signalFd >= 0)
        {
            _sink?.UnwatchInternal(_signalFd, IoMode.Read);
            FileInterop.Close(_signalFd);
            _signalFd = -1;
        }
    }

    private bool ForkedByUs { get; set; }

    private static bool s_prepared;

    /// <summary>Compiles the child's first steps in the parent, so a new child does not wait for the JIT.</summary>
    private static void PrepareChildPath()
    {
        if (s_prepared) return;
        s_prepared = true;
        const System.Reflection.BindingFlags all = System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static |
                                                   System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic |
                                                   System.Reflection.BindingFlags.DeclaredOnly;
        foreach (var type in new[] { typeof(PosixProcessHost), typeof(EpollLoop), typeof(SignalInterop), typeof(ProcessInterop), typeof(FileInterop), typeof(ForkSafety), typeof(SignalSet), typeof(ChildCost) })
        {
            PrepareAll(type, all);
            // A static constructor the child would otherwise run (and compile) first.
            System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(type.TypeHandle);
        }
    }

    /// <summary>JIT-compiles every non-generic method <paramref name="type"/> declares.</summary>
    internal static void PrepareAll(Type type, System.Reflection.BindingFlags flags)
    {
        foreach (var m in type.GetMethods(flags))
            if (!m.IsAbstract && !m.ContainsGenericParameters)
            {
                // A virtual method (an interface's, too) that was never called has no stable entry
                // point yet, and PrepareMethod then compiles nothing (seen for AfterFork, Dispose);
                // asking for its function pointer gives it one first.
                if (m.IsVirtual) _ = m.MethodHandle.GetFunctionPointer();
                System.Runtime.CompilerServices.RuntimeHelpers.PrepareMethod(m.MethodHandle);
            }
    }

    /// <summary>The child's first steps, before any other managed code runs.</summary>
    private void SetUpChild(int parentPid)
    {
        ForkSafety.MarkForkedChild();
        ChildCost.AtChildStart();
        SetUpChildSignals();
        if (ParentDeathSignal > 0)
        {
            ProcessInterop.Prctl(ProcessInterop.PR_SET_PDEATHSIG, (nuint)ParentDeathSignal, 0, 0, 0);
            // The parent may have died before prctl took effect.
            if (ProcessInterop.GetPPid() != parentPid) SignalInterop.Raise(ParentDeathSignal);
        }
        ForkedByUs = true;
    }

    private void SetUpChildSignals()
    {
        var block = SignalSet.Of(ChildBlocked);
        SignalInterop.PthreadSigmask(SignalInterop.SIG_BLOCK, &block, null);
        foreach (int s in ChildBlocked) _owned.Add(s);
        // The runtime's handlers forward to a thread that does not exist in the child and
        // re-send TERM/INT/QUIT to the parent's pid. Keep only the ones that turn hardware
        // faults into exceptions (ILL, TRAP, ABRT, BUS, FPE, SEGV) and the real-time signals.
        for (int s = 1; s < 32; s++)
        {
            if (s is 4 or 5 or 6 or 7 or 8 or 11 or Signals.KILL or 19) continue;
            nint handler = SignalInterop.GetHandler(s);
            if (handler != SignalInterop.SIG_DFL && handler != SignalInterop.SIG_IGN)
                SignalInterop.SetDisposition(s, SignalInterop.SIG_DFL);
        }
    }

    private static bool IsAlwaysOwned(int signo)
    {
        if (ForkSafety.IsForkedChild)
            foreach (int s in ChildBlocked) if (s == signo) return true;
        if (SignalMaskBootstrap.IsActive)
            foreach (int s in SignalMaskBootstrap.BlockedSignals) if (s == signo) return true;
        return false;
    }

    /// <summary>The OS signal number for a POE name; 0 for names the OS layer does not take (CHLD, KILL, STOP, invented).</summary>
    private static int OsSignal(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int signo = Signals.Number(name);
        // CHLD comes from pidfds (the kernel raises it per reaped child); KILL and STOP cannot be caught;
        // ILL/TRAP/ABRT/BUS/FPE/SEGV belong to the runtime (they become exceptions).
        return signo is Signals.CHLD or Signals.KILL or 19 or 4 or 5 or 6 or 7 or 8 or 11 ? 0 : signo;
    }

    private void UpdateSignalFd()
    {
        if (_sink is null) return;
        var mask = _owned;
        if (_signalFd >= 0)
        {
            SignalInterop.SignalFd(_signalFd, &mask, 0);
            return;
        }
        int fd = SignalInterop.SignalFd(-1, &mask, SignalInterop.SFD_CLOEXEC | SignalInterop.SFD_NONBLOCK);
        if (fd < 0) throw new InvalidOperationException($"signalfd failed: {OsError.Last()}.");
        _signalFd = fd;
        _sink.WatchInternal(fd, IoMode.Read, this);
    }

    private void ReadSignals()
    {
        byte* info = stackalloc byte[SignalInterop.SignalFdInfoSize * 8];
        bool child = false;
        while (true)
        {
            nint n = FileInterop.ReadRetry(_signalFd, info, SignalInterop.SignalFdInfoSize * 8);
            if (n <= 0) break;   // EAGAIN: drained
            for (nint off = 0; off + SignalInterop.SignalFdInfoSize <= n; off += SignalInterop.SignalFdInfoSize)
            {
                int signo = *(int*)(info + off);
                if (signo == Signals.CHLD) child = true;
                else if (_watched.Contains(signo)) _sink?.OnSignal(Signals.Name(signo));
                else DefaultAction(signo);
            }
        }
        if (child && _polled.Count > 0) PollChildren();
    }

    /// <summary>Watches <paramref name="pid"/> without a pidfd: SIGCHLD through the signalfd, and the poll timer.</summary>
    private void WatchPolled(int pid)
    {
        _polled.Add(pid);
        if (!_owned.Contains(Signals.CHLD))
        {
            // Kept once taken: SIGCHLD's default action is to do nothing, so owning it changes nothing else.
            _owned.Add(Signals.CHLD);
            var one = default(SignalSet);
            one.Add(Signals.CHLD);
            SignalInterop.PthreadSigmask(SignalInterop.SIG_BLOCK, &one, null);
            UpdateSignalFd();
        }
        // Poll once as soon as the loop runs (not here: the kernel registers its watcher after
        // WatchChild returns), then every FallbackPollInterval while children are polled.
        ArmTimer(first: TimeSpan.FromTicks(1));
    }

    private void ArmTimer(TimeSpan first)
    {
        if (_sink is null) return;
        if (_pollTimerFd < 0)
        {
            int fd = TimerFdInterop.TimerFdCreate(TimerFdInterop.CLOCK_MONOTONIC, TimerFdInterop.TFD_CLOEXEC | TimerFdInterop.TFD_NONBLOCK);
            if (fd < 0) throw new InvalidOperationException($"timerfd_create failed: {OsError.Last()}.");
            _pollTimerFd = fd;
            _sink.WatchInternal(fd, IoMode.Read, this);
        }
        long interval = FallbackPollInterval.Ticks * 100;   // nanoseconds
        long value = first.Ticks * 100;
        var spec = new TimerFdInterop.ITimerSpec
        {
            IntervalSec = interval / 1_000_000_000, IntervalNsec = interval % 1_000_000_000,
            ValueSec = value / 1_000_000_000, ValueNsec = value % 1_000_000_000,
        };
        TimerFdInterop.TimerFdSetTime(_pollTimerFd, 0, &spec, null);
    }

    private void CloseTimer()
    {
        if (_pollTimerFd < 0) return;
        _sink?.UnwatchInternal(_pollTimerFd, IoMode.Read);
        FileInterop.Close(_pollTimerFd);
        _pollTimerFd = -1;
    }

    private void OnPollTimer()
    {
        ulong expirations;
        FileInterop.ReadRetry(_pollTimerFd, (byte*)&expirations, sizeof(ulong));
        PollChildren();
    }

    /// <summary>waitpid(pid, WNOHANG) for each polled child, never waitpid(-1).</summary>
    private void PollChildren()
    {
        _reaped.Clear();
        foreach (int pid in _polled)
        {
            int r = ProcessInterop.WaitPidNoHang(pid, out int status);
            if (r == 0) continue;   // still running
            _reaped.Add(pid);
            // r < 0 (ECHILD): someone else reaped it; POE's $? is then -1.
            _reapedStatus.Add(r == pid ? status : -1);
        }
        for (int i = 0; i < _reaped.Count; i++)
        {
            int pid = _reaped[i];
            _polled.Remove(pid);
            if (!_silent.Remove(pid)) _sink?.OnChildExit(pid, _reapedStatus[i]);
        }
        _reapedStatus.Clear();
        if (_polled.Count == 0) CloseTimer();
    }

    /// <summary>Nobody watches <paramref name="signo"/>: do what the OS would have done had it not been blocked.</summary>
    private static void DefaultAction(int signo)
    {
        if (signo is Signals.CHLD or 18 /*CONT*/ or 23 /*URG*/ or 28 /*WINCH*/ or Signals.PIPE) return;
        SignalInterop.SetDisposition(signo, SignalInterop.SIG_DFL);
        var one = default(SignalSet);
        one.Add(signo);
        SignalInterop.Raise(signo);   // pending on this thread, which blocks it
        SignalInterop.PthreadSigmask(SignalInterop.SIG_UNBLOCK, &one, null);   // delivered now: the process ends
        SignalInterop.PthreadSigmask(SignalInterop.SIG_BLOCK, &one, null);     // a stop signal returns here after CONT
    }

    private void Reap(int fd, int pid)
    {
        int r = ProcessInterop.WaitPidNoHang(pid, out int status);
        if (r == 0) return;   // not exited yet (spurious readiness)
        bool silent = _silent.Remove(pid);
        _sink?.UnwatchInternal(fd, IoMode.Read);
        FileInterop.Close(fd);
        _pidByFd.Remove(fd);
        _fdByPid.Remove(pid);
        if (silent) return;
        // r < 0 (ECHILD): someone else reaped it; POE's $? is then -1.
        _sink?.OnChildExit(pid, r == pid ? status : -1);
    }
}
