namespace PoeSharp;

/// <summary>
/// POE's postback: invoking it posts an event to its session with ARG0 = the creation arguments
/// and ARG1 = the invocation arguments. Holds an <c>anon_event</c> extra reference on the session
/// (keeping it alive) until <see cref="Dispose"/> or <see cref="Weaken"/>.
/// </summary>
public sealed class Postback : IDisposable
{
    private AnonEventReference _ref;

    internal Postback(Kernel kernel, Session session, string ev, object?[] args) =>
        _ref = new AnonEventReference(kernel, session, ev, args);

    /// <summary>The session the event goes to.</summary>
    public Session Session => _ref.Session;

    /// <summary>The event name.</summary>
    public string Event => _ref.Event;

    /// <summary>Posts the event (sender: the active session). Returns <see cref="KernelError.NoSuchSession"/> if the session is gone.</summary>
    public KernelError Invoke(params object?[] args) => _ref.Kernel.Post(Session, Event, _ref.EventArgs(this, args));

    /// <summary>Releases the extra reference but keeps the postback usable (POE's <c>weaken</c>).</summary>
    public void Weaken() => _ref.Weaken();

    /// <summary>Releases the extra reference; the postback can no longer be invoked.</summary>
    public void Dispose() => _ref.Dispose();
}
