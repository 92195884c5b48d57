using System.Reflection;

#pragma warning disable CS0649 // the structs exist only as distinct generic arguments

namespace PoeSharp.ForkStress;

/// <summary>Forces the JIT to compile code the parent never ran: generic methods over new pairs of value types.</summary>
internal static class JitFodder
{
    private static readonly Type[] Structs =
    [
        typeof(S0), typeof(S1), typeof(S2), typeof(S3), typeof(S4), typeof(S5), typeof(S6), typeof(S7),
        typeof(S8), typeof(S9), typeof(S10), typeof(S11), typeof(S12), typeof(S13), typeof(S14), typeof(S15),
    ];

    private static readonly MethodInfo WorkMethod = typeof(JitFodder).GetMethod(nameof(Work), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>Compiles and runs Work&lt;(Si, Sj)&gt; for a random pair; returns its result.</summary>
    public static int Instantiate(Random rnd, out bool fresh, HashSet<int> seen)
    {
        int i = rnd.Next(Structs.Length), j = rnd.Next(Structs.Length), k = rnd.Next(3);
        var tuple = k switch
        {
            0 => typeof(ValueTuple<,>).MakeGenericType(Structs[i], Structs[j]),
            1 => typeof(KeyValuePair<,>).MakeGenericType(Structs[i], Structs[j]),
            _ => typeof(ValueTuple<,,>).MakeGenericType(Structs[i], typeof(int), Structs[j]),
        };
        fresh = seen.Add((k * 1000) + (i * 32) + j);
        return (int)WorkMethod.MakeGenericMethod(tuple).Invoke(null, [rnd.Next(1, 50)])!;
    }

    private static int Work<T>(int n) where T : struct
    {
        var list = new List<T>(n);
        for (int i = 0; i < n; i++) list.Add(default);
        var dict = new Dictionary<T, int>();
        foreach (var item in list) dict[item] = dict.TryGetValue(item, out int c) ? c + 1 : 1;
        return dict.Count + list.Count;
    }

    private struct S0 { public int A; }
    private struct S1 { public long A; }
    private struct S2 { public int A, B; }
    private struct S3 { public double A; }
    private struct S4 { public byte A; }
    private struct S5 { public short A, B, C; }
    private struct S6 { public Guid A; }
    private struct S7 { public decimal A; }
    private struct S8 { public int A; public string? B; }
    private struct S9 { public long A, B, C; }
    private struct S10 { public float A; }
    private struct S11 { public char A, B; }
    private struct S12 { public object? A; }
    private struct S13 { public DateTime A; }
    private struct S14 { public TimeSpan A, B; }
    private struct S15 { public ulong A; public byte B; }
}
