namespace PoeSharp.Components;

/// <summary>Marks the PoeSharp.Components assembly (for reflection and architecture checks).</summary>
public static class ComponentsAssembly
{
    /// <summary>The assembly's name.</summary>
    public const string Name = "PoeSharp.Components";
}
