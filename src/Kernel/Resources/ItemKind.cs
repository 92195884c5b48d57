namespace PoeSharp.Resources;

/// <summary>What a queue item is.</summary>
internal enum ItemKind : byte
{
    Post,
    Timer,
    Signal,
    /// <summary>The creation-time "_garbage_collect" check: keeps a new session alive until dequeued.</summary>
    GcCheck,
    /// <summary>IDLE or ZOMBIE: internal signals that do not make the kernel busy.</summary>
    IdleSignal,
}
