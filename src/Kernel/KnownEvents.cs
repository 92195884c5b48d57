namespace PoeSharp;

/// <summary>The event names the kernel itself sends, spelled as in POE.</summary>
public static class KnownEvents
{
    /// <summary>Dispatched synchronously when a session is created; its return value reaches the parent's <c>_child</c>.</summary>
    public const string Start = "_start";

    /// <summary>Dispatched once when a session stops.</summary>
    public const string Stop = "_stop";

    /// <summary>Sent to a session whose parent changes: ARG0 old parent, ARG1 new parent.</summary>
    public const string Parent = "_parent";

    /// <summary>Sent to a parent: ARG0 "create", "lose" or "gain", ARG1 the child, ARG2 a return value.</summary>
    public const string Child = "_child";

    /// <summary>
    /// Not in POE: dispatched synchronously to every session alive in a forked child, from
    /// <see cref="Kernel.HasForked"/> (so before <see cref="Kernel.Fork"/> returns there), after
    /// the inherited connections have been released and their owners told. ARG0 is the parent's pid.
    /// </summary>
    public const string AfterFork = "_after_fork";

    /// <summary>Receives any event without a handler: ARG0 the original name, ARG1 the original arguments.</summary>
    public const string Default = "_default";

    /// <summary><c>_child</c> reason: the child was created (ARG2 = its <c>_start</c> return value).</summary>
    public const string ChildCreate = "create";

    /// <summary><c>_child</c> reason: the child stopped (ARG2 = its <c>_stop</c> return value) or was detached.</summary>
    public const string ChildLose = "lose";

    /// <summary><c>_child</c> reason: a grandchild was inherited because a child stopped.</summary>
    public const string ChildGain = "gain";
}
