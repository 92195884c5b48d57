namespace PoeSharp;

/// <summary>
/// Something a session owns that a forked child inherits but must not use, typically a
/// connection: after <c>fork()</c> both processes hold the same socket, and anything the child
/// writes, reads or shuts down is seen by (or stolen from) the parent's peer. Wheels register
/// themselves with <see cref="Kernel.AddForkAware"/>; in the child, <see cref="Kernel.HasForked"/>
/// releases every registered object, then tells the owners (docs/FORK-SAFETY.md, "Inherited connections").
/// </summary>
/// <remarks>
/// Both methods run once, in the child, with the owner as the active session. The kernel
/// prepares (JIT-compiles) the implementations of every type registered before a fork, so a
/// child does not compile them again; code they call for the first time is compiled in the child.
/// </remarks>
public interface IForkAware
{
    /// <summary>
    /// First, for every registered object of every session, before any event handler runs: give
    /// up what belongs to the parent without touching the peer (<c>close(2)</c> only: no
    /// <c>shutdown</c>, no pending output written, no input read). Must not dispatch events.
    /// Return true to be unregistered and told to report it (<see cref="ReportReleasedInChild"/>);
    /// false to stay registered and keep working (the owner asked to keep it).
    /// </summary>
    bool ReleaseInChild();

    /// <summary>
    /// Then, once every object has been released: tell the owner, usually with an event
    /// (a wheel's ErrorEvent with operation <c>"fork"</c>).
    /// </summary>
    void ReportReleasedInChild();
}
