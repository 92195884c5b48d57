namespace PoeSharp;

/// <summary>A timer waiting in the kernel's queue, as <see cref="Kernel.Timers"/> shows it (for diagnostics).</summary>
/// <param name="Id">The alarm ID (as returned by <c>AlarmSet</c> / <c>DelaySet</c>).</param>
/// <param name="Session">The session that owns it and will receive it.</param>
/// <param name="Name">The event name.</param>
/// <param name="Due">When it fires, on the wall clock of the kernel's <see cref="TimeProvider"/>.</param>
/// <param name="Args">Its arguments (read-only).</param>
/// <param name="DueTimestamp">When it fires, on the monotonic clock: a <see cref="TimeProvider.GetTimestamp"/> value of the kernel's time provider.</param>
public sealed record PendingTimer(int Id, Session Session, string Name, DateTimeOffset Due, IReadOnlyList<object?> Args, long DueTimestamp);
