namespace PoeSharp.Examples;

/// <summary>The real random source; reseeded in each child (FORK-SAFETY.md: Random.Shared repeats the parent's sequence).</summary>
internal sealed class SystemRandomSource : IRandomSource
{
    private Random _random = new();

    /// <inheritdoc />
    public double NextDouble() => _random.NextDouble();

    /// <inheritdoc />
    public void Reseed() => _random = new Random();
}
