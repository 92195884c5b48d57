using System.Reflection;
using System.Runtime.CompilerServices;

namespace PoeSharp.ForkStress;

/// <summary>Compiles every non-generic method of some types, so a child does not have to.</summary>
internal static class PreJit
{
    public static void Types(params Type[] types)
    {
        const BindingFlags all = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        foreach (var type in types.SelectMany(t => t.GetNestedTypes(BindingFlags.NonPublic).Append(t)))
        {
            foreach (var m in type.GetMethods(all))
                if (!m.IsAbstract && !m.ContainsGenericParameters) RuntimeHelpers.PrepareMethod(m.MethodHandle);
            foreach (var c in type.GetConstructors(all)) RuntimeHelpers.PrepareMethod(c.MethodHandle);
        }
    }
}
