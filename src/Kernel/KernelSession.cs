namespace PoeSharp;

/// <summary>The kernel's own session: the parent of top-level sessions and the sender of signals.</summary>
internal sealed class KernelSession : Session
{
    internal KernelSession(Kernel kernel) : base(kernel, 0) { }

    public override object? Heap => null;

    public override bool HasHandler(string ev) => false;

    internal override object? Invoke(Session sender, string ev, object?[] args, string? callerState, string? callerFile, int callerLine, out bool handled)
    {
        handled = false;
        return null;
    }

    internal override void SetHandler(string ev, Delegate? handler) =>
        throw new InvalidOperationException("The kernel's session has no handlers; call State() from inside a session's handler.");
}
