namespace PoeSharp.Wheels.Tests;

/// <summary>Event handlers that wheel tests share.</summary>
internal static class TestHandlers
{
    /// <summary>Records an error event's (operation, errno, message, wheelId).</summary>
    public static void RecordError<THeap>(EventContext<THeap> c) where THeap : IRecordsErrors =>
        c.Heap.Errors.Add((c.Arg<string>(0), c.Arg<int>(1), c.Arg<string>(2), c.Arg<int>(3)));

    /// <summary>Disposes the heap's wheel and tells the guard this session is finished.</summary>
    public static void Done<THeap>(EventContext<THeap> c) where THeap : IRecordsErrors
    {
        c.Heap.Subject!.Dispose();
        c.Kernel.Post("guard", "done");
    }

    /// <summary>An error event handler: records the error and finishes.</summary>
    public static void RecordErrorThenDone<THeap>(EventContext<THeap> c) where THeap : IRecordsErrors
    {
        RecordError(c);
        Done(c);
    }
}
