using System.Reflection;
using System.Runtime.CompilerServices;

namespace PoeSharp.Os;

public static partial class ForkSafety
{
    private const BindingFlags DeclaredMethods = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public |
                                                 BindingFlags.NonPublic | BindingFlags.DeclaredOnly;

    /// <summary>
    /// JIT-compiles now, in the parent, every non-generic method that <paramref name="types"/>
    /// declare (constructors and accessors included; nested types are types of their own).
    /// Tiered compilation is off in a fork-safe process, so a method is compiled on its first call,
    /// and one first called in a child is compiled again in every child, for 1-2 ms of CPU each
    /// (docs/FORK-SAFETY.md, "Cost of a child"). Call it once, before the first fork, for the code
    /// children run that the parent may not have run yet: handlers, wheels, filters.
    /// </summary>
    /// <remarks>
    /// Virtual and interface methods are given an entry point first (<c>RuntimeHelpers.PrepareMethod</c>
    /// alone compiles nothing for one never called). Not reached: generic methods and open generic
    /// types (their instantiations are compiled where first used: call them once instead), and
    /// methods the runtime refuses to compile ahead, which are skipped. Static constructors are not run.
    /// </remarks>
    public static void PrepareForChildren(params Type[] types)
    {
        ArgumentNullException.ThrowIfNull(types);
        foreach (var type in types) PrepareType(type);
    }

    /// <summary>
    /// <see cref="PrepareForChildren(Type[])"/> for every type of <paramref name="assembly"/>
    /// (compiler-generated ones too, such as the closures of lambda handlers), or only for those in
    /// namespace <paramref name="namespacePrefix"/> and the namespaces below it. Typical use:
    /// <c>ForkSafety.PrepareForChildren(typeof(Program).Assembly)</c> for the program's own handlers,
    /// and the wheels and filters assemblies for the library code its children run.
    /// </summary>
    public static void PrepareForChildren(Assembly assembly, string? namespacePrefix = null)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            types = e.Types.Where(t => t is not null).ToArray()!;
        }
        foreach (var type in types)
        {
            if (namespacePrefix is not null
                && type.Namespace != namespacePrefix
                && !(type.Namespace ?? "").StartsWith(namespacePrefix + ".", StringComparison.Ordinal))
                continue;
            PrepareType(type);
        }
    }

    private static void PrepareType(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type.ContainsGenericParameters || type.IsInterface) return;
        foreach (var m in type.GetMethods(DeclaredMethods)) Prepare(m);
        foreach (var c in type.GetConstructors(DeclaredMethods))
            if (!c.IsStatic) Prepare(c);
    }

    private static void Prepare(MethodBase m)
    {
        if (m.IsAbstract || m.ContainsGenericParameters) return;
        try
        {
            // Without a stable entry point, PrepareMethod skips a virtual method never called.
            if (m.IsVirtual) _ = m.MethodHandle.GetFunctionPointer();
            RuntimeHelpers.PrepareMethod(m.MethodHandle);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or InvalidOperationException
                                      or TypeLoadException or BadImageFormatException or MissingMethodException)
        {
            // Not compilable ahead (e.g. a method the runtime implements itself): compiled on first call.
        }
    }
}
