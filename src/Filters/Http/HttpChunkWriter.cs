using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace PoeSharp.Filters.Http;

/// <summary>Writes the chunked transfer coding (RFC 9112 §7.1) for streamed bodies.</summary>
public static class HttpChunkWriter
{
    /// <summary>Writes <c>SIZE-IN-HEX CRLF data CRLF</c>; nothing for empty data (an empty chunk would end the body).</summary>
    public static void WriteChunk(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (data.IsEmpty) return;
        Span<byte> head = output.GetSpan(18);
        Utf8Formatter.TryFormat((uint)data.Length, head, out int n, new StandardFormat('x'));
        head[n++] = (byte)'\r';
        head[n++] = (byte)'\n';
        output.Advance(n);
        output.Write(data);
        output.Write("\r\n"u8);
    }

    /// <summary>Writes the last chunk <c>0 CRLF</c>, the trailer fields if any, and the final CRLF.</summary>
    public static void WriteFinalChunk(IBufferWriter<byte> output, HttpHeaderCollection? trailers = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write("0\r\n"u8);
        if (trailers is not null)
        {
            foreach (HttpField field in trailers)
            {
                output.Write(Encoding.Latin1.GetBytes($"{field.Name}: {field.Value}\r\n"));
            }
        }
        output.Write("\r\n"u8);
    }
}
