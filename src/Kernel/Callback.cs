namespace PoeSharp;

/// <summary>
/// POE's callback: like <see cref="Postback"/> but invoking it <em>calls</em> the event synchronously
/// and returns the handler's value.
/// </summary>
public sealed class Callback : IDisposable
{
    private AnonEventReference _ref;

    internal Callback(Kernel kernel, Session session, string ev, object?[] args) =>
        _ref = new AnonEventReference(kernel, session, ev, args);

    /// <summary>The session the event goes to.</summary>
    public Session Session => _ref.Session;

    /// <summary>The event name.</summary>
    public string Event => _ref.Event;

    /// <summary>Calls the event with ARG0 = creation arguments, ARG1 = <paramref name="args"/>; returns the handler's value.</summary>
    public object? Invoke(params object?[] args) => _ref.Kernel.Call(Session, Event, _ref.EventArgs(this, args));

    /// <summary>Releases the extra reference but keeps the callback usable.</summary>
    public void Weaken() => _ref.Weaken();

    /// <summary>Releases the extra reference; the callback can no longer be invoked.</summary>
    public void Dispose() => _ref.Dispose();
}
