using PoeSharp.Loop;

namespace PoeSharp.Resources;

/// <summary>One descriptor/mode watcher: a select event or a direct ready handler.</summary>
internal sealed class Watcher
{
    public required Session Owner;
    public required int Fd;
    public required IoMode Mode;
    public string? Event;
    public object?[] Args = [];
    public IReadyHandler? Handler;
    public bool Paused;
    public bool Internal;   // the process host's own descriptors: keep nothing alive
    public Watcher? Next;   // the next watcher of the same descriptor (WatcherTable)
}
