using Microsoft.Extensions.Logging;
using PoeSharp.Os;
using PoeSharp.Processes;

namespace PoeSharp.Components.Workers;

/// <summary>
/// A pre-forked worker pool, as the seed program and unicorn/gunicorn run one: the parent creates
/// the server's listening socket, forks <see cref="PreforkPoolOptions.Workers"/> workers that
/// accept on it, and never serves itself. It respawns a worker that exits (backing off while fork
/// fails), stops the whole tree gracefully on SIGTERM or SIGINT (a second signal, or
/// <see cref="PreforkPoolOptions.ShutdownTimeout"/>, kills what is left), replaces the workers one by
/// one on SIGHUP, retires a worker after <see cref="PreforkPoolOptions.MaxRequests"/> (plus jitter),
/// kills a worker whose event loop stopped beating for <see cref="PreforkPoolOptions.WorkerTimeout"/>,
/// and forwards SIGUSR1 to the workers. As in unicorn, SIGTTIN adds a worker, SIGTTOU removes one
/// (never below one), SIGWINCH stops every worker but keeps the parent (HUP or TTIN brings them
/// back), and SIGQUIT stops gracefully like TERM. SIGUSR2 starts the new program of a binary
/// upgrade on the same listening socket (LISTEN_FDS); QUIT to the old parent then finishes it
/// (src/Components/README.md, "Binary upgrade"). With <see cref="PreforkPoolOptions.ReusePort"/> each
/// worker slot accepts on its own SO_REUSEPORT socket, which the parent opens and keeps. With <see cref="PreforkPoolOptions.StatusFile"/>
/// the parent keeps a status file (<see cref="PoolStatusFile"/>). With 0 workers the one process
/// serves, and TERM/INT/QUIT drain it.
/// </summary>
/// <remarks>
/// <para>The pool is one session; the server's sessions are its children (the factory given to
/// <see cref="Start"/> runs in the pool's <c>_start</c>). Forks copy the session, so the same object
/// runs in the parent and, with <see cref="Role"/> <see cref="PoolRole.Worker"/>, in every worker.
/// A process ends when its pool session ends: a worker once the server's sessions are gone, the
/// parent once every worker is reaped. Its <see cref="Kernel.Run()"/> then returns; a worker must
/// leave with <see cref="ForkSafety.Exit"/>, never by returning from Main.</para>
/// <para>Heartbeats: each worker writes a byte to its own pipe from a timer of its kernel (four
/// times per timeout) and after every request; the parent drains the pipes from its own timer and
/// notes when each last beat. A handler that does not return stops the worker's loop, so its
/// slot goes stale. No thread is involved anywhere.</para>
/// </remarks>
public sealed class PreforkPool
{
    private const string EvFork = "pool_fork";
    private const string EvStop = "pool_stop";
    private const string EvHup = "pool_hup";
    private const string EvUsr1 = "pool_usr1";
    private const string EvReaped = "pool_reaped";
    private const string EvCheck = "pool_check";
    private const string EvBeat = "pool_beat";
    private const string EvShutdownTimeout = "pool_shutdown_timeout";
    private const string EvRetire = "pool_retire";
    private const string EvTtin = "pool_ttin";
    private const string EvTtou = "pool_ttou";
    private const string EvWinch = "pool_winch";
    private const string EvStatus = "pool_status";
    private const string EvUsr2 = "pool_usr2";
    private const string EvUpgradeCheck = "pool_upgrade_check";
    private const string EvUpgradeExited = "pool_upgrade_exited";

