using PoeSharp.Loop;

namespace PoeSharp;

/// <summary>One descriptor watcher, as <see cref="Kernel.Watches"/> reports it.</summary>
/// <param name="Fd">The descriptor.</param>
/// <param name="Mode">The readiness watched.</param>
/// <param name="Owner">The session that owns (and is kept alive by) it; the kernel's session for internal watchers.</param>
/// <param name="Event">The event name for a select watcher, null for a direct handler.</param>
/// <param name="Paused">True while paused.</param>
public readonly record struct WatchInfo(int Fd, IoMode Mode, Session Owner, string? Event, bool Paused);
