namespace PoeSharp.Wheels.Drivers;

/// <summary>
/// A small process-wide pool of pinned output segments. Pinned (allocated on the pinned object
/// heap) because <c>writev</c> hands several of them to the OS at once, which <c>fixed</c> cannot
/// pin; pooled because a busy connection would otherwise allocate one per burst.
/// </summary>
internal static class SegmentPool
{
    /// <summary>The size of an ordinary segment.</summary>
    internal const int SegmentSize = 16 * 1024;

    /// <summary>How many free segments the pool keeps (4 MiB); the rest go to the GC.</summary>
    private const int MaxPooled = 256;

    private static readonly Stack<byte[]> s_free = new();

    /// <summary>A segment of at least <paramref name="minimum"/> bytes.</summary>
    internal static byte[] Rent(int minimum)
    {
        if (minimum <= SegmentSize)
        {
            lock (s_free)
            {
                if (s_free.TryPop(out var segment)) return segment;
            }
            return GC.AllocateUninitializedArray<byte>(SegmentSize, pinned: true);
        }
        // Oversized records get a one-off pinned array of their own size.
        return GC.AllocateUninitializedArray<byte>(minimum, pinned: true);
    }

    /// <summary>Gives a segment back; oversized ones are left to the GC.</summary>
    internal static void Return(byte[] segment)
    {
        if (segment.Length != SegmentSize) return;
        lock (s_free)
        {
            if (s_free.Count < MaxPooled) s_free.Push(segment);
        }
    }
}