    /// <summary>How often the parent looks for the new master's readiness byte during an upgrade.</summary>
    internal static readonly TimeSpan UpgradePollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The pool session's <c>shutdown</c> event (POE::Component::Server::TCP's): a graceful stop of
    /// this process and, in the parent, of every worker, as SIGTERM does. Post it from another
    /// thread with <see cref="Kernel.PostFromAnyThread(SessionRef, string, object?[])"/>.
    /// </summary>
    public const string ShutdownEvent = "shutdown";

    private readonly Kernel _kernel;
    private readonly Func<Kernel, IPoolServer> _createServer;
    private readonly IHeartbeatBoard? _board;
    private readonly IWorkerSignaller _signaller;
    private readonly Random _random;
    private readonly Dictionary<int, int> _slotOfPid = [];
    private readonly HashSet<int> _killed = [];
    private readonly Queue<int> _toReplace = new();
    // Told to stop gracefully because the pool shrank (TTOU, WINCH): not replaced, not counted.
    private readonly HashSet<int> _leaving = [];
    private readonly Dictionary<int, long> _forkedAt = [];
    // The last workers that exited, newest last, for the status file.
    private readonly Queue<(int Pid, int Slot, string Reason, long At)> _exits = new();
    private const int ExitsKept = 10;
    // Connections accepted by workers already reaped (the live ones' are on the board).
    private long _acceptedByGone;
    // Slots whose worker exited and has not been replaced yet: their next fork is a respawn.
    private readonly HashSet<int> _toRespawn = [];
    private readonly int[] _pidOfSlot = new int[PreforkPoolOptions.MaxWorkers];
    // With ReusePort: each slot's own listening socket (slot 0's is the server's, not kept here).
    // Opened in the parent before the slot's first fork, kept across respawns, never accepted on here.
    private readonly FileDescriptor?[] _slotSockets = new FileDescriptor?[PreforkPoolOptions.MaxWorkers];
    private int _target;
    private long _startedAt;
    private int _replacing;
    private int _forkFailures;
    private int _sessionChildren;
    private IPoolServer? _server;
    private string? _stoppingOn;
    private bool _checkArmed;
    private readonly IUpgradeLauncher _launcher;
    private IUpgradeChild? _upgrade;
    private bool _upgradeReady;
    private bool _upgradeKilled;
    private long _upgradeStartedAt;
    // In a new master started by an upgrade: the pipe on which it tells the old master that it accepts.
    private FileDescriptor? _readyPipe;

    internal PreforkPool(Kernel kernel, PreforkPoolOptions options, Func<Kernel, IPoolServer> createServer,
                         IHeartbeatBoard? board, IWorkerSignaller signaller, Random random, IUpgradeLauncher? launcher = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(createServer);
        options.Validate();
        _kernel = kernel;
        Options = options;
        _createServer = createServer;
        _signaller = signaller;
        _random = random;
        _launcher = launcher ?? new ProgramUpgradeLauncher(options.UpgradeCommand);
        _target = options.Workers;
        Role = options.Workers == 0 ? PoolRole.Single : PoolRole.Parent;
        if (options.ReusePortSockets is { } passed)
            for (int i = 0; i < passed.Count; i++) _slotSockets[i + 1] = passed[i];
        // TTIN may grow the pool up to MaxWorkers: the board has a slot for each.
        _board = board ?? (options.Workers > 0 && (options.WorkerTimeout is not null || options.StatusFile is not null)
            ? new PipeHeartbeatBoard(PreforkPoolOptions.MaxWorkers) : null);
    }

    /// <summary>
    /// Creates the pool session on <paramref name="kernel"/> (a child of the active session, if
    /// any). Its <c>_start</c> calls <paramref name="createServer"/>, which must create the server's
    /// sessions and listening socket, then forks the workers (their first event runs after this returns).
    /// </summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public static PreforkPool Start(Kernel kernel, PreforkPoolOptions options, Func<Kernel, IPoolServer> createServer) =>
        StartCore(new PreforkPool(kernel, options, createServer, null, PosixWorkerSignaller.Instance, new Random())
        {
            _readyPipe = UpgradeHandoff.Take(kernel.ProcessId),
        });

    internal static PreforkPool StartCore(PreforkPool pool)
    {
        pool.Session = pool._kernel.Create(pool, s => s
            .On("_start", c => c.Heap.OnStart())
            .On("_stop", c => c.Heap.OnStop())
            .On("_child", c => c.Heap.OnChild(c.Arg<string>(0)))
            .On(EvFork, c => c.Heap.OnFork())
            .On(EvStop, c => c.Heap.OnStopSignal(c.Arg<string>(0)))
            .On(EvHup, c => c.Heap.OnHup())
            .On(EvUsr1, c => c.Heap.OnUsr1())
            .On(EvReaped, c => c.Heap.OnReaped(c.Arg<int>(1), c.Arg<int>(2)))
            .On(EvCheck, c => c.Heap.OnCheck())
            .On(EvBeat, c => c.Heap.OnBeat())
            .On(EvShutdownTimeout, c => c.Heap.OnShutdownTimeout())
            .On(ShutdownEvent, c => c.Heap.BeginStop("shutdown"))
            .On(EvRetire, c => c.Heap.OnRetire())
            .On(EvTtin, c => c.Heap.OnTtin())
            .On(EvTtou, c => c.Heap.OnTtou())
            .On(EvWinch, c => c.Heap.OnWinch())
            .On(EvStatus, c => c.Heap.OnStatusTimer())
            .On(EvUsr2, c => c.Heap.OnUsr2())
            .On(EvUpgradeCheck, c => c.Heap.OnUpgradeCheck())
            .On(EvUpgradeExited, c => c.Heap.OnUpgradeExited(c.Arg<int>(1), c.Arg<int>(2))))
            ?? throw new InvalidOperationException("The pool session could not be created.");
        return pool;
    }

    /// <summary>The options, validated.</summary>
    public PreforkPoolOptions Options { get; }

    /// <summary>The pool's session.</summary>
    public Session Session { get; private set; } = null!;

    /// <summary>What this process is: the one process, the parent, or a worker.</summary>
    public PoolRole Role { get; private set; }

    /// <summary>This worker's slot, 0 .. Workers-1 (a replacement takes its predecessor's); -1 outside a worker.</summary>
    public int WorkerSlot { get; private set; } = -1;

    /// <summary>In the parent: the live workers' pids.</summary>
    public IReadOnlyCollection<int> WorkerPids => _slotOfPid.Keys;

    /// <summary>Requests this process has served (<see cref="RequestServed"/>).</summary>
    public int RequestsServed { get; private set; }

    /// <summary>The requests this worker serves before it is replaced (MaxRequests plus its jitter); 0 = no limit.</summary>
    public int RequestLimit { get; private set; }

    /// <summary>True once this process has begun to stop (a signal, the request limit, or a failed listen).</summary>
    public bool IsStopping => _stoppingOn is not null;

    /// <summary>True when the server could not listen: the program should exit non-zero.</summary>
    public bool Failed { get; private set; }

    /// <summary>Workers forked so far (replacements included).</summary>
    public int WorkersStarted { get; private set; }

    /// <summary>Workers killed for not beating within <see cref="PreforkPoolOptions.WorkerTimeout"/>.</summary>
    public int WorkersTimedOut { get; private set; }

    /// <summary>In the parent (or the one process): the pid of the new master a binary upgrade (SIGUSR2) started, while it runs and this one watches it; null otherwise.</summary>
    public int? UpgradePid => _upgrade?.Pid;

    /// <summary>True once the new master of the upgrade in progress has reported that it accepts: QUIT to this process finishes the upgrade.</summary>
    public bool UpgradeReady => _upgrade is not null && _upgradeReady;

    /// <summary>In the parent: the workers it keeps running now (Workers, changed by TTIN, TTOU, WINCH and HUP).</summary>
    public int TargetWorkers => _target;

    /// <summary>
    /// The server calls this once per request answered. It beats the heartbeat and, in a worker
    /// that reached <see cref="RequestLimit"/>, begins the graceful exit: stop accepting, finish,
    /// be replaced. Call it on the kernel's thread.
    /// </summary>
    public void RequestServed()
    {
        RequestsServed++;
        if (Role != PoolRole.Worker) return;
        Beat(request: true);
        if (RequestLimit > 0 && RequestsServed >= RequestLimit && _stoppingOn is null)
        {
            Log(LogLevel.Information, "Worker {Pid} served {Count} requests: retiring", _kernel.ProcessId, RequestsServed);
            // Called from a connection's handler: the pool's timers must be the pool session's.
            _kernel.Call(Session, EvRetire);
        }
    }

    /// <summary>
    /// The server calls this when it hands a request to its handler: with a status file (or a worker
    /// timeout), the worker reports the request, for the status file's current request and its age.
    /// Allocates nothing. Call it on the kernel's thread.
    /// </summary>
    public void RequestStarted(string method, string target)
    {
        if (Role == PoolRole.Worker && _board is not null && WorkerSlot >= 0)
            _board.RequestStarted(WorkerSlot, _kernel.Time.GetTimestamp(), method, target);
    }

    /// <summary>The server calls this once per accepted connection (counted in the status file). Call it on the kernel's thread.</summary>
    public void ConnectionAccepted()
    {
        if (Role == PoolRole.Worker && _board is not null && WorkerSlot >= 0) _board.ConnectionAccepted(WorkerSlot);
    }

    /// <summary>In the parent: workers forked to replace one that exited (not those TTIN, HUP after WINCH or the start forked).</summary>
    public int Respawns { get; private set; }

    /// <summary>Stops gracefully, as SIGTERM does (posts <see cref="ShutdownEvent"/>). Call it on the kernel's thread.</summary>
    public void Shutdown() => _kernel.Post(Session, ShutdownEvent);

    private void OnRetire()
    {
        if (_stoppingOn is not null) return;
        if (_board is not null && WorkerSlot >= 0) _board.Retiring(WorkerSlot);
        BeginWorkerStop("max-requests");
    }

    private void OnStart()
    {
        _server = _createServer(_kernel);
        if (!_server.IsListening)
        {
            Failed = true;
            _stoppingOn = "error";
            Log(LogLevel.Error, "Server {Pid} is not listening: the pool does not start", _kernel.ProcessId);
            _server.StopAccepting();
            return;
        }
        _kernel.Sig("INT", EvStop);
        _kernel.Sig("TERM", EvStop);
        _kernel.Sig("QUIT", EvStop);
        _kernel.Sig("HUP", EvHup);
        _kernel.Sig("USR2", EvUsr2);
        if (Role == PoolRole.Single)
        {
            ReportReady();
            return;
        }
        _kernel.Sig("USR1", EvUsr1);
        _kernel.Sig("TTIN", EvTtin);
        _kernel.Sig("TTOU", EvTtou);
        _kernel.Sig("WINCH", EvWinch);
        _startedAt = _kernel.Time.GetTimestamp();
        if (Options.StatusFile is not null) _kernel.Delay(EvStatus, Options.StatusInterval);
        // The parent holds the socket for its workers and never accepts itself, so it never has a
        // connection a worker could inherit.
        _server.PauseAccepting();
        _kernel.Yield(EvFork);
    }

    private void OnStop()
    {
        if (Role == PoolRole.Worker) return;
        CloseSlotSockets();
        _board?.Dispose();
        // A status file left behind would describe workers that are gone.
        if (Role == PoolRole.Parent && Options.StatusFile is { } path) PoolStatusFile.Delete(path, Options.Logger);
    }

    // The server's sessions are the pool's children; when the last goes, nothing is left to serve.
    private void OnChild(string reason)
    {
        if (reason is KnownEvents.ChildCreate or KnownEvents.ChildGain) _sessionChildren++;
        else if (reason == KnownEvents.ChildLose && --_sessionChildren == 0 && Role != PoolRole.Parent)
        {
            // A worker stops beating only once it has nothing left to run: the pool session may end.
            _kernel.Delay(EvBeat);
            _kernel.Delay(EvShutdownTimeout);
        }
    }

    private void OnFork()
    {
        if (Role != PoolRole.Parent || _stoppingOn is not null) return;
        PrepareWorkerStart();
        bool forked = false;
        while (ActiveWorkers < _target)
        {
            int slot = Array.IndexOf(_pidOfSlot, 0);
            if (slot < 0) break;   // every slot is held, some by leaving workers: their reaping forks again
            if (!EnsureSlotSocket(slot, out string socketError))
            {
                TimeSpan retry = RetryDelay(++_forkFailures);
                Log(LogLevel.Warning, "Server {Pid} could not open the SO_REUSEPORT socket of slot {Slot} ({Error}); retrying in {Delay} s",
                    _kernel.ProcessId, slot, socketError, retry.TotalSeconds);
                _kernel.Delay(EvFork, retry);
                return;
            }
            // Set before the fork, so that the child finds its own values in its copy.
            WorkerSlot = slot;
            RequestLimit = Options.MaxRequests == 0 ? 0 : Options.MaxRequests + _random.Next(Options.MaxRequestsJitter + 1);
            _board?.Prepare(slot, _kernel.Time.GetTimestamp());

            ForkResult fork = _kernel.Fork();
            if (fork.Failed)
            {
                WorkerSlot = -1;
                TimeSpan retry = RetryDelay(++_forkFailures);
                Log(LogLevel.Warning, "Server {Pid} could not fork ({Error}); retrying in {Delay} s", _kernel.ProcessId, fork.Error, retry.TotalSeconds);
                _kernel.Delay(EvFork, retry);
                return;
            }
            if (fork.IsChild)
            {
                _board?.Forked(slot, inChild: true);
                BecomeWorker();
                return;
            }
            _board?.Forked(slot, inChild: false);
            if (_toRespawn.Remove(slot)) Respawns++;
            WorkerSlot = -1;
            _forkFailures = 0;
            WorkersStarted++;
            _pidOfSlot[slot] = fork.Pid;
            _slotOfPid[fork.Pid] = slot;
            _forkedAt[fork.Pid] = _kernel.Time.GetTimestamp();
            forked = true;
            _kernel.SigChild(fork.Pid, EvReaped);
            Log(LogLevel.Debug, "Server {Pid} forked worker {Child} (slot {Slot})", _kernel.ProcessId, fork.Pid, slot);
        }
        RequestLimit = 0;
        if (forked) WriteStatus();
        if (ActiveWorkers >= _target) ReportReady();
        if (_board is not null && !_checkArmed)
        {
            _checkArmed = true;
            _kernel.Delay(EvCheck, DrainInterval);
        }
        ReplaceNext();
    }

    private static bool s_workerStartPrepared;

    /// <summary>
    /// Compiles, once, before the first fork, what a new worker runs first and the parent has not
    /// run yet: generic code PrepareForChildren cannot reach (the pool's collections that
    /// <see cref="BecomeWorker"/> clears) and the logging path (the parent has usually logged
    /// nothing yet). Otherwise every worker compiles them after its fork (docs/FORK-SAFETY.md).
    /// </summary>
    private void PrepareWorkerStart()
    {
        if (s_workerStartPrepared) return;
        s_workerStartPrepared = true;
        new Dictionary<int, int>().Clear();
        new HashSet<int>().Clear();
        new Queue<int>().Clear();
        new Dictionary<int, long>().Clear();
        if (Options.Logger is { } logger) LogPathWarmUp.Prepare(logger);
    }

    private void BecomeWorker()
    {
        Role = PoolRole.Worker;
        // Everything the parent was doing came along: the worker does none of it.
        _slotOfPid.Clear();
        Array.Clear(_pidOfSlot);
        _killed.Clear();
        _toReplace.Clear();
        _leaving.Clear();
        _forkedAt.Clear();
        _replacing = 0;
        _forkFailures = 0;
        RequestsServed = 0;
        // The parent's upgrade (its new master, its readiness pipes) is the parent's.
        _kernel.Delay(EvUpgradeCheck);
        _upgrade?.Dispose();
        _upgrade = null;
        _readyPipe?.Dispose();
        _readyPipe = null;
        _kernel.Delay(EvStatus);
        _kernel.Sig("TTIN");
        _kernel.Sig("TTOU");
        _kernel.Sig("WINCH");
        _kernel.Delay(EvFork);
        _kernel.Delay(EvCheck);
        _checkArmed = false;
        _kernel.Delay(EvShutdownTimeout);
        _kernel.Sig("USR1");
        _server!.DropInherited();
        TakeSlotSocket();
        Options.WorkerStarted?.Invoke(this);
        if (_board is not null)
        {
            Beat();
            _kernel.Delay(EvBeat, CheckInterval);
        }
        _server.ResumeAccepting();
    }

    // With ReusePort, in the parent before forking into slot: the slot's socket, opened once and kept.
    private bool EnsureSlotSocket(int slot, out string error)
    {
        error = "";
        if (!Options.ReusePort || slot == 0 || _slotSockets[slot] is not null) return true;
        _slotSockets[slot] = _server!.OpenReusePortSocket(out error);
        return _slotSockets[slot] is not null;
    }

    // In a new worker with ReusePort: accept on the slot's socket only, and close the copies of the
    // others, so that a socket the parent closes (TTOU) leaves the group at once.
    private void TakeSlotSocket()
    {
        if (!Options.ReusePort) return;
        for (int i = 1; i < _slotSockets.Length; i++)
        {
            if (i == WorkerSlot || _slotSockets[i] is not { } other) continue;
            other.Dispose();
            _slotSockets[i] = null;
        }
        if (WorkerSlot > 0 && _slotSockets[WorkerSlot] is { } mine)
        {
            _slotSockets[WorkerSlot] = null;
            _server!.AcceptOn(mine);
        }
    }

    // In the parent: a slot no worker will take any more leaves the SO_REUSEPORT group, so that the
    // kernel stops queueing connections on it (connections already queued there are reset by Linux,
    // unless net.ipv4.tcp_migrate_req moves them to another socket of the group).
    private void CloseSlotSocket(int slot)
    {
        if (slot <= 0 || _slotSockets[slot] is not { } fd) return;
        fd.Dispose();
        _slotSockets[slot] = null;
    }

    private void CloseSlotSockets()
    {
        for (int i = 1; i < _slotSockets.Length; i++) CloseSlotSocket(i);
    }

    private void OnStopSignal(string signal)
    {
        _kernel.SigHandled();
        BeginStop("SIG" + signal);
    }

    private void BeginStop(string signal)
    {
        if (_stoppingOn is { } first)
        {
            // Ctrl-C sends INT to the whole group while the parent sends TERM to each worker: a
            // worker must not take that pair as "again".
            if (Role == PoolRole.Worker && first != signal) return;
            Log(LogLevel.Information, "Server {Pid} received {Signal} again: stopping now", _kernel.ProcessId, signal);
            StopNow();
            return;
        }
        Log(LogLevel.Information, "Server {Pid} received {Signal}: stopping gracefully", _kernel.ProcessId, signal);
        if (Role == PoolRole.Worker)
        {
            BeginWorkerStop(signal);
            return;
        }
        _stoppingOn = signal;
        _toReplace.Clear();
        LetUpgradeGo();
        _kernel.Delay(EvFork);
        _server?.StopAccepting();
        CloseSlotSockets();
        if (Role == PoolRole.Single) _server?.Drain();
        // A worker already told to stop (HUP, TTOU, WINCH) is not told again: a second TERM would stop it at once.
        foreach (int pid in _slotOfPid.Keys)
            if (pid != _replacing && !_leaving.Contains(pid)) _signaller.Send(pid, Signals.TERM);
        _kernel.Delay(EvShutdownTimeout, Options.ShutdownTimeout);
        WriteStatus();
        MaybeFinishStop();
    }

    private void BeginWorkerStop(string reason)
    {
        _stoppingOn = reason;
        _server?.StopAccepting();
        _server?.Drain();
        if (_sessionChildren > 0) _kernel.Delay(EvShutdownTimeout, Options.ShutdownTimeout);
    }

    // In-flight work had its time (or a second signal came): kill the workers, drop the connections.
    private void StopNow()
    {
        _stoppingOn ??= "now";
        _toReplace.Clear();
        _kernel.Delay(EvFork);
        _kernel.Delay(EvShutdownTimeout);
        _server?.StopAccepting();
        if (Role != PoolRole.Worker) CloseSlotSockets();
        _server?.Abort();
        foreach (int pid in _slotOfPid.Keys) _signaller.Send(pid, Signals.KILL);
    }

    private void OnShutdownTimeout()
    {
        Log(LogLevel.Warning, "Server {Pid}: shutdown timeout, stopping now", _kernel.ProcessId);
        StopNow();
    }

    private void MaybeFinishStop()
    {
        if (_stoppingOn is not null && _slotOfPid.Count == 0 && Role == PoolRole.Parent)
        {
            _kernel.Delay(EvShutdownTimeout);
            _kernel.Delay(EvCheck);
            _kernel.Delay(EvStatus);
            _checkArmed = false;
        }
    }

    private void OnHup()
    {
        _kernel.SigHandled();
        if (Role != PoolRole.Parent || _stoppingOn is not null) return;
        if (_target == 0)
        {
            // After WINCH, as nginx's rollback: the configured workers come back.
            _target = Options.Workers;
            Log(LogLevel.Information, "Server {Pid} received SIGHUP: starting {Count} workers again", _kernel.ProcessId, _target);
            _kernel.Yield(EvFork);
            return;
        }
        Log(LogLevel.Information, "Server {Pid} received SIGHUP: replacing {Count} workers one by one", _kernel.ProcessId, ActiveWorkers);
        _toReplace.Clear();
        foreach (int pid in _slotOfPid.Keys)
            if (!_leaving.Contains(pid)) _toReplace.Enqueue(pid);
        ReplaceNext();
    }

    private void OnTtin()
    {
        _kernel.SigHandled();
        if (Role != PoolRole.Parent || _stoppingOn is not null) return;
        if (_target >= PreforkPoolOptions.MaxWorkers)
        {
            Log(LogLevel.Warning, "Server {Pid} received SIGTTIN: already at {Max} workers", _kernel.ProcessId, PreforkPoolOptions.MaxWorkers);
            return;
        }
        _target++;
        Log(LogLevel.Information, "Server {Pid} received SIGTTIN: now {Count} workers", _kernel.ProcessId, _target);
        _kernel.Yield(EvFork);
    }

    private void OnTtou()
    {
        _kernel.SigHandled();
        if (Role != PoolRole.Parent || _stoppingOn is not null) return;
        if (_target <= 1)
        {
            Log(LogLevel.Information, "Server {Pid} received SIGTTOU: {Count} workers, not fewer", _kernel.ProcessId, _target);
            return;
        }
        _target--;
        Log(LogLevel.Information, "Server {Pid} received SIGTTOU: now {Count} workers", _kernel.ProcessId, _target);
        // As unicorn, the highest slot goes. If a slot is empty (a fork is being retried), it just stays so.
        if (ActiveWorkers <= _target)
        {
            for (int i = _target; i < _slotSockets.Length; i++)
                if (_pidOfSlot[i] == 0) CloseSlotSocket(i);
            return;
        }
        int victim = 0, highest = -1;
        foreach (var (pid, slot) in _slotOfPid)
            if (!_leaving.Contains(pid) && slot > highest) (victim, highest) = (pid, slot);
        Leave(victim);
        // The slot is not refilled: its socket leaves the group now, not once the worker has drained.
        if (highest >= _target) CloseSlotSocket(highest);
        WriteStatus();
    }

    private void OnWinch()
    {
        _kernel.SigHandled();
        if (Role != PoolRole.Parent || _stoppingOn is not null) return;
        Log(LogLevel.Information, "Server {Pid} received SIGWINCH: stopping {Count} workers, keeping the parent", _kernel.ProcessId, ActiveWorkers);
        _target = 0;
        _toReplace.Clear();
        foreach (int pid in _slotOfPid.Keys.ToArray()) Leave(pid);
        // As with the shared socket, connections wait on one socket (slot 0's, the server's) until HUP or TTIN.
        CloseSlotSockets();
        WriteStatus();
    }

    // A graceful stop without replacement. A worker being replaced already has its TERM: a second
    // would make it stop at once.
    private void Leave(int pid)
    {
        if (_leaving.Add(pid) && pid != _replacing) _signaller.Send(pid, Signals.TERM);
    }

    private int ActiveWorkers => _slotOfPid.Count - _leaving.Count;

    private void OnUsr2()
    {
        _kernel.SigHandled();
        if (Role == PoolRole.Worker) return;
        if (_stoppingOn is not null)
        {
            Log(LogLevel.Warning, "Server {Pid} received SIGUSR2 while stopping: no upgrade", _kernel.ProcessId);
            return;
        }
        if (_upgrade is { } running)
        {
            Log(LogLevel.Warning, "Server {Pid} received SIGUSR2 during an upgrade: new master {Child} is already running ({State})",
                _kernel.ProcessId, running.Pid, _upgradeReady ? "accepting: QUIT this master to finish" : "starting");
            return;
        }
        int fd = _server?.ListeningDescriptor ?? -1;
        if (fd < 0)
        {
            Log(LogLevel.Error, "Server {Pid} received SIGUSR2 but its server does not pass its listening socket on: no upgrade", _kernel.ProcessId);
            return;
        }
        // With ReusePort every slot's socket goes too (LISTEN_FDS=N, in slot order), so that none
        // closes, with the connections queued on it, when this master leaves.
        var passed = new List<int> { fd };
        if (Role == PoolRole.Parent && Options.ReusePort)
            foreach (FileDescriptor? slotSocket in _slotSockets)
                if (slotSocket is not null) passed.Add(slotSocket.Fd);
        IUpgradeChild? child = _launcher.Launch(passed, out string error);
        if (child is null)
        {
            Log(LogLevel.Error, "Server {Pid} received SIGUSR2 but cannot start the new program ({Error}): still serving", _kernel.ProcessId, error);
            return;
        }
        _upgrade = child;
        _upgradeReady = false;
        _upgradeKilled = false;
        _upgradeStartedAt = _kernel.Time.GetTimestamp();
        _kernel.SigChild(child.Pid, EvUpgradeExited);
        _kernel.Delay(EvUpgradeCheck, UpgradePollInterval);
        Log(LogLevel.Information, "Server {Pid} received SIGUSR2: started new master {Child} on the listening socket; waiting until it accepts",
            _kernel.ProcessId, child.Pid);
    }

    // Polled, not selected: the new master writes one byte once, and a timer also bounds the wait.
    private void OnUpgradeCheck()
    {
        if (_upgrade is not { } child || _upgradeReady || _upgradeKilled) return;
        if (child.HasReportedReady())
        {
            _upgradeReady = true;
            Log(LogLevel.Information, "Server {Pid}: new master {Child} accepts; this master keeps serving until it gets QUIT (or TERM), which finishes the upgrade",
                _kernel.ProcessId, child.Pid);
            return;
        }
        TimeSpan waited = _kernel.Time.GetElapsedTime(_upgradeStartedAt);
        if (waited >= Options.UpgradeTimeout)
        {
            _upgradeKilled = true;
            Log(LogLevel.Error, "Server {Pid}: new master {Child} did not accept within {Seconds} s: killing it; still serving",
                _kernel.ProcessId, child.Pid, Options.UpgradeTimeout.TotalSeconds);
            // Its workers die with it (they are forked with a parent-death signal).
            _signaller.Send(child.Pid, Signals.KILL);
            return;
        }
        _kernel.Delay(EvUpgradeCheck, UpgradePollInterval);
    }

    private void OnUpgradeExited(int pid, int status)
    {
        if (_upgrade is not { } child || child.Pid != pid) return;
        if (_upgradeReady)
            Log(LogLevel.Warning, "Server {Pid}: new master {Child} exited (wait status {Status}) after it accepted; this master keeps serving",
                _kernel.ProcessId, pid, status);
        else if (!_upgradeKilled)
            Log(LogLevel.Error, "Server {Pid}: new master {Child} exited before it accepted (wait status {Status}): the upgrade failed; still serving",
                _kernel.ProcessId, pid, status);
        _kernel.Delay(EvUpgradeCheck);
        child.Dispose();
        _upgrade = null;
    }

    // This master stops: the new one (if any) runs on by itself, so stop watching it, or this
    // session would wait for it to exit.
    private void LetUpgradeGo()
    {
        if (_upgrade is not { } child) return;
        Log(LogLevel.Information, "Server {Pid}: leaving new master {Child} to serve", _kernel.ProcessId, child.Pid);
        _kernel.SigChild(child.Pid);
        _kernel.Delay(EvUpgradeCheck);
        child.Dispose();
        _upgrade = null;
    }

    // In a new master started by an upgrade: tell the old one, once, that this one accepts.
    private void ReportReady()
    {
        if (_readyPipe is not { } pipe) return;
        _readyPipe = null;
        UpgradeHandoff.ReportReady(pipe);
    }

    private void OnUsr1()
    {
        _kernel.SigHandled();
        if (Role != PoolRole.Parent) return;
        foreach (int pid in _slotOfPid.Keys) _signaller.Send(pid, Signals.USR1);
    }

    // Tells the next old worker to stop once the pool is full again, so it never drops by more than one.
    private void ReplaceNext()
    {
        if (_replacing != 0 || _stoppingOn is not null || ActiveWorkers < _target) return;
        while (_toReplace.TryDequeue(out int pid))
        {
            if (!_slotOfPid.ContainsKey(pid) || _leaving.Contains(pid)) continue;
            _replacing = pid;
            _signaller.Send(pid, Signals.TERM);
            return;
        }
    }

    private void OnReaped(int pid, int status)
    {
        if (!_slotOfPid.Remove(pid, out int slot)) return;
        _pidOfSlot[slot] = 0;
        NoteExit(pid, slot, status);
        _killed.Remove(pid);
        _leaving.Remove(pid);
        _forkedAt.Remove(pid);
        if (_replacing == pid) _replacing = 0;
        Log(LogLevel.Debug, "Server {Pid} reaped worker {Child} (wait status {Status})", _kernel.ProcessId, pid, status);
        if (_stoppingOn is null) _kernel.Yield(EvFork);
        WriteStatus();
        MaybeFinishStop();
    }

    // Why the worker went, for the status file; a worker that will be replaced makes its slot's next fork a respawn.
    private void NoteExit(int pid, int slot, int status)
    {
        long now = _kernel.Time.GetTimestamp();
        bool retired = false;
        if (_board is not null)
        {
            _board.LastBeat(slot, now);   // its last records
            _acceptedByGone += _board.Connections(slot);
            retired = _board.Retired(slot);
        }
        string reason = _killed.Contains(pid) ? "timeout"
                      : _stoppingOn is not null ? "stop"
                      : _leaving.Contains(pid) ? "removed"
                      : pid == _replacing ? "hup"
                      : retired ? "max-requests"
                      : Wheels.WaitStatus.Describe(status).Replace(' ', ':');
        if (_stoppingOn is null && !_leaving.Contains(pid)) _toRespawn.Add(slot);
        else _toRespawn.Remove(slot);
        _exits.Enqueue((pid, slot, reason, now));
        while (_exits.Count > ExitsKept) _exits.Dequeue();
    }

    private void OnStatusTimer()
    {
        WriteStatus();
        if (Role == PoolRole.Parent) _kernel.Delay(EvStatus, Options.StatusInterval);
    }

    // In the parent, with a StatusFile: what the pool is doing now (format: PoolStatusFile).
    private void WriteStatus()
    {
        if (Role != PoolRole.Parent || Options.StatusFile is not { } path) return;
        long now = _kernel.Time.GetTimestamp();
        string state = _stoppingOn is { } why ? "stopping:" + why : _target == 0 ? "no-workers" : "running";
        var workers = new List<PoolStatusFile.Worker>(_slotOfPid.Count);
        long? accepted = _board is null ? null : _acceptedByGone;
        foreach (var (pid, slot) in _slotOfPid.OrderBy(w => w.Value))
        {
            TimeSpan? silent = null;
            int? requests = null, connections = null;
            string? current = null;
            TimeSpan busy = default;
            if (_board is not null)
            {
                silent = _kernel.Time.GetElapsedTime(_board.LastBeat(slot, now), now);
                requests = _board.Requests(slot);
                connections = _board.Connections(slot);
                accepted += connections;
                (current, long since) = _board.Current(slot);
                if (current is not null) busy = since >= now ? TimeSpan.Zero : _kernel.Time.GetElapsedTime(since, now);
            }
            string wstate = _killed.Contains(pid) ? "killed" : _leaving.Contains(pid) || _stoppingOn is not null ? "leaving"
                          : pid == _replacing ? "replacing" : "serving";
            workers.Add(new PoolStatusFile.Worker(pid, slot, _kernel.Time.GetElapsedTime(_forkedAt.GetValueOrDefault(pid, now), now),
                                                  requests, silent, wstate, connections, current, busy));
        }
        var master = new PoolStatusFile.Master(_kernel.ProcessId, _kernel.Time.GetElapsedTime(_startedAt, now), _server?.ListenAddress,
                                               state, _target, WorkersStarted, WorkersTimedOut, Respawns, accepted);
        PoolStatusFile.Write(path, master, workers, _exits.Reverse().Select(e => new PoolStatusFile.Exit(e.Pid, e.Slot, e.Reason, _kernel.Time.GetElapsedTime(e.At, now))),
                             Options.Logger);
    }

    // The parent's timer: it drains the heartbeat pipes often enough that they do not fill under
    // load (the status file's counts), and kills a worker whose slot has not moved for
    // WorkerTimeout: it is stuck in a handler.
    private void OnCheck()
    {
        if (Role != PoolRole.Parent || _board is null) return;
        long now = _kernel.Time.GetTimestamp();
        foreach (var (pid, slot) in _slotOfPid)
        {
            if (_killed.Contains(pid)) continue;
            TimeSpan silent = _kernel.Time.GetElapsedTime(_board.LastBeat(slot, now), now);
            if (Options.WorkerTimeout is not { } timeout || silent <= timeout) continue;
            Log(LogLevel.Warning, "Server {Pid}: worker {Child} has not answered for {Ms} ms: killing it", _kernel.ProcessId, pid, (long)silent.TotalMilliseconds);
            _killed.Add(pid);
            WorkersTimedOut++;
            _signaller.Send(pid, Signals.KILL);
        }
        _checkArmed = _slotOfPid.Count > 0 || _stoppingOn is null;
        if (_checkArmed) _kernel.Delay(EvCheck, DrainInterval);
    }

    private void OnBeat()
    {
        if (Role != PoolRole.Worker) return;
        Beat();
        _kernel.Delay(EvBeat, CheckInterval);
    }

    private void Beat(bool request = false)
    {
        if (_board is not null && WorkerSlot >= 0) _board.Beat(WorkerSlot, _kernel.Time.GetTimestamp(), request);
    }

    private TimeSpan CheckInterval => (Options.WorkerTimeout ?? TimeSpan.FromSeconds(4)) / 4;

    // A pipe holds 64 KiB: at a few thousand requests per second and up to three records per
    // request, a worker fills it in about a second.
    private static readonly TimeSpan MaxDrainInterval = TimeSpan.FromMilliseconds(250);

    private TimeSpan DrainInterval => CheckInterval < MaxDrainInterval ? CheckInterval : MaxDrainInterval;

    private TimeSpan RetryDelay(int failures)
    {
        double seconds = Options.ForkRetryDelay.TotalSeconds * Math.Pow(2, Math.Min(30, failures - 1));
        return TimeSpan.FromSeconds(Math.Min(seconds, Options.MaxForkRetryDelay.TotalSeconds));
    }

    private void Log(LogLevel level, string message, params object?[] args)
    {
#pragma warning disable CA2254 // the templates are constants of this class
        if (Options.Logger is { } logger && logger.IsEnabled(level)) logger.Log(level, message, args);
#pragma warning restore CA2254
    }
}
