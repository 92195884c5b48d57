namespace PoeSharp.Resources;

/// <summary>A session's watcher for one signal name: the event to send and the registration arguments.</summary>
internal readonly record struct SignalWatch(string Event, object?[] Args);
