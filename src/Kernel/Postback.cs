namespace PoeSharp;

/// <summary>
/// POE's postback: invoking it posts an event to its session with ARG0 = the creation arguments
/// and ARG1 = the invocation arguments. Holds an <c>anon_event</c> extra reference on the session
/// (keeping it alive) until <see cref="Dispose"/> or <see cref="Weaken"/>.
/// </summary>
public sealed class Postback : IDisposable
{
    private readonly Kernel _kernel;
    private readonly object?[] _args;
    private bool _holdsRef;
    private bool _disposed;

    internal Postback(Kernel kernel, Session session, string ev, object?[] args)
    {
        _kernel = kernel;
        Session = session;
        Event = ev;
        _args = args;
        _holdsRef = true;
    }

    /// <summary>The session the event goes to.</summary>
    public Session Session { get; }

    /// <summary>The event name.</summary>
    public string Event { get; }

    /// <summary>Posts the event (sender: the active session). Returns <see cref="KernelError.NoSuchSession"/> if the session is gone.</summary>
    public KernelError Invoke(params object?[] args)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _kernel.Post(Session, Event, _args, args);
    }

    /// <summary>Releases the extra reference but keeps the postback usable (POE's <c>weaken</c>).</summary>
    public void Weaken()
    {
        if (!_holdsRef) return;
        _holdsRef = false;
        _kernel.ReleaseAnonRef(Session);
    }

    /// <summary>Releases the extra reference; the postback can no longer be invoked.</summary>
    public void Dispose()
    {
        Weaken();
        _disposed = true;
    }
}
