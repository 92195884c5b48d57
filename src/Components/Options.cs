using System.Net.Sockets;
using PoeSharp.Filters;

namespace PoeSharp.Components;

/// <summary>The checks the components' option records share; each names the option and what to do.</summary>
internal static class Options
{
    /// <summary>An <see cref="ArgumentException"/> whose message names the option, its value and the fix.</summary>
    public static ArgumentException Invalid(string option, object? value, string rule) =>
        new($"{option} {rule}; got {(value is null ? "null" : value.ToString())}.", "options");

    /// <summary>An <see cref="ArgumentException"/> without a value to show.</summary>
    public static ArgumentException Invalid(string option, string rule) => new($"{option} {rule}.", "options");

    public static void CheckPort(string option, int port)
    {
        if ((uint)port > 65535) throw Invalid(option, port, "must be 0..65535 (0 = any free port, read it back once listening)");
    }

    public static void CheckDomain(string option, AddressFamily? domain)
    {
        if (domain is null or AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 or AddressFamily.Unix) return;
        throw Invalid(option, domain, "must be InterNetwork, InterNetworkV6, Unix or null (inferred from the address)");
    }

    public static void CheckFilters(string prefix, IFilter? both, IFilter? input, IFilter? output)
    {
        if (both is not null && (input is not null || output is not null))
            throw Invalid($"{prefix}Filter", $"cannot be combined with {prefix}InputFilter or {prefix}OutputFilter; set either the one filter or the pair");
    }

    /// <summary>Fresh filters for one connection: the configured prototypes cloned (POE's clone), LineFilter by default.</summary>
    public static (IFilter Input, IFilter Output) NewFilters(IFilter? both, IFilter? input, IFilter? output)
    {
        if (both is not null)
        {
            var f = both.Clone();
            return (f, f);
        }
        if (input is null && output is null)
        {
            var line = new LineFilter();
            return (line, line);
        }
        return (input?.Clone() ?? new LineFilter(), output?.Clone() ?? new LineFilter());
    }

    /// <summary>Reads argument <paramref name="index"/> of <paramref name="args"/> as <typeparamref name="T"/>, with a message naming <paramref name="option"/> when it is missing or of another type.</summary>
    public static T Arg<T>(IReadOnlyList<object?> args, int index, string option)
    {
        if ((uint)index >= (uint)args.Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"{option} has {args.Count} argument(s); there is no index {index}.");
        return args[index] switch
        {
            T value => value,
            null when default(T) is null => default!,
            var other => throw new InvalidCastException(
                $"{option}[{index}] is {(other is null ? "null" : other.GetType().Name)}, not {typeof(T).Name}."),
        };
    }
}
