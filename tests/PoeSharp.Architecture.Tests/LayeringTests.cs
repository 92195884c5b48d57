using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace PoeSharp.Architecture.Tests;

/// <summary>
/// Wheels, components and the fake kernel are written on the libraries' public API, as anyone
/// outside the repository would write them; only test assemblies see internals. Inside the
/// kernel, the OS layer (<c>PoeSharp.Os</c>) is the bottom: the loop (<c>PoeSharp.Loop</c>) is
/// built on it, never the other way round.
/// </summary>
public sealed partial class LayeringTests
{
    private static readonly Assembly Kernel = typeof(PoeSharp.Loop.ILoop).Assembly;

    private static readonly string[] Libraries =
        ["PoeSharp.Kernel", "PoeSharp.Filters", "PoeSharp.Wheels", "PoeSharp.Testing", "PoeSharp.Components"];

    private static bool IsTestAssembly(string name) => name.EndsWith(".Tests", StringComparison.Ordinal);

    [Test]
    public void OurLibrariesOpenTheirInternalsOnlyToTestAssemblies()
    {
        var friends = Libraries.Select(Assembly.Load)
            .SelectMany(a => a.GetCustomAttributes<InternalsVisibleToAttribute>()
                              .Select(ivt => (Library: a.GetName().Name, Friend: ivt.AssemblyName.Split(',')[0].Trim())))
            .ToList();

        Assert.That(friends.Where(f => f.Library == "PoeSharp.Kernel").Select(f => f.Friend), Does.Contain("PoeSharp.Kernel.Tests"),
            "The scan must see the kernel's own test friend, or it checks nothing.");
        Assert.That(friends.Where(f => !IsTestAssembly(f.Friend)).Select(f => $"{f.Library} -> {f.Friend}"), Is.Empty,
            "Only test assemblies may see internals; give wheels, components and tools a public API instead.");
    }

    [Test]
    public void NoProjectOpensItsInternalsToANonTestAssembly()
    {
        // Examples and benchmarks are not loaded here: read the declarations in every project and source file.
        var declared = new List<string>();
        foreach (string dir in new[] { "src", "examples", "bench" })
        {
            foreach (string project in Repository.Files(dir, ".csproj"))
                foreach (Match m in ProjectFriend().Matches(File.ReadAllText(project)))
                    declared.Add($"{Path.GetRelativePath(Repository.Root, project)}: {m.Groups[1].Value}");
            foreach (string source in Repository.Files(dir, ".cs"))
                foreach (Match m in SourceFriend().Matches(File.ReadAllText(source)))
                    declared.Add($"{Path.GetRelativePath(Repository.Root, source)}: {m.Groups[1].Value}");
        }

        Assert.That(declared, Has.Some.EndsWith(": PoeSharp.Kernel.Tests"), "The scan must see the kernel's test friend, or it checks nothing.");
        Assert.That(declared.Where(d => !IsTestAssembly(d[(d.LastIndexOf(' ') + 1)..])), Is.Empty);
    }

    [Test]
    public void TheOsLayerNamesNothingOfTheLoopInItsSources()
    {
        var loopUsesOs = SourcesNaming("src/Kernel/Loop", "PoeSharp.Os");
        var osUsesLoop = SourcesNaming("src/Kernel/Os", "PoeSharp.Loop");

        Assert.That(loopUsesOs, Is.Not.Empty, "The epoll loop is built on the OS layer; a scan that misses it checks nothing.");
        Assert.That(osUsesLoop, Is.Empty, "PoeSharp.Os is the bottom layer: the loop may use it, not the other way round.");
    }

    [Test]
    public void EverySourceFileOfLoopAndOsDeclaresItsFoldersNamespace()
    {
        // The source scan above relies on it: a file in Os/ declaring another namespace would escape it.
        var misplaced = new List<string>();
        foreach (var (dir, ns) in new[] { ("src/Kernel/Loop", "PoeSharp.Loop"), ("src/Kernel/Os", "PoeSharp.Os") })
            foreach (string file in Repository.Files(dir, ".cs"))
                if (!File.ReadAllText(file).Contains($"namespace {ns};", StringComparison.Ordinal))
                    misplaced.Add(Path.GetRelativePath(Repository.Root, file));
        Assert.That(misplaced, Is.Empty);
        Assert.That(Repository.Files("src/Kernel", ".cs").Select(File.ReadAllText).Where(t => GlobalUsing().IsMatch(t)), Is.Empty,
            "A global using of PoeSharp.Loop or PoeSharp.Os would hide a dependency from the source scan.");
        Assert.That(File.ReadAllText(Path.Combine(Repository.Root, "src/Kernel/PoeSharp.Kernel.csproj")), Does.Not.Contain("<Using "));
    }

    [Test]
    public void TheOsLayersTypesMentionNoLoopTypeInTheirSignatures()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance |
                                 BindingFlags.Static | BindingFlags.DeclaredOnly;
        var os = Kernel.GetTypes().Where(t => t.Namespace == "PoeSharp.Os").ToList();
        Assert.That(os, Is.Not.Empty);

        var offenders = new List<string>();
        foreach (var type in os)
        {
            var mentioned = new List<Type>();
            if (type.BaseType is { } b) mentioned.Add(b);
            mentioned.AddRange(type.GetInterfaces());
            mentioned.AddRange(type.GetFields(all).Select(f => f.FieldType));
            mentioned.AddRange(type.GetProperties(all).Select(p => p.PropertyType));
            foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                mentioned.AddRange(method.GetParameters().Select(p => p.ParameterType));
                if (method is MethodInfo mi) mentioned.Add(mi.ReturnType);
                if (method.GetMethodBody() is { } body) mentioned.AddRange(body.LocalVariables.Select(l => l.LocalType));
            }
            foreach (var t in mentioned.SelectMany(Unwrap).Where(t => t.Namespace == "PoeSharp.Loop").Distinct())
                offenders.Add($"{type.FullName} -> {t.FullName}");
        }
        Assert.That(offenders, Is.Empty, "PoeSharp.Os must not depend on PoeSharp.Loop.");
    }

    /// <summary>A type and every type it is built from (element types, generic arguments).</summary>
    private static IEnumerable<Type> Unwrap(Type t)
    {
        yield return t;
        if (t.HasElementType)
            foreach (var e in Unwrap(t.GetElementType()!)) yield return e;
        if (t.IsGenericType)
            foreach (var a in t.GetGenericArguments().SelectMany(Unwrap)) yield return a;
    }

    /// <summary>The files under <paramref name="dir"/> whose code (not comments) names namespace <paramref name="ns"/>.</summary>
    private static List<string> SourcesNaming(string dir, string ns)
    {
        var pattern = new Regex(@"\b" + Regex.Escape(ns) + @"\b");
        return Repository.Files(dir, ".cs")
            .Where(f => File.ReadLines(f).Any(line => !line.TrimStart().StartsWith("//", StringComparison.Ordinal) && pattern.IsMatch(line)))
            .Select(f => Path.GetRelativePath(Repository.Root, f))
            .ToList();
    }

    [GeneratedRegex(@"<InternalsVisibleTo\s+Include=""([^""]+)""")]
    private static partial Regex ProjectFriend();

    [GeneratedRegex(@"\[assembly:\s*(?:System\.Runtime\.CompilerServices\.)?InternalsVisibleTo(?:Attribute)?\(\s*""([^"",]+)")]
    private static partial Regex SourceFriend();

    [GeneratedRegex(@"global\s+using\s+(?:static\s+)?PoeSharp\.(?:Loop|Os)\b")]
    private static partial Regex GlobalUsing();
}
