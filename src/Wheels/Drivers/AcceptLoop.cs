using PoeSharp.Loop;
using PoeSharp.Os;

namespace PoeSharp.Wheels.Drivers;

/// <summary>
/// The accept side of a listening wheel (<see cref="SocketFactoryWheel"/>, <see cref="ListenAcceptWheel"/>):
/// a read watcher on the listener, a bounded batch of accepts per readiness, pause/resume, and
/// the back-off after an accept error that means the process is out of descriptors or memory.
/// </summary>
/// <remarks>
/// Without the back-off a level-triggered loop would report the still-pending connection at
/// once, so the process would spin at full CPU, reporting an error per timeslice, until a
/// descriptor is freed. The retry timer is an inline state of the owning session, like POE's
/// wheel states; it exists only while backing off.
/// </remarks>
internal sealed class AcceptLoop
{
    private readonly Kernel _kernel;
    private readonly IAcceptSink _sink;
    private readonly int _maxAccepts;
    private readonly TimeSpan? _errorDelay;
    private readonly string _retryState;
    private int _fd = -1;
    private bool _watching;
    private bool _paused;
    private bool _backingOff;
    private int _timerId;

    /// <param name="kernel">The kernel of the owning wheel.</param>
    /// <param name="sink">Receives accepted sockets and errors.</param>
    /// <param name="maxAccepts">The most accepts per readiness (at least 1).</param>
    /// <param name="errorDelay">How long to stop accepting after a resource error; null retries at the next readiness (POE).</param>
    /// <param name="retryState">A name for the retry timer's inline state, unique to the wheel.</param>
    internal AcceptLoop(Kernel kernel, IAcceptSink sink, int maxAccepts, TimeSpan? errorDelay, string retryState)
    {
        _kernel = kernel;
        _sink = sink;
        _maxAccepts = maxAccepts;
        _errorDelay = errorDelay;
        _retryState = retryState;
    }

    /// <summary>True between <see cref="Start"/> and <see cref="Stop"/>.</summary>
    internal bool IsListening => _watching;

    /// <summary>True while paused with <see cref="Pause"/>.</summary>
    internal bool IsPaused => _paused;

    /// <summary>True while waiting out the error delay after a resource error.</summary>
    internal bool IsBackingOff => _backingOff;

    /// <summary>
    /// Checks the options both listening wheels share; throws with a message that says what to do.
    /// </summary>
    internal static void Validate(int maxAcceptsPerReady, TimeSpan? acceptErrorDelay, string paramName)
    {
        if (maxAcceptsPerReady < 1)
            throw new ArgumentOutOfRangeException(paramName, maxAcceptsPerReady, "MaxAcceptsPerReady must be at least 1.");
        if (acceptErrorDelay is { } d && d <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(paramName, d, "AcceptErrorDelay must be positive (null = retry at once, as POE).");
    }

    /// <summary>
    /// Watches <paramref name="listenFd"/> for readability; <paramref name="handler"/> must call <see cref="AcceptSome"/>.
    /// <paramref name="exclusive"/>: one process of those sharing the listener is woken per readiness.
    /// </summary>
    internal void Start(int listenFd, IReadyHandler handler, bool exclusive = false)
    {
        _fd = listenFd;
        _kernel.Watch(listenFd, IoMode.Read, handler, exclusive);
        _watching = true;
        if (_paused) _kernel.PauseWatch(listenFd, IoMode.Read);
    }

    /// <summary>Stops accepting; connections wait in the backlog.</summary>
    internal void Pause()
    {
        if (_paused) return;
        _paused = true;
        if (_watching && !_backingOff) _kernel.PauseWatch(_fd, IoMode.Read);
    }

    /// <summary>Accepts again after <see cref="Pause"/> (unless backing off: the retry timer resumes then).</summary>
    internal void Resume()
    {
        if (!_paused) return;
        _paused = false;
        if (_watching && !_backingOff) _kernel.ResumeWatch(_fd, IoMode.Read);
    }

    /// <summary>
    /// Accepts up to the batch size, stopping early when nothing is pending, after an error, or
    /// when a handler paused or stopped the loop.
    /// </summary>
    internal void AcceptSome()
    {
        for (int i = 0; i < _maxAccepts && _watching && !_paused && !_backingOff; i++)
        {
            var error = PosixSocket.Accept(_fd, out var socket, out var peer);
            if (error.IsError)
            {
                // The connection died in the backlog: try the next one.
                if (error.Errno is Errno.ECONNABORTED or Errno.EPROTO) continue;
                // Report and keep listening (POE). Out of descriptors or memory, the connection stays
                // pending and level-triggered readiness would retry at once: wait a moment instead.
                _sink.AcceptFailed(error);
                if (SocketFactoryWheel.IsResourceExhaustion(error.Errno)) BackOff();
                return;
            }
            if (socket is null) return; // nothing pending
            _sink.Accepted(socket, peer);
        }
    }

    /// <summary>Removes the watcher and any retry timer. Idempotent.</summary>
    internal void Stop()
    {
        if (_timerId != 0)
        {
            _kernel.AlarmRemove(_timerId);
            _kernel.State(_retryState);
            _timerId = 0;
        }
        _backingOff = false;
        if (!_watching) return;
        _watching = false;
        _kernel.Unwatch(_fd, IoMode.Read);
    }

    private void BackOff()
    {
        if (_errorDelay is not { } delay || !_watching || _backingOff) return;
        _backingOff = true;
        if (!_paused) _kernel.PauseWatch(_fd, IoMode.Read);
        _kernel.State(_retryState, OnRetry);
        _timerId = _kernel.DelaySet(_retryState, delay);
    }

    private void OnRetry(EventContext<object?> context)
    {
        _timerId = 0;
        _kernel.State(_retryState);
        if (!_backingOff) return;
        _backingOff = false;
        if (_watching && !_paused) _kernel.ResumeWatch(_fd, IoMode.Read);
    }
}
