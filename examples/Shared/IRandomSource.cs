namespace PoeSharp.Examples;

/// <summary>Perl's <c>rand()</c>, injectable so churn is deterministic in tests.</summary>
internal interface IRandomSource
{
    /// <summary>A number in [0, 1).</summary>
    double NextDouble();

    /// <summary>Called in a new child: a forked generator would repeat the parent's sequence.</summary>
    void Reseed();
}
