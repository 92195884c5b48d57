namespace PoeSharp;

/// <summary>
/// What <see cref="Postback"/> and <see cref="Callback"/> share: the target session, event and
/// creation arguments, and the <c>anon_event</c> extra reference they hold on the session until
/// weakened or disposed. A mutable struct: keep it in a non-readonly field.
/// </summary>
internal struct AnonEventReference
{
    private bool _holdsRef;
    private bool _disposed;

    internal AnonEventReference(Kernel kernel, Session session, string ev, object?[] args)
    {
        Kernel = kernel;
        Session = session;
        Event = ev;
        Args = args;
        _holdsRef = true;
    }

    internal Kernel Kernel { get; }

    internal Session Session { get; }

    internal string Event { get; }

    /// <summary>The creation arguments (ARG0 of every event sent).</summary>
    internal object?[] Args { get; }

    /// <summary>ARG0 = creation arguments, ARG1 = invocation arguments; throws once disposed.</summary>
    internal readonly object?[] EventArgs(object owner, object?[] args)
    {
        ObjectDisposedException.ThrowIf(_disposed, owner);
        return [Args, args];
    }

    internal void Weaken()
    {
        if (!_holdsRef) return;
        _holdsRef = false;
        Kernel.ReleaseAnonRef(Session);
    }

    internal void Dispose()
    {
        Weaken();
        _disposed = true;
    }
}
