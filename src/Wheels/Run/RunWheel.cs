using PoeSharp.Filters;
using PoeSharp.Loop;
using PoeSharp.Os;
using PoeSharp.Wheels.Drivers;

namespace PoeSharp.Wheels;

/// <summary>
/// Runs a program in a child process with pipes on its stdin, stdout and stderr
/// (POE::Wheel::Run). Records put with <see cref="Put(object)"/> are encoded with the stdin
/// filter and written when the pipe takes them; the child's stdout and stderr are decoded into
/// records, each delivered with <see cref="Kernel.Call(SessionRef, string, object?[])"/> to the owning session.
/// </summary>
/// <remarks>
/// <para>The child is started with <c>posix_spawnp</c>, so no managed code runs in it and the
/// fork-safety rules do not apply: descriptors 0/1/2 are the pipes (or /dev/null, or this
/// process's own when there is no event for them), every other descriptor is closed, the signal
/// mask is empty and every signal has its default disposition (SIGPIPE included, which .NET
/// ignores), and by default the child leads a new process group (POE's setpgrp).</para>
/// <para>Events (to the owning session, synchronously): StdoutEvent(record, wheelId),
/// StderrEvent(record, wheelId), StdinEvent(wheelId) when stdin's buffer has been written,
/// CloseEvent(wheelId) once every output pipe is closed, ErrorEvent(operation, errno, message,
/// wheelId, handle) with handle "STDOUT", "STDERR" or "STDIN": "read" with errno 0 is end of file
/// of that pipe (once per pipe, before CloseEvent), "write" a failed write to stdin (e.g. EPIPE
/// when the child exited without reading; later puts are dropped), "decode" a filter error.</para>
/// <para>A program that cannot be started (not found, not executable, bad working directory)
/// produces no exception: the constructor yields ErrorEvent("spawn", errno, message, wheelId, "")
/// and <see cref="Pid"/> is 0, so the event arrives once the current handler returns, as POE's
/// failures do; no CloseEvent follows. POE itself forks and the child reports the failed exec on
/// stderr and exits with the errno; posix_spawn reports it to the parent directly.</para>
/// <para>Reaping: the wheel never waits for the child. As in POE, call
/// <c>kernel.SigChild(wheel.Pid, "child_exited")</c> right after creating it; the event gets
/// ("CHLD", pid, waitStatus) (read it with <see cref="WaitStatus"/>). A child nobody watches stays
/// a zombie. CHLD may come before or after CloseEvent.</para>
/// <para><see cref="Wheel.Dispose"/> closes the pipes and does not kill the child (unless
/// <see cref="RunOptions.KillOnDispose"/>): the child sees end of file on stdin and EPIPE/SIGPIPE
/// when it writes. Only pipe conduits exist (no pty).</para>
/// <para>In a forked child (<see cref="Kernel.HasForked"/>, which <see cref="Kernel.Fork"/> runs),
/// a wheel created before the fork lets go of the program before any handler runs: the program
/// is the parent's. It stops watching, drops what was put and not written, closes its copies of
/// the pipes and of the pidfd with <c>close(2)</c> only (the parent's copies stay open: the program
/// sees no end of file, and nothing is read or written), and then reports
/// ErrorEvent("fork", 0, message, wheelId, ""); no CloseEvent follows. It never signals the
/// program from the child: <see cref="Kill(string)"/> returns false and
/// <see cref="RunOptions.KillOnDispose"/> does nothing there, and the child cannot reap it
/// (its SigChild watches are dropped). <see cref="RunOptions.KeepAfterFork"/> keeps POE's
/// behaviour (both processes use the pipes).</para>
/// </remarks>
public sealed class RunWheel : Wheel, IReadyHandler, IForkAware
{
    /// <summary>The ErrorEvent operation of a wheel that let go of the program in a forked child.</summary>
    public const string ForkOperation = "fork";

    /// <summary>The handle name of the child's stdin in ErrorEvent.</summary>
    public const string StdinHandle = "STDIN";

    /// <summary>The handle name of the child's stdout in ErrorEvent.</summary>
    public const string StdoutHandle = "STDOUT";

    /// <summary>The handle name of the child's stderr in ErrorEvent.</summary>
    public const string StderrHandle = "STDERR";

