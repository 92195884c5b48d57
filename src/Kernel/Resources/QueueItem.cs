namespace PoeSharp.Resources;

/// <summary>One queued event (FIFO post, timer, signal or internal item). A struct: queues hold them inline.</summary>
internal struct QueueItem
{
    public long Due;            // monotonic timestamp ticks
    public long Seq;            // global enqueue order: breaks ties FIFO
    public Session Dest;
    public Session Source;
    public string Event;
    public object?[] Args;
    public string? CallerState;
    public string? CallerFile;  // where Post/Yield was called, when the caller-info overloads were used
    public int CallerLine;
    public int TimerId;
    public ItemKind Kind;
}
