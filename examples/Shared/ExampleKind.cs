namespace PoeSharp.Examples;

/// <summary>Which example program is parsing its options (some options apply to one only).</summary>
internal enum ExampleKind
{
    /// <summary>PreforkHttpd.</summary>
    Prefork,

    /// <summary>ForkPerConnection.</summary>
    ForkPerConnection,
}