    private readonly RunOutputPipe? _stdout;
    private readonly RunOutputPipe? _stderr;
    private readonly OutputQueue _input = new();
    private readonly bool _killOnDispose;
    private readonly int _killSignal;
    private FileDescriptor? _stdin;
    private int _stdinFd = -1;
    private IFilter _stdinFilter;
    private bool _stdinWritePaused;
    private bool _stdinClosing;   // CloseStdin: close once the buffer is written
    private bool _stdinFailed;    // a write failed: later puts are dropped
    private FileDescriptor? _pidFd;
    private int _openOutputs;
    private bool _exitKnown;
    private bool _releasedByFork; // in a forked child: the program and its pipes are the parent's

    private string? _stdoutEvent;
    private string? _stderrEvent;

    /// <summary>Creates the pipes, starts the program and starts watching, in the active session.</summary>
    /// <exception cref="ArgumentException">A missing program, a NUL inside a string, a bad environment name, an unknown signal name or a non-positive size.</exception>
    public RunWheel(Kernel kernel, RunOptions options) : base(kernel)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.Program))
            throw new ArgumentException("RunOptions.Program is required: a path or a program name to look up in PATH.", nameof(options));
        ArgumentNullException.ThrowIfNull(options.Arguments, nameof(options));
        if (options.ReadBlockSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.ReadBlockSize, "ReadBlockSize must be positive (default 65536).");
        if (options.MaxInputBuffer <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxInputBuffer, "MaxInputBuffer must be positive.");
        _killOnDispose = options.KillOnDispose;
        _killSignal = SignalNumber(options.KillSignalOnDispose);

        var stdio = options.StdioFilter ?? NewLineFilter();
        _stdinFilter = options.StdinFilter ?? stdio;
        var stdoutFilter = options.StdoutFilter ?? stdio;
        var stderrFilter = options.StderrFilter ?? NewLineFilter();
        _stdoutEvent = options.StdoutEvent;
        _stderrEvent = options.StderrEvent;
        StdinEvent = options.StdinEvent;
        CloseEvent = options.CloseEvent;
        ErrorEvent = options.ErrorEvent;

        // Parent ends: ours, non-blocking. Child ends: blocking (programs expect blocking stdio),
        // close-on-exec like ours (dup2 onto 0/1/2 clears the flag on the copy only).
        FileDescriptor? stdinRead = null, stdoutRead = null, stdoutWrite = null, stderrRead = null, stderrWrite = null;
        try
        {
            if (!options.NoStdin && !MakePipe(StdinHandle, out stdinRead, out _stdin)) return;
            if (_stdoutEvent is not null && !MakePipe(StdoutHandle, out stdoutRead, out stdoutWrite)) return;
            if (_stderrEvent is not null && !MakePipe(StderrHandle, out stderrRead, out stderrWrite)) return;

            var spawned = PosixSpawn.Spawn(new PosixSpawn.Request
            {
                Program = options.Program,
                Arguments = options.Arguments,
                Environment = options.Environment,
                WorkingDirectory = options.WorkingDirectory,
                Stdin = stdinRead?.Fd ?? PosixSpawn.DevNull,
                Stdout = stdoutWrite?.Fd ?? PosixSpawn.Inherit,
                Stderr = stderrWrite?.Fd ?? PosixSpawn.Inherit,
                NewProcessGroup = options.NewProcessGroup,
            });
            if (!spawned.Ok)
            {
                string where = options.WorkingDirectory is null ? "" : $" in '{options.WorkingDirectory}'";
                YieldError("spawn", spawned.Error.Errno, $"cannot run '{options.Program}'{where}: {spawned.Error.Message}", "");
                return;
            }
            Pid = spawned.Value;
            // Opened before anyone can reap the child: Kill then never reaches a recycled pid.
            _pidFd = PosixSpawn.OpenPidFd(Pid) is { Ok: true } pidFd ? pidFd.Value : null;
        }
        finally
        {
            stdinRead?.Dispose();
            stdoutWrite?.Dispose();
            stderrWrite?.Dispose();
            if (Pid == 0)
            {
                // Nothing started: nothing to read or write.
                _stdin?.Dispose();
                _stdin = null;
                stdoutRead?.Dispose();
                stderrRead?.Dispose();
                stdoutRead = stderrRead = null;
            }
        }

        if (_stdin is not null)
        {
            _stdinFd = _stdin.Fd;
            PosixSocket.SetNonBlocking(_stdinFd, true);
            // The write watcher lives as long as stdin (paused while there is nothing to write),
            // so the wheel keeps its session alive, as POE's select_write does.
            Kernel.Watch(_stdinFd, IoMode.Write, this);
            Kernel.PauseWatch(_stdinFd, IoMode.Write);
            _stdinWritePaused = true;
        }
        if (stdoutRead is not null)
        {
            PosixSocket.SetNonBlocking(stdoutRead.Fd, true);
            _stdout = new RunOutputPipe(this, stdoutRead, stdoutFilter, StdoutHandle, options.ReadBlockSize, options.MaxInputBuffer);
            _openOutputs++;
            _stdout.Start();
        }
        if (stderrRead is not null)
        {
            PosixSocket.SetNonBlocking(stderrRead.Fd, true);
            _stderr = new RunOutputPipe(this, stderrRead, stderrFilter, StderrHandle, options.ReadBlockSize, options.MaxInputBuffer);
            _openOutputs++;
            _stderr.Start();
        }
        if (!options.KeepAfterFork) Kernel.AddForkAware(Owner, this);
        RegisterWithOwner();
    }

    /// <summary>The child's process id (POE's <c>PID</c>); 0 when the program could not be started.</summary>
    public int Pid { get; }

    /// <summary>
    /// The event for stdout records; null stops reading stdout (the child blocks once the pipe is
    /// full), a name resumes. Without a StdoutEvent at construction there is no stdout pipe, and
    /// setting one later changes nothing.
    /// </summary>
    public string? StdoutEvent
    {
        get => _stdoutEvent;
        set
        {
            ThrowIfDisposed();
            _stdoutEvent = value;
            _stdout?.EventChanged();
        }
    }

    /// <summary>The event for stderr records; null stops reading stderr, a name resumes (only when stderr was piped at construction).</summary>
    public string? StderrEvent
    {
        get => _stderrEvent;
        set
        {
            ThrowIfDisposed();
            _stderrEvent = value;
            _stderr?.EventChanged();
        }
    }

    /// <summary>The event that receives (wheelId) when stdin's buffer has been written.</summary>
    public string? StdinEvent { get; set; }

    /// <summary>The event that receives (wheelId) once every output pipe is closed.</summary>
    public string? CloseEvent { get; set; }

    /// <summary>The event that receives (operation, errno, message, wheelId, handle).</summary>
    public string? ErrorEvent { get; set; }

    /// <summary>The filter encoding stdin records.</summary>
    public IFilter StdinFilter => _stdinFilter;

    /// <summary>The filter decoding stdout, or null when stdout is not piped.</summary>
    public IFilter? StdoutFilter => _stdout?.Filter;

    /// <summary>The filter decoding stderr, or null when stderr is not piped.</summary>
    public IFilter? StderrFilter => _stderr?.Filter;

    /// <summary>True while records can be put: stdin is piped and not closed.</summary>
    public bool CanPut => _stdin is not null && !_stdinClosing;

    /// <summary>Octets put to stdin and not yet written (POE's get_driver_out_octets).</summary>
    public long DriverOutOctets => _input.Octets;

    /// <summary>Records put to stdin and not yet completely written (POE's get_driver_out_messages).</summary>
    public int DriverOutMessages => _input.Messages;

    /// <summary>
    /// Encodes <paramref name="record"/> with the stdin filter and queues it; the wheel writes it
    /// when the pipe takes it. After a failed write (the child stopped reading) records are dropped.
    /// </summary>
    /// <exception cref="InvalidOperationException">There is no stdin: NoStdin, or after CloseStdin/ShutdownStdin.</exception>
    /// <exception cref="ArgumentException">The stdin filter does not write this kind of record.</exception>
    public void Put(object record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!BeforePut()) return;
        long before = _input.Octets;
        _stdinFilter.Put(record, _input);
        _input.EndMessage();
        AfterPut(before);
    }

    /// <summary>Queues several records in order; see <see cref="Put(object)"/>.</summary>
    public void Put(params ReadOnlySpan<object> records)
    {
        if (!BeforePut()) return;
        long before = _input.Octets;
        foreach (var record in records)
        {
            ArgumentNullException.ThrowIfNull(record, nameof(records));
            _stdinFilter.Put(record, _input);
            _input.EndMessage();
        }
        AfterPut(before);
    }

    /// <summary>
    /// Closes the child's stdin once everything already put has been written (at once when
    /// nothing is pending), so the child reads end of file after the last record. Idempotent.
    /// </summary>
    public void CloseStdin()
    {
        ThrowIfDisposed();
        if (_stdin is null || _stdinClosing) return;
        _stdinClosing = true;
        if (_input.Octets == 0) ReleaseStdin();
    }

    /// <summary>Closes the child's stdin now; records not yet written are dropped (POE's shutdown_stdin).</summary>
    public void ShutdownStdin()
    {
        ThrowIfDisposed();
        _stdinClosing = true;
        ReleaseStdin();
    }

    /// <summary>Stops reading stdout (POE's pause_stdout); the child blocks once the pipe is full.</summary>
    public void PauseStdout()
    {
        ThrowIfDisposed();
        _stdout?.Pause();
    }

    /// <summary>Resumes reading stdout (POE's resume_stdout).</summary>
    public void ResumeStdout()
    {
        ThrowIfDisposed();
        _stdout?.Resume();
    }

    /// <summary>Stops reading stderr (POE's pause_stderr).</summary>
    public void PauseStderr()
    {
        ThrowIfDisposed();
        _stderr?.Pause();
    }

    /// <summary>Resumes reading stderr (POE's resume_stderr).</summary>
    public void ResumeStderr()
    {
        ThrowIfDisposed();
        _stderr?.Resume();
    }

    /// <summary>Replaces the stdin filter; records already queued are not re-encoded.</summary>
    public void SetStdinFilter(IFilter filter)
    {
        ThrowIfDisposed();
        _stdinFilter = filter ?? throw new ArgumentNullException(nameof(filter));
    }

    /// <summary>Replaces the stdout filter; bytes not yet decoded go to the new one at once.</summary>
    public void SetStdoutFilter(IFilter filter)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(filter);
        _stdout?.SetFilter(filter);
    }

    /// <summary>Replaces the stderr filter; bytes not yet decoded go to the new one at once.</summary>
    public void SetStderrFilter(IFilter filter)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(filter);
        _stderr?.SetFilter(filter);
    }

    /// <summary>Replaces the stdin and stdout filters (POE's set_stdio_filter).</summary>
    public void SetStdioFilter(IFilter filter)
    {
        SetStdoutFilter(filter);
        SetStdinFilter(filter);
    }

    /// <summary>
    /// Sends <paramref name="signal"/> ("TERM", "SIGKILL", "9") to the child (POE's kill). Goes
    /// through a pidfd, so it never reaches another process that got the pid after the child was
    /// reaped. Returns false when there is no child or it has already been reaped.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown signal name.</exception>
    public bool Kill(string signal = "TERM") => Kill(SignalNumber(signal));

    /// <summary>Sends signal number <paramref name="signal"/> to the child; see <see cref="Kill(string)"/>.</summary>
    public bool Kill(int signal)
    {
        if (signal < 0 || signal > 64) throw new ArgumentOutOfRangeException(nameof(signal), signal, "Signal numbers go from 0 to 64.");
        if (Pid == 0 || _exitKnown) return false;
        var error = _pidFd is not null ? PosixSpawn.SendSignal(_pidFd, signal) : PosixSpawn.Kill(Pid, signal);
        if (error.Errno == Errno.ESRCH) _exitKnown = true;
        return !error.IsError;
    }

    /// <inheritdoc />
    void IReadyHandler.OnReady(int fd, IoMode mode)
    {
        if (IsDisposed) return;
        if (mode == IoMode.Write)
        {
            if (fd == _stdinFd && _stdin is not null) FlushStdin();
        }
        else
        {
            // Output of the child that a handler passes on to a ReadWrite wheel of this session
            // is written at the end of this callback (see WriteBatch).
            WriteBatch.Run(Owner, (Wheel: this, Fd: fd), static s => s.Wheel.ReadOutput(s.Fd));
        }
    }

    /// <inheritdoc />
    bool IForkAware.ReleaseInChild()
    {
        if (IsDisposed || _releasedByFork) return false;
        _releasedByFork = true;
        _exitKnown = true;   // the parent's program: never signalled from here
        _stdout?.Close();
        _stderr?.Close();
        _openOutputs = 0;    // no CloseEvent: nothing reached end of file
        _stdinFailed = true; // later puts are dropped, as after a failed write
        ReleaseStdin();
        // Our copies only: the program keeps its stdin open through the parent's.
        _pidFd?.Dispose();
        _pidFd = null;
        return true;
    }

    /// <inheritdoc />
    void IForkAware.ReportReleasedInChild()
    {
        if (!IsDisposed && ErrorEvent is { } ev)
            Kernel.Call(Owner, ev, ForkOperation, 0, "the program was started by the parent process; this process let go of its pipes", BoxedId, "");
    }

    /// <inheritdoc />
    protected override void DisposeCore()
    {
        if (!_releasedByFork && Pid != 0) Kernel.RemoveForkAware(Owner, this);
        _stdout?.Close();
        _stderr?.Close();
        ReleaseStdin();
        if (_killOnDispose && !_releasedByFork) Kill(_killSignal);
        _pidFd?.Dispose();
        _pidFd = null;
    }

    /// <summary>Reads the output pipe that <paramref name="fd"/> belongs to, if it is still open.</summary>
    private void ReadOutput(int fd)
    {
        if (_stdout is { Finished: false } o && fd == o.Fd) o.OnReadable();
        else if (_stderr is { Finished: false } e && fd == e.Fd) e.OnReadable();
    }

    /// <summary>The event of <paramref name="pipe"/> now (names may change between records).</summary>
    internal string? EventFor(RunOutputPipe pipe) => ReferenceEquals(pipe, _stdout) ? _stdoutEvent : _stderrEvent;

    /// <summary>Delivers one decoded record: (record, wheelId).</summary>
    internal void Deliver(string ev, object? record) => Kernel.Call(Owner, ev, record, BoxedId);

    /// <summary>A pipe reached end of file or failed: ErrorEvent, then CloseEvent after the last one.</summary>
    internal void OnPipeFinished(RunOutputPipe pipe, string operation, int errno, string message)
    {
        _openOutputs--;
        if (IsDisposed) return;
        if (ErrorEvent is { } error) Kernel.Call(Owner, error, operation, errno, message, BoxedId, pipe.Name);
        if (_openOutputs == 0 && !IsDisposed && CloseEvent is { } close) Kernel.Call(Owner, close, BoxedId);
    }

    private static LineFilter NewLineFilter() => new(new LineFilterOptions { Literal = "\n" });

    private static int SignalNumber(string signal)
    {
        ArgumentNullException.ThrowIfNull(signal);
        if (int.TryParse(signal, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n <= 64)
            return n;
        int number = Signals.Number(signal);
        if (number == 0) throw new ArgumentException($"Unknown signal '{signal}'; use a name such as \"TERM\", \"KILL\", \"INT\" or a number.", nameof(signal));
        return number;
    }

    private bool MakePipe(string handle, out FileDescriptor? read, out FileDescriptor? write)
    {
        var pipe = PosixSocket.Pipe(nonBlocking: false);
        if (!pipe.Ok)
        {
            read = write = null;
            YieldError("pipe", pipe.Error.Errno, $"cannot make the {handle} pipe: {pipe.Error.Message}", handle);
            return false;
        }
        (read, write) = pipe.Value;
        return true;
    }

    private void YieldError(string operation, int errno, string message, string handle)
    {
        if (ErrorEvent is { } ev) Kernel.Yield(ev, operation, errno, message, BoxedId, handle);
    }

    private bool BeforePut()
    {
        ThrowIfDisposed();
        if (_stdinFailed) return false;
        if (_stdin is null || _stdinClosing)
            throw new InvalidOperationException(
                Pid == 0 ? $"{this} has no child process (the program could not be started); nothing can be put."
                : _stdinFd < 0 ? $"{this} was created with NoStdin; there is no stdin to put records to."
                : $"{this}: stdin was closed (CloseStdin/ShutdownStdin); create a new wheel to send more.");
        return true;
    }

    private void AfterPut(long before)
    {
        if (before == 0 && _input.Octets > 0 && _stdinWritePaused)
        {
            _stdinWritePaused = false;
            Kernel.ResumeWatch(_stdinFd, IoMode.Write);
        }
    }

    /// <summary>POE's stdin flusher: write what the pipe takes; StdinEvent when the buffer is empty.</summary>
    private void FlushStdin()
    {
        var error = _input.Flush(_stdinFd);
        if (error.IsError)
        {
            _stdinFailed = true;
            ReleaseStdin();
            if (ErrorEvent is { } ev) Kernel.Call(Owner, ev, "write", error.Errno, error.Message, BoxedId, StdinHandle);
            return;
        }
        if (_input.Octets > 0) return;
        if (!_stdinWritePaused)
        {
            _stdinWritePaused = true;
            Kernel.PauseWatch(_stdinFd, IoMode.Write);
        }
        if (_stdinClosing) ReleaseStdin();
        if (!IsDisposed && StdinEvent is { } flushed) Kernel.Call(Owner, flushed, BoxedId);
    }

    private void ReleaseStdin()
    {
        _input.Clear();
        if (_stdin is null) return;
        Kernel.Unwatch(_stdinFd, IoMode.Write);
        _stdin.Dispose();
        _stdin = null;
    }
}
