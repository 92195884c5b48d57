using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace PoeSharp.Filters.Http;

/// <summary>
/// Writes responses for <see cref="HttpdFilter"/>: the head with the framing fields it adds, the body,
/// and the pieces of a streamed body. Its only state is whether a streamed body is open, and how it is framed.
/// </summary>
internal sealed class HttpResponseWriter
{
    private enum BodyMode { None, Chunked, Raw, Suppressed }

    private readonly TimeProvider _time;
    private BodyMode _streaming;

    public HttpResponseWriter(TimeProvider time) => _time = time;

    /// <summary>Forgets an open streamed body.</summary>
    public void Reset() => _streaming = BodyMode.None;

    /// <summary>See <see cref="HttpdFilter.Put(HttpResponse, IBufferWriter{byte})"/>.</summary>
    public void Write(HttpResponse response, IBufferWriter<byte> output)
    {
        if (_streaming != BodyMode.None)
            throw new InvalidOperationException("The previous streamed response is not finished: Put HttpBodyChunk.Final before the next response.");

        Version version = response.Version;
        bool http10 = HttpVersions.IsHttp10(version);
        if (http10 && response.IsInterim)
            throw new ArgumentException($"A {response.StatusCode} (interim) response cannot be sent to an HTTP/1.0 client (RFC 9110 §15.2); leave it out.", nameof(response));
        int status = response.StatusCode;
        bool bodyForbidden = status < 200 || status == 204 || status == 304;
        bool head = response.Request?.Method == "HEAD";
        bool close = response.CloseConnection || (response.Streamed && http10);

        WriteAscii(output, http10 ? "HTTP/1.0 " : "HTTP/1.1 ");
        Span<byte> code = output.GetSpan(4);
        Utf8Formatter.TryFormat(status, code, out int n);
        code[n] = (byte)' ';
        output.Advance(n + 1);
        WriteText(output, response.ReasonPhrase);
        WriteAscii(output, "\r\n");

        if (response.IsInterim)
        {
            // RFC 9110 §15.2: no content, no framing fields; the final response carries Date and Connection.
            foreach (HttpField field in response.Headers.AsSpan()) WriteField(output, field);
            WriteAscii(output, "\r\n");
            return;
        }

        bool hasDate = false, hasLength = false, hasConnection = false, hasTe = false;
        foreach (HttpField field in response.Headers.AsSpan())
        {
            string name = field.Name;
            if (name.Equals("Date", StringComparison.OrdinalIgnoreCase)) hasDate = true;
            else if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) hasLength = true;
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase)) hasConnection = true;
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) hasTe = true;
            WriteField(output, field);
        }
        if (!hasDate)
        {
            WriteAscii(output, "Date: ");
            output.Write(HttpDate.Now(_time));
            WriteAscii(output, "\r\n");
        }

        BodyMode mode = BodyMode.None;
        if (response.Streamed)
        {
            if (head || bodyForbidden) mode = BodyMode.Suppressed;
            else if (http10) mode = BodyMode.Raw;
            else
            {
                mode = BodyMode.Chunked;
                if (!hasTe) WriteAscii(output, "Transfer-Encoding: chunked\r\n");
            }
        }
        else if (!hasLength && !bodyForbidden)
        {
            WriteAscii(output, "Content-Length: ");
            Span<byte> digits = output.GetSpan(20);
            Utf8Formatter.TryFormat(response.Body.Length, digits, out int written);
            output.Advance(written);
            WriteAscii(output, "\r\n");
        }

        if (!hasConnection)
        {
            if (close) WriteAscii(output, "Connection: close\r\n");
            else if (http10) WriteAscii(output, "Connection: keep-alive\r\n");
        }
        WriteAscii(output, "\r\n");

        if (response.Streamed)
        {
            _streaming = mode;
            if (response.Body.Length > 0) Write(new HttpBodyChunk(response.Body), output);
        }
        else if (!head && !bodyForbidden)
        {
            output.Write(response.Body);
        }
    }

    /// <summary>See <see cref="HttpdFilter.Put(HttpBodyChunk, IBufferWriter{byte})"/>.</summary>
    public void Write(HttpBodyChunk chunk, IBufferWriter<byte> output)
    {
        switch (_streaming)
        {
            case BodyMode.None:
                throw new InvalidOperationException("No streamed response is open: Put an HttpResponse with Streamed = true before its body chunks.");
            case BodyMode.Chunked:
                HttpChunkWriter.WriteChunk(chunk.Data.Span, output);
                if (chunk.IsFinal) HttpChunkWriter.WriteFinalChunk(output);
                break;
            case BodyMode.Raw:
                output.Write(chunk.Data.Span);
                break;
        }
        if (chunk.IsFinal) _streaming = BodyMode.None;
    }

    private static void WriteField(IBufferWriter<byte> output, HttpField field)
    {
        WriteText(output, field.Name);
        WriteAscii(output, ": ");
        WriteText(output, field.Value);
        WriteAscii(output, "\r\n");
    }

    private static void WriteAscii(IBufferWriter<byte> output, string text)
    {
        Span<byte> span = output.GetSpan(text.Length);
        int n = Encoding.ASCII.GetBytes(text, span);
        output.Advance(n);
    }

    /// <summary>Latin-1 when every char fits (what the parser decodes), UTF-8 otherwise.</summary>
    private static void WriteText(IBufferWriter<byte> output, string text)
    {
        if (!text.AsSpan().ContainsAnyExceptInRange('\0', '\u00FF'))
        {
            Span<byte> span = output.GetSpan(text.Length);
            int n = Encoding.Latin1.GetBytes(text, span);
            output.Advance(n);
        }
        else
        {
            Span<byte> span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
            output.Advance(Encoding.UTF8.GetBytes(text, span));
        }
    }
}
