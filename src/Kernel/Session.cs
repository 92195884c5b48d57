using PoeSharp.Loop;
using PoeSharp.Resources;

namespace PoeSharp;

/// <summary>
/// A session: a heap plus a table of named event handlers, owned by one <see cref="Kernel"/>.
/// Created with <see cref="Kernel.Create{THeap}"/>. The kernel's own session (ID 0) stands for the
/// kernel where POE passes <c>$poe_kernel</c> (SENDER of signals, the parent of top-level sessions).
/// </summary>
public abstract class Session
{
    private protected Session(Kernel kernel, int id)
    {
        Kernel = kernel;
        Id = id;
    }

    /// <summary>The kernel-assigned ID: 1, 2, 3... in creation order; 0 for the kernel's own session.</summary>
    public int Id { get; }

    /// <summary>The kernel this session lives in.</summary>
    public Kernel Kernel { get; }

    /// <summary>The heap, untyped (handlers see it typed through <see cref="EventContext{THeap}.Heap"/>).</summary>
    public abstract object? Heap { get; }

    /// <summary>The parent session; the kernel's session for top-level sessions, null for the kernel's session itself.</summary>
    public Session? Parent { get; internal set; }

    /// <summary>Where the session is in its life.</summary>
    public SessionState State { get; internal set; }

    /// <summary>True until the session has been stopped.</summary>
    public bool IsAlive => State != SessionState.Stopped;

    /// <summary>True for the kernel's own session.</summary>
    public bool IsKernel => Id == 0;

    /// <summary>Per-session option <c>trace</c>: log every event dispatched to this session.</summary>
    public bool Trace { get; set; }

    /// <summary>Per-session option <c>default</c>: warn when an event has neither a handler nor <c>_default</c>.</summary>
    public bool DefaultWarnings { get; set; }

    /// <summary>True when the session has a handler (not counting <c>_default</c>) for <paramref name="ev"/>.</summary>
    public abstract bool HasHandler(string ev);

    /// <summary>True when the session has a handler (not counting <c>_default</c>) for the typed event <paramref name="ev"/>.</summary>
    public bool HasHandler(TypedEvent ev)
    {
        ArgumentNullException.ThrowIfNull(ev);
        return HasHandler(ev.Name);
    }

    /// <inheritdoc />
    public override string ToString() => IsKernel ? "kernel" : $"session {Id}";

    // ---- per-session data of the kernel's resources (see IKernelResource; each field is read and
    // written by one resource's code only), kept here so that the dispatch path needs no lookup ----
    internal int EventsTo;          // queued items addressed to this session (timers included)
    internal int EventsFrom;        // queued items this session sent to another session
    internal int TimerCount;
    internal List<Session>? Children;
    internal List<string>? Aliases;
    internal SmallMap<int> FdModes;                 // fd -> bit mask of watched IoModes
    internal SmallMap<string> Extrefs;              // tag -> count (> 0)
    internal int TimerHead = -1;    // first slot of this session's timers in the queue (a linked list)
    internal Dictionary<int, (string Event, object?[] Args)>? SigChildren; // pid -> watch
    internal SmallList<IDisposable> Owned;           // disposed when the session stops with them (Kernel.AddOwned)
    internal SmallList<IForkAware> ForkAware;        // released in a forked child (Kernel.HasForked)
    internal bool InGcList;
    internal bool InStart;

    internal int ChildCount => Children?.Count ?? 0;

    internal static int ModeBit(IoMode mode) => 1 << (int)mode;

    /// <summary>Invokes the handler for <paramref name="ev"/> (or <c>_default</c>); <paramref name="handled"/> false when neither exists.</summary>
    internal abstract object? Invoke(Session sender, string ev, object?[] args, string? callerState, string? callerFile, int callerLine, out bool handled);

    internal abstract void SetHandler(string ev, Delegate? handler);
}
