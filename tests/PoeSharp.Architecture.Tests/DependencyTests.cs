using System.Reflection;

namespace PoeSharp.Architecture.Tests;

/// <summary>
/// The dependency direction is part of the design: Filters depend on nothing of ours, the
/// Kernel on its OS layer only, Wheels on both, Components on all three, Testing on the Kernel.
/// </summary>
public sealed class DependencyTests
{
    private static readonly Assembly Filters = typeof(PoeSharp.Filters.IFilter).Assembly;
    private static readonly Assembly Kernel = typeof(PoeSharp.Loop.ILoop).Assembly;

    private static string[] References(Assembly assembly) =>
        assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();

    [Test]
    public void FiltersReferenceOnlyTheBaseClassLibrary()
    {
        var ours = References(Filters).Where(n => !n.StartsWith("System", StringComparison.Ordinal)
                                                 && n != "netstandard" && n != "mscorlib").ToArray();
        Assert.That(ours, Is.Empty, "PoeSharp.Filters must stay pure: no kernel, no OS layer, no packages.");
    }

    [Test]
    public void KernelDoesNotReferenceFiltersOrWheels()
    {
        Assert.That(References(Kernel), Has.None.StartsWith("PoeSharp."));
    }

    [Test]
    public void WheelsReferenceKernelAndFilters()
    {
        var wheels = Assembly.Load("PoeSharp.Wheels");
        var refs = References(wheels);
        Assert.That(refs, Does.Contain("PoeSharp.Kernel").And.Contain("PoeSharp.Filters"));
    }

    [Test]
    public void ComponentsReferenceKernelWheelsAndFiltersAndNothingReferencesThem()
    {
        var components = Assembly.Load("PoeSharp.Components");
        var ours = References(components).Where(n => n.StartsWith("PoeSharp.", StringComparison.Ordinal));
        Assert.That(ours, Is.SubsetOf(new[] { "PoeSharp.Kernel", "PoeSharp.Filters", "PoeSharp.Wheels" }));
        foreach (var lower in new[] { Filters, Kernel, Assembly.Load("PoeSharp.Wheels"), Assembly.Load("PoeSharp.Testing") })
            Assert.That(References(lower), Has.None.EqualTo("PoeSharp.Components"), lower.GetName().Name + " must not depend on the layer above it.");
    }

    [Test]
    public void TestingReferencesOnlyTheKernelOfOurs()
    {
        var testing = Assembly.Load("PoeSharp.Testing");
        var ours = References(testing).Where(n => n.StartsWith("PoeSharp.", StringComparison.Ordinal));
        Assert.That(ours, Is.EquivalentTo(new[] { "PoeSharp.Kernel" }));
    }

    [Test]
    public void OnlyTheOsNamespaceDeclaresPInvoke()
    {
        // [DllImport] and the stubs [LibraryImport] generates are methods flagged PinvokeImpl;
        // local functions and nested types report the namespace of the type that holds them.
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance |
                                 BindingFlags.Static | BindingFlags.DeclaredOnly;
        var ours = new[] { Filters, Kernel, Assembly.Load("PoeSharp.Wheels"), Assembly.Load("PoeSharp.Testing"), Assembly.Load("PoeSharp.Components") };
        var imports = ours.SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(all).Where(m => m.Attributes.HasFlag(MethodAttributes.PinvokeImpl))
                              .Select(m => (Namespace: t.Namespace, Name: $"{t.FullName}.{m.Name}")))
            .ToList();

        Assert.That(imports.Where(i => i.Namespace == "PoeSharp.Os"), Is.Not.Empty,
            "The scan must see the OS layer's own imports, or it checks nothing.");
        Assert.That(imports.Where(i => i.Namespace != "PoeSharp.Os").Select(i => i.Name), Is.Empty,
            "Only PoeSharp.Os calls native code; everything else goes through its managed API.");
    }

    [Test]
    public void WhatAServerHandlesFromKernelMembersNeedsOnlyTheRootNamespace()
    {
        // `using PoeSharp;` must be enough to name what the kernel's everyday members return
        // (e.g. `ForkResult fork = kernel.Fork();`); seams for hosts live in sub-namespaces.
        var offenders = typeof(PoeSharp.Kernel).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName) // properties such as Loop expose host seams on purpose
            .Select(m => m.ReturnType)
            .Select(t => Nullable.GetUnderlyingType(t) ?? t)
            .Where(t => t.Assembly == Kernel && t.Namespace != "PoeSharp")
            .Select(t => t.FullName)
            .Distinct()
            .ToArray();
        Assert.That(offenders, Is.Empty);
        Assert.That(typeof(PoeSharp.ForkResult).Namespace, Is.EqualTo("PoeSharp"));
    }
}
