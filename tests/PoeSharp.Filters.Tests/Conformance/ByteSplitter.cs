namespace PoeSharp.Filters.Tests.Conformance;

/// <summary>
/// Ways of cutting one byte stream into reads, for fragmentation tests: every filter must give the same
/// records for every cut. Each method returns fresh arrays the caller may keep.
/// </summary>
public static class ByteSplitter
{
    /// <summary>
    /// Every two-part split of <paramref name="input"/>: <c>(input[..i], input[i..])</c> for i = 0..Length,
    /// so the first and last pairs have an empty part.
    /// </summary>
    public static IEnumerable<(byte[] a, byte[] b)> TwoWaySplits(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        for (int i = 0; i <= input.Length; i++)
            yield return (input[..i], input[i..]);
    }

    /// <summary>The split points 0..<paramref name="length"/> (inclusive), as used by <see cref="TwoWaySplits"/>.</summary>
    public static IEnumerable<int> SplitPoints(int length)
    {
        for (int i = 0; i <= length; i++) yield return i;
    }

    /// <summary>One chunk per byte.</summary>
    public static IEnumerable<byte[]> OneByteChunks(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        foreach (byte b in input) yield return [b];
    }

    /// <summary>Chunks of <paramref name="size"/> bytes (the last one may be shorter).</summary>
    public static IEnumerable<byte[]> Chunks(byte[] input, int size)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        for (int i = 0; i < input.Length; i += size)
            yield return input[i..Math.Min(input.Length, i + size)];
    }
}
