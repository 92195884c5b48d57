namespace PoeSharp.Wheels;

/// <summary>
/// A bundle of descriptor watchers and event emitters owned by one session (POE::Wheel). Create
/// it inside the session that will receive its events (usually in <c>_start</c> or an event
/// handler) and keep it in the heap; every event it emits goes to that session with
/// <see cref="Kernel.Call(SessionRef, string, object?[])"/>, so I/O events are synchronous, and every event carries
/// <see cref="Id"/> last. <see cref="Dispose"/> removes the watchers; the session may then stop. A
/// wheel still alive when its session is stopped by force is disposed by the kernel after <c>_stop</c>.
/// </summary>
public abstract class Wheel : IDisposable
{
    private static int s_lastId;

    /// <summary>Binds the wheel to <paramref name="kernel"/> and its active session.</summary>
    /// <exception cref="InvalidOperationException">No session is active (wheels belong to a session).</exception>
    protected Wheel(Kernel kernel)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        var owner = kernel.ActiveSession;
        if (owner is null || owner.IsKernel)
            throw new InvalidOperationException(
                $"A {GetType().Name} must be created inside the session that owns it (in _start or an event handler), not outside Kernel.Run.");
        Kernel = kernel;
        Owner = owner;
        Id = Interlocked.Increment(ref s_lastId);
        BoxedId = Id;
    }

    /// <summary>
    /// Called by each wheel as the last step of its constructor (a wheel whose options were
    /// refused was never registered): if the owner is stopped by force (a signal, Kernel.Stop, a
    /// contained handler failure) the kernel disposes the wheel, so its descriptors close as
    /// POE's do with the heap, not at some later garbage collection.
    /// </summary>
    protected void RegisterWithOwner() => Kernel.AddOwned(Owner, this);

    /// <summary>The process-unique wheel id (POE's <c>ID()</c>), the last argument of every event.</summary>
    public int Id { get; }

    /// <summary>The kernel the wheel runs in.</summary>
    public Kernel Kernel { get; }

    /// <summary>The session that created the wheel and receives its events.</summary>
    public Session Owner { get; }

    /// <summary>True once <see cref="Dispose"/> ran.</summary>
    public bool IsDisposed { get; private set; }

    /// <summary><see cref="Id"/> boxed once, so emitting an event does not box it again.</summary>
    protected object BoxedId { get; }

    /// <summary>
    /// Removes the wheel's watchers and releases what it owns. Idempotent. Call it inside the
    /// owning session (its handlers, <c>_stop</c> included) or after that session has stopped:
    /// watchers belong to their session, as in POE.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called from another session while the owner is still alive.</exception>
    public void Dispose()
    {
        if (IsDisposed) return;
        if (Owner.State != SessionState.Stopped && !ReferenceEquals(Kernel.ActiveSession, Owner))
            throw new InvalidOperationException(
                $"{this} belongs to {Owner} but was disposed in {Kernel.ActiveSession}; dispose it inside its own session " +
                "(e.g. post an event there) so its watchers can be removed.");
        IsDisposed = true;
        Kernel.RemoveOwned(Owner, this);
        DisposeCore();
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases watchers, descriptors and buffers; runs once.</summary>
    protected abstract void DisposeCore();

    /// <summary>Throws when the wheel is used after <see cref="Dispose"/>.</summary>
    protected void ThrowIfDisposed()
    {
        if (IsDisposed)
            throw new ObjectDisposedException(GetType().Name, $"Wheel {Id} was disposed; create a new wheel instead of reusing it.");
    }

    /// <inheritdoc />
    public override string ToString() => $"{GetType().Name}({Id})";
}
