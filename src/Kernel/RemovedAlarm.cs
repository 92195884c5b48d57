namespace PoeSharp;

/// <summary>A timer taken off the queue by <c>AlarmRemove</c> / <c>AlarmRemoveAll</c>.</summary>
/// <param name="Name">The timer's event name.</param>
/// <param name="Due">When it would have fired (wall clock).</param>
/// <param name="Args">Its arguments.</param>
public readonly record struct RemovedAlarm(string Name, DateTimeOffset Due, object?[] Args);
