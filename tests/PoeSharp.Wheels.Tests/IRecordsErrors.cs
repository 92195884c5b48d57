namespace PoeSharp.Wheels.Tests;

/// <summary>A test heap that records a wheel's error events and owns the wheel a test finishes with.</summary>
internal interface IRecordsErrors
{
    /// <summary>The (operation, errno, message, wheelId) arguments of each error event.</summary>
    List<(string Op, int Errno, string Message, int Id)> Errors { get; }

    /// <summary>The wheel <see cref="TestHandlers.Done{THeap}"/> disposes.</summary>
    PoeSharp.Wheels.Wheel? Subject { get; }
}
