using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace PoeSharp.Filters;

/// <summary>Throw sites kept out of the hot paths so those stay small and inlinable.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void WrongRecordType(string filter, string accepted, object? record, string paramName = "record")
        => throw new ArgumentException(
            $"{filter} filter: Put accepts {accepted} records, not {(record is null ? "null" : record.GetType().FullName)}.", paramName);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    public static void Argument(string message, string paramName) => throw new ArgumentException(message, paramName);
}
