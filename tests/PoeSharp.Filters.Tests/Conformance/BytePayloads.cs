using System.Text;

namespace PoeSharp.Filters.Tests.Conformance;

/// <summary>Helpers for filters whose records are bytes.</summary>
internal static class BytePayloads
{
    /// <summary>The bytes a byte-like Put record stands for.</summary>
    public static byte[] ToBytes(object record) => record switch
    {
        byte[] b => b,
        ReadOnlyMemory<byte> m => m.ToArray(),
        Memory<byte> m => m.ToArray(),
        string s => Encoding.UTF8.GetBytes(s),
        _ => throw new ArgumentException($"not a byte payload: {record.GetType()}", nameof(record)),
    };

    /// <summary>All byte[] records joined into one array (for filters without framing).</summary>
    public static IReadOnlyList<object?> Concatenate(IReadOnlyList<object?> records)
    {
        var all = new List<byte>();
        foreach (object? r in records) all.AddRange((byte[])r!);
        return [all.ToArray()];
    }
}
