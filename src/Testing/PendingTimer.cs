namespace PoeSharp.Testing;

/// <summary>A timer waiting in the kernel's queue, as <see cref="FakeKernel.Timers"/> shows it.</summary>
/// <param name="Id">The alarm ID.</param>
/// <param name="Session">The session that owns it and will receive it.</param>
/// <param name="Name">The event name.</param>
/// <param name="Due">When it fires (wall clock of the manual clock).</param>
/// <param name="Args">Its arguments.</param>
public sealed record PendingTimer(int Id, Session Session, string Name, DateTimeOffset Due, object?[] Args);
