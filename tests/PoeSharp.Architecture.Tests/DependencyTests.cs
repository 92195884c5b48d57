using System.Reflection;

namespace PoeSharp.Architecture.Tests;

/// <summary>
/// The dependency direction is part of the design: Filters depend on nothing of ours, the
/// Kernel on its OS layer only, Wheels on both, Testing on the Kernel.
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
        Assert.That(refs, Has.None.StartsWith("Mono.Posix"), "Only the kernel's OS layer touches Mono.Posix.");
    }

    [Test]
    public void TestingReferencesOnlyTheKernelOfOurs()
    {
        var testing = Assembly.Load("PoeSharp.Testing");
        var ours = References(testing).Where(n => n.StartsWith("PoeSharp.", StringComparison.Ordinal));
        Assert.That(ours, Is.EquivalentTo(new[] { "PoeSharp.Kernel" }));
    }

    [Test]
    public void OnlyTheOsNamespaceUsesMonoPosix()
    {
        // Mono.Unix types may appear only in PoeSharp.Os. Checked on signatures and fields of every type.
        var offenders = new List<string>();
        foreach (var type in Kernel.GetTypes())
        {
            if (type.Namespace is { } ns && ns.StartsWith("PoeSharp.Os", StringComparison.Ordinal)) continue;
            foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance |
                                                   BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                var types = member switch
                {
                    FieldInfo f => new[] { f.FieldType },
                    MethodInfo m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType).ToArray(),
                    PropertyInfo p => new[] { p.PropertyType },
                    _ => Array.Empty<Type>(),
                };
                if (types.Any(t => t.Assembly.GetName().Name == "Mono.Posix.NETStandard"))
                    offenders.Add($"{type.FullName}.{member.Name}");
            }
        }
        Assert.That(offenders, Is.Empty);
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
