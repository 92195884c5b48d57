using System.Runtime.CompilerServices;

namespace PoeSharp.Os;

/// <summary>glibc's <c>sigset_t</c> (1024 bits): signal <c>n</c> is bit <c>n-1</c>.</summary>
[InlineArray(16)]
internal struct SignalSet
{
    private ulong _word;

    /// <summary>Adds signal <paramref name="signo"/> (1..64).</summary>
    internal void Add(int signo) => this[(signo - 1) >> 6] |= 1UL << ((signo - 1) & 63);

    /// <summary>Removes signal <paramref name="signo"/>.</summary>
    internal void Remove(int signo) => this[(signo - 1) >> 6] &= ~(1UL << ((signo - 1) & 63));

    /// <summary>True when <paramref name="signo"/> is in the set.</summary>
    internal readonly bool Contains(int signo) => (this[(signo - 1) >> 6] & (1UL << ((signo - 1) & 63))) != 0;

    /// <summary>True when no standard or real-time signal is in the set.</summary>
    internal readonly bool IsEmpty => this[0] == 0;

    /// <summary>The set with <paramref name="signals"/>.</summary>
    internal static SignalSet Of(ReadOnlySpan<int> signals)
    {
        var set = default(SignalSet);
        foreach (int s in signals) set.Add(s);
        return set;
    }
}
