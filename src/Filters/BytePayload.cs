using System.Buffers;
using System.Text;

namespace PoeSharp.Filters;

/// <summary>The byte-like records that Stream and Block accept in Put: byte[], ReadOnlyMemory&lt;byte&gt;, Memory&lt;byte&gt; and string (UTF-8).</summary>
internal static class BytePayload
{
    public const string Accepted = "byte[], ReadOnlyMemory<byte>, Memory<byte> or string (written as UTF-8)";

    /// <summary>The payload's length in bytes, or -1 when the record is not a byte-like type.</summary>
    public static int LengthOf(object? record) => record switch
    {
        byte[] bytes => bytes.Length,
        ReadOnlyMemory<byte> memory => memory.Length,
        Memory<byte> memory => memory.Length,
        string text => Encoding.UTF8.GetByteCount(text),
        _ => -1,
    };

    /// <summary>Copies the payload (whose length <see cref="LengthOf"/> gave) into <paramref name="destination"/>.</summary>
    public static void CopyTo(object record, Span<byte> destination)
    {
        switch (record)
        {
            case byte[] bytes: bytes.CopyTo(destination); break;
            case ReadOnlyMemory<byte> memory: memory.Span.CopyTo(destination); break;
            case Memory<byte> memory: memory.Span.CopyTo(destination); break;
            case string text: Encoding.UTF8.GetBytes(text, destination); break;
        }
    }

    /// <summary>Writes a byte payload as is.</summary>
    public static void Write(ReadOnlySpan<byte> payload, IBufferWriter<byte> output)
    {
        if (payload.IsEmpty) return;
        payload.CopyTo(output.GetSpan(payload.Length));
        output.Advance(payload.Length);
    }
}
