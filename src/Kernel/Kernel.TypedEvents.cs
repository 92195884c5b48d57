using System.Runtime.CompilerServices;

namespace PoeSharp;

// Typed events: the same operations as the string overloads, keyed by an Event/Event<T>/... so the
// arguments are checked by the compiler. The typed values travel as POE's positional arguments in
// the same object?[] a string post builds, so a typed event costs what the string one does and a
// string handler (or _default) sees them as ARG0, ARG1, ... The string overloads stay for POE-style code.
public sealed partial class Kernel
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static string NameOf(TypedEvent ev)
    {
        ArgumentNullException.ThrowIfNull(ev);
        return ev.Name;
    }

    /// <summary>Removes all of the active session's timers for <paramref name="ev"/> (POE's <c>alarm(NAME)</c>).</summary>
    public KernelError Alarm(TypedEvent ev) => Alarm(NameOf(ev));

    /// <summary>Removes all of the active session's timers for <paramref name="ev"/> (POE's <c>delay(NAME)</c>).</summary>
    public KernelError Delay(TypedEvent ev) => Alarm(NameOf(ev));

    // ---- Event ----

    /// <summary>Posts <paramref name="ev"/> to <paramref name="dest"/> without arguments (as the string <c>Post</c>), recording the caller's file and line.</summary>
    /// <remarks>The last three parameters are filled in by the compiler; never pass them.</remarks>
    public KernelError Post(SessionRef dest, Event ev, CallerInfoGuard _ = default,
        [CallerFilePath] string? callerFile = null, [CallerLineNumber] int callerLine = 0) =>
        PostCore(dest, NameOf(ev), [], callerFile, callerLine);

    /// <summary>Posts <paramref name="ev"/> to the active session without arguments (as the string <c>Yield</c>), recording the caller's file and line.</summary>
    /// <remarks>The last three parameters are filled in by the compiler; never pass them.</remarks>
    public void Yield(Event ev, CallerInfoGuard _ = default,
        [CallerFilePath] string? callerFile = null, [CallerLineNumber] int callerLine = 0) =>
        YieldCore(NameOf(ev), [], callerFile, callerLine);

    /// <summary>Calls <paramref name="ev"/> on <paramref name="dest"/> without arguments and returns the handler's value (as the string <c>Call</c>), recording the caller's file and line.</summary>
    /// <remarks>The last three parameters are filled in by the compiler; never pass them.</remarks>
    public object? Call(SessionRef dest, Event ev, CallerInfoGuard _ = default,
        [CallerFilePath] string? callerFile = null, [CallerLineNumber] int callerLine = 0)
    {
        TryCallCore(dest, NameOf(ev), out var result, [], callerFile, callerLine);
        return result;
    }

    /// <summary>Calls <paramref name="ev"/> without arguments, reporting failure as the string <c>TryCall</c> does.</summary>
    public KernelError TryCall(SessionRef dest, Event ev, out object? result) =>
        TryCallCore(dest, NameOf(ev), out result, [], null, 0);

    /// <summary>Queues <paramref name="ev"/> without arguments from any thread (as the string <c>PostFromAnyThread</c>).</summary>
    public void PostFromAnyThread(SessionRef dest, Event ev) =>
        PostFromAnyThread(dest, NameOf(ev), []);

    /// <summary>Replaces the active session's timers for <paramref name="ev"/> with one due after <paramref name="delay"/>, without arguments.</summary>
    public KernelError Delay(Event ev, TimeSpan delay) => Delay(NameOf(ev), delay, []);

    /// <summary>Adds a timer for <paramref name="ev"/> due after <paramref name="delay"/>, without arguments, without clearing others.</summary>
    public KernelError DelayAdd(Event ev, TimeSpan delay) => DelayAdd(NameOf(ev), delay, []);

    /// <summary>Adds a timer for <paramref name="ev"/> due after <paramref name="delay"/>, without arguments; returns its alarm ID, or 0 outside a session.</summary>
    public int DelaySet(Event ev, TimeSpan delay) => DelaySet(NameOf(ev), delay, []);

    /// <summary>Replaces the active session's timers for <paramref name="ev"/> with one due at <paramref name="when"/>, without arguments.</summary>
    public KernelError Alarm(Event ev, DateTimeOffset when) => Alarm(NameOf(ev), when, []);

    /// <summary>Adds a timer for <paramref name="ev"/> due at <paramref name="when"/>, without arguments, without clearing others.</summary>
    public KernelError AlarmAdd(Event ev, DateTimeOffset when) => AlarmAdd(NameOf(ev), when, []);

    /// <summary>Adds a timer for <paramref name="ev"/> due at <paramref name="when"/>, without arguments; returns its alarm ID, or 0 outside a session.</summary>
    public int AlarmSet(Event ev, DateTimeOffset when) => AlarmSet(NameOf(ev), when, []);

    // ---- Event<T> ----

    /// <summary>Posts <paramref name="ev"/> to <paramref name="dest"/> with ARG0 = <paramref name="arg0"/> (as the string <c>Post</c>), recording the caller's file and line.</summary>
    /// <remarks>The last three parameters are filled in by the compiler; never pass them.</remarks>
    public KernelError Post<T>(SessionRef dest, Event<T> ev, T arg0, CallerInfoGuard _ = default,
        [CallerFilePath] string? callerFile = null, [CallerLineNumber] int callerLine = 0) =>
        PostCore(dest, NameOf(ev), [arg0], callerFile, callerLine);

    /// <summary>Posts <paramref name="ev"/> to the active session with ARG0 = <paramref name="arg0"/> (as the string <c>Yield</c>), recording the caller's file and line.</summary>
    /// <remarks>The last three parameters are filled in by the compiler; never pass them.</remarks>
    public void Yield<T>(Event<T> ev, T arg0, CallerInfoGuard _ = default,
        [CallerFilePath] string? callerFile = null, [CallerLineNumber] int callerLine = 0) =>
        YieldCore(NameOf(ev), [arg0], callerFile, callerLine);

    /// <summary>Calls <paramref name="ev"/> on <paramref name="dest"/> with ARG0 = <paramref name="arg0"/> and returns the handler's value (as the string <c>Call</c>), recording the caller's file and line.</summary>
    /// <remarks>The last three parameters are filled in by the compiler; never pass them.</remarks>
    public object? Call<T>(SessionRef dest, Event<T> ev, T arg0, CallerInfoGuard _ = default,
        [CallerFilePath] string? callerFile = null, [CallerLineNumber] int callerLine = 0)
    {
        TryCallCore(dest, NameOf(ev), out var result, [arg0], callerFile, callerLine);
        return result;
    }

    /// <summary>Calls <paramref name="ev"/> with ARG0 = <paramref name="arg0"/>, reporting failure as the string <c>TryCall</c> does.</summary>
    public KernelError TryCall<T>(SessionRef dest, Event<T> ev, out object? result, T arg0) =>
        TryCallCore(dest, NameOf(ev), out result, [arg0], null, 0);

    /// <summary>Queues <paramref name="ev"/> with ARG0 = <paramref name="arg0"/> from any thread (as the string <c>PostFromAnyThread</c>).</summary>
    public void PostFromAnyThread<T>(SessionRef dest, Event<T> ev, T arg0) =>
        PostFromAnyThread(dest, NameOf(ev), [arg0]);

    /// <summary>Replaces the active session's timers for <paramref name="ev"/> with one due after <paramref name="delay"/>, with ARG0 = <paramref name="arg0"/>.</summary>
    public KernelError Delay<T>(Event<T> ev, TimeSpan delay, T arg0) => Delay(NameOf(ev), delay, [arg0]);

    /// <summary>Adds a timer for <paramref name="ev"/> due after <paramref name="delay"/>, with ARG0 = <paramref name="arg0"/>, without clearing others.</summary>
    public KernelError DelayAdd<T>(Event<T> ev, TimeSpan delay, T arg0) => DelayAdd(NameOf(ev), delay, [arg0]);

    /// <summary>Adds a timer for <paramref name="ev"/> due after <paramref name="delay"/>, with ARG0 = <paramref name="arg0"/>; returns its alarm ID, or 0 outside a session.</summary>
    public int DelaySet<T>(Event<T> ev, TimeSpan delay, T arg0) => DelaySet(NameOf(ev), delay, [arg0]);

    /// <summary>Replaces the active session's timers for <paramref name="ev"/> with one due at <paramref name="when"/>, with ARG0 = <paramref name="arg0"/>.</summary>
    public KernelError Alarm<T>(Event<T> ev, DateTimeOffset when, T arg0) => Alarm(NameOf(ev), when, [arg0]);

    /// <summary>Adds a timer for <paramref name="ev"/> due at <paramref name="when"/>, with ARG0 = <paramref name="arg0"/>, without clearing others.</summary>
    public KernelError AlarmAdd<T>(Event<T> ev, DateTimeOffset when, T arg0) => AlarmAdd(NameOf(ev), when, [arg0]);

    /// <summary>Adds a timer for <paramref name="ev"/> due at <paramref name="when"/>, with ARG0 = <paramref name="arg0"/>; returns its alarm ID, or 0 outside a session.</summary>
    public int AlarmSet<T>(Event<T> ev, DateTimeOffset when, T arg0) => AlarmSet(NameOf(ev), when, [arg0]);

    // ---- Event<T1, T2> ----

    /// <summary>Posts <paramref name="ev"/> to <paramref name="dest"/> with ARG0, ARG1 (as the string <c>Post</c>), recording the caller's file and line.</summary>
    /// <remarks>The last three parameters are filled in by the compiler; never pass them.</remarks>
    public KernelError Post<T1, T2>(SessionRef dest, Event<T1, T2> ev, T1 arg0, T2 arg1, CallerInfoGuard _ = default,
        [CallerFilePath] string? callerFile = null, [CallerLineNumber] int callerLine = 0) =>
        PostCore(dest, NameOf(ev), [arg0, arg1], callerFile, callerLine);

    /// <summary>Posts <paramref name="ev"/> to the active session with ARG0, ARG1 (as the string <c>Yield</c>), recording the caller's file and line.</summary>
    /// <remarks>The last three parameters are filled in by the compiler; never pass them.</remarks>
    public void Yield<T1, T2>(Event<T1, T2> ev, T1 arg0, T2 arg1, CallerInfoGuard _ = default,
        [CallerFilePath] string? callerFile = null, [CallerLineNumber] int callerLine = 0) =>
        YieldCore(NameOf(ev), [arg0, arg1], callerFile, callerLine);

    /// <summary>Calls <paramref name="ev"/> on <paramref name="dest"/> with ARG0, ARG1 and returns the handler's value (as the string <c>Call</c>), recording the caller's file and line.</summary>
    /// <remarks>The last three parameters are filled in by the compiler; never pass them.</remarks>
    public object? Call<T1, T2>(SessionRef dest, Event<T1, T2> ev, T1 arg0, T2 arg1, CallerInfoGuard _ = default,
        [CallerFilePath] string? callerFile = null, [CallerLineNumber] int callerLine = 0)
    {
        TryCallCore(dest, NameOf(ev), out var result, [arg0, arg1], callerFile, callerLine);
        return result;
    }

    /// <summary>Calls <paramref name="ev"/> with ARG0, ARG1, reporting failure as the string <c>TryCall</c> does.</summary>
    public KernelError TryCall<T1, T2>(SessionRef dest, Event<T1, T2> ev, out object? result, T1 arg0, T2 arg1) =>
        TryCallCore(dest, NameOf(ev), out result, [arg0, arg1], null, 0);

    /// <summary>Queues <paramref name="ev"/> with ARG0, ARG1 from any thread (as the string <c>PostFromAnyThread</c>).</summary>
    public void PostFromAnyThread<T1, T2>(SessionRef dest, Event<T1, T2> ev, T1 arg0, T2 arg1) =>
        PostFromAnyThread(dest, NameOf(ev), [arg0, arg1]);

    /// <summary>Replaces the active session's timers for <paramref name="ev"/> with one due after <paramref name="delay"/>, with ARG0, ARG1.</summary>
    public KernelError Delay<T1, T2>(Event<T1, T2> ev, TimeSpan delay, T1 arg0, T2 arg1) => Delay(NameOf(ev), delay, [arg0, arg1]);

    /// <summary>Adds a timer for <paramref name="ev"/> due after <paramref name="delay"/>, with ARG0, ARG1, without clearing others.</summary>
    public KernelError DelayAdd<T1, T2>(Event<T1, T2> ev, TimeSpan delay, T1 arg0, T2 arg1) => DelayAdd(NameOf(ev), delay, [arg0, arg1]);

    /// <summary>Adds a timer for <paramref name="ev"/> due after <paramref name="delay"/>, with ARG0, ARG1; returns its alarm ID, or 0 outside a session.</summary>
    public int DelaySet<T1, T2>(Event<T1, T2> ev, TimeSpan delay, T1 arg0, T2 arg1) => DelaySet(NameOf(ev), delay, [arg0, arg1]);

    /// <summary>Replaces the active session's timers for <paramref name="ev"/> with one due at <paramref name="when"/>, with ARG0, ARG1.</summary>
    public KernelError Alarm<T1, T2>(Event<T1, T2> ev, DateTimeOffset when, T1 arg0, T2 arg1) => Alarm(NameOf(ev), when, [arg0, arg1]);

    /// <summary>Adds a timer for <paramref name="ev"/> due at <paramref name="when"/>, with ARG0, ARG1, without clearing others.</summary>
    public KernelError AlarmAdd<T1, T2>(Event<T1, T2> ev, DateTimeOffset when, T1 arg0, T2 arg1) => AlarmAdd(NameOf(ev), when, [arg0, arg1]);

    /// <summary>Adds a timer for <paramref name="ev"/> due at <paramref name="when"/>, with ARG0, ARG1; returns its alarm ID, or 0 outside a session.</summary>
    public int AlarmSet<T1, T2>(Event<T1, T2> ev, DateTimeOffset when, T1 arg0, T2 arg1) => AlarmSet(NameOf(ev), when, [arg0, arg1]);

    // ---- Event<T1, T2, T3> ----

    /// <summary>Posts <paramref name="ev"/> to <paramref name="dest"/> with ARG0, ARG1, ARG2 (as the string <c>Post</c>), recording the caller's file and line.</summary>
    /// <remarks>The last three parameters are filled in by the compiler; never pass them.</remarks>
    public KernelError Post<T1, T2, T3>(SessionRef dest, Event<T1, T2, T3> ev, T1 arg0, T2 arg1, T3 arg2, CallerInfoGuard _ = default,
        [CallerFilePath] string? callerFile = null, [CallerLineNumber] int callerLine = 0) =>
        PostCore(dest, NameOf(ev), [arg0, arg1, arg2], callerFile, callerLine);

    /// <summary>Posts <paramref name="ev"/> to the active session with ARG0, ARG1, ARG2 (as the string <c>Yield</c>), recording the caller's file and line.</summary>
    /// <remarks>The last three parameters are filled in by the compiler; never pass them.</remarks>
    public void Yield<T1, T2, T3>(Event<T1, T2, T3> ev, T1 arg0, T2 arg1, T3 arg2, CallerInfoGuard _ = default,
        [CallerFilePath] string? callerFile = null, [CallerLineNumber] int callerLine = 0) =>
        YieldCore(NameOf(ev), [arg0, arg1, arg2], callerFile, callerLine);

    /// <summary>Calls <paramref name="ev"/> on <paramref name="dest"/> with ARG0, ARG1, ARG2 and returns the handler's value (as the string <c>Call</c>), recording the caller's file and line.</summary>
    /// <remarks>The last three parameters are filled in by the compiler; never pass them.</remarks>
    public object? Call<T1, T2, T3>(SessionRef dest, Event<T1, T2, T3> ev, T1 arg0, T2 arg1, T3 arg2, CallerInfoGuard _ = default,
        [CallerFilePath] string? callerFile = null, [CallerLineNumber] int callerLine = 0)
    {
        TryCallCore(dest, NameOf(ev), out var result, [arg0, arg1, arg2], callerFile, callerLine);
        return result;
    }

    /// <summary>Calls <paramref name="ev"/> with ARG0, ARG1, ARG2, reporting failure as the string <c>TryCall</c> does.</summary>
    public KernelError TryCall<T1, T2, T3>(SessionRef dest, Event<T1, T2, T3> ev, out object? result, T1 arg0, T2 arg1, T3 arg2) =>
        TryCallCore(dest, NameOf(ev), out result, [arg0, arg1, arg2], null, 0);

    /// <summary>Queues <paramref name="ev"/> with ARG0, ARG1, ARG2 from any thread (as the string <c>PostFromAnyThread</c>).</summary>
    public void PostFromAnyThread<T1, T2, T3>(SessionRef dest, Event<T1, T2, T3> ev, T1 arg0, T2 arg1, T3 arg2) =>
        PostFromAnyThread(dest, NameOf(ev), [arg0, arg1, arg2]);

    /// <summary>Replaces the active session's timers for <paramref name="ev"/> with one due after <paramref name="delay"/>, with ARG0, ARG1, ARG2.</summary>
    public KernelError Delay<T1, T2, T3>(Event<T1, T2, T3> ev, TimeSpan delay, T1 arg0, T2 arg1, T3 arg2) => Delay(NameOf(ev), delay, [arg0, arg1, arg2]);

    /// <summary>Adds a timer for <paramref name="ev"/> due after <paramref name="delay"/>, with ARG0, ARG1, ARG2, without clearing others.</summary>
    public KernelError DelayAdd<T1, T2, T3>(Event<T1, T2, T3> ev, TimeSpan delay, T1 arg0, T2 arg1, T3 arg2) => DelayAdd(NameOf(ev), delay, [arg0, arg1, arg2]);

    /// <summary>Adds a timer for <paramref name="ev"/> due after <paramref name="delay"/>, with ARG0, ARG1, ARG2; returns its alarm ID, or 0 outside a session.</summary>
    public int DelaySet<T1, T2, T3>(Event<T1, T2, T3> ev, TimeSpan delay, T1 arg0, T2 arg1, T3 arg2) => DelaySet(NameOf(ev), delay, [arg0, arg1, arg2]);

    /// <summary>Replaces the active session's timers for <paramref name="ev"/> with one due at <paramref name="when"/>, with ARG0, ARG1, ARG2.</summary>
    public KernelError Alarm<T1, T2, T3>(Event<T1, T2, T3> ev, DateTimeOffset when, T1 arg0, T2 arg1, T3 arg2) => Alarm(NameOf(ev), when, [arg0, arg1, arg2]);

    /// <summary>Adds a timer for <paramref name="ev"/> due at <paramref name="when"/>, with ARG0, ARG1, ARG2, without clearing others.</summary>
    public KernelError AlarmAdd<T1, T2, T3>(Event<T1, T2, T3> ev, DateTimeOffset when, T1 arg0, T2 arg1, T3 arg2) => AlarmAdd(NameOf(ev), when, [arg0, arg1, arg2]);

    /// <summary>Adds a timer for <paramref name="ev"/> due at <paramref name="when"/>, with ARG0, ARG1, ARG2; returns its alarm ID, or 0 outside a session.</summary>
    public int AlarmSet<T1, T2, T3>(Event<T1, T2, T3> ev, DateTimeOffset when, T1 arg0, T2 arg1, T3 arg2) => AlarmSet(NameOf(ev), when, [arg0, arg1, arg2]);
}
