namespace PoeSharp;

/// <summary>
/// POE's callback: like <see cref="Postback"/> but invoking it <em>calls</em> the event synchronously
/// and returns the handler's value.
/// </summary>
public sealed class Callback : IDisposable
{
    private readonly Kernel _kernel;
    private readonly object?[] _args;
    private bool _holdsRef;
    private bool _disposed;

    internal Callback(Kernel kernel, Session session, string ev, object?[] args)
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

    /// <summary>Calls the event with ARG0 = creation arguments, ARG1 = <paramref name="args"/>; returns the handler's value.</summary>
    public object? Invoke(params object?[] args)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _kernel.Call(Session, Event, _args, args);
    }

    /// <summary>Releases the extra reference but keeps the callback usable.</summary>
    public void Weaken()
    {
        if (!_holdsRef) return;
        _holdsRef = false;
        _kernel.ReleaseAnonRef(Session);
    }

    /// <summary>Releases the extra reference; the callback can no longer be invoked.</summary>
    public void Dispose()
    {
        Weaken();
        _disposed = true;
    }
}
