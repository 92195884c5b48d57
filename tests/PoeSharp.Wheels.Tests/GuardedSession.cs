namespace PoeSharp.Wheels.Tests;

/// <summary>The common shape of a wheel test: one session on a fresh kernel, run under a <see cref="Guard"/>.</summary>
internal static class GuardedSession
{
    /// <summary>
    /// Creates a session with <paramref name="heap"/> and <paramref name="states"/> on a new kernel,
    /// runs the kernel until it is dry (the session posts "done" to the guard when it finishes) and
    /// returns the heap for the assertions. Fails the test if the guard had to stop the kernel.
    /// </summary>
    public static THeap Run<THeap>(THeap heap, Action<SessionBuilder<THeap>> states, double seconds = 60)
    {
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel, seconds: seconds);
        kernel.Create(heap, states);
        guard.Run(kernel);
        return heap;
    }
}
