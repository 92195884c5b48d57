using System.Text;

namespace PoeSharp.Logging;

/// <summary>
/// A text writer that appends to a file and can reopen it by name, for log rotation: rename the
/// file, send the server USR1, and the handler calls <see cref="Reopen"/> so that new lines go to
/// a fresh file under the old name (nginx's and unicorn's USR1). Each line is flushed as it is
/// written, so nothing is held in memory at a fork or a crash, and no thread is involved.
/// </summary>
public sealed class ReopenableFileWriter : TextWriter
{
    private StreamWriter _file;

    /// <summary>Opens (creating if needed) <paramref name="path"/> for appending.</summary>
    /// <exception cref="IOException">The file cannot be opened; the message names it.</exception>
    public ReopenableFileWriter(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        _file = Open(Path);
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <summary>How many times <see cref="Reopen"/> has opened the file again.</summary>
    public int Reopens { get; private set; }

    /// <inheritdoc />
    public override Encoding Encoding => _file.Encoding;

    /// <summary>
    /// Closes the file and opens <see cref="Path"/> again (a new file if the old one was renamed).
    /// When it cannot be opened, the writer keeps the old file and the exception says why.
    /// </summary>
    /// <exception cref="IOException">The path cannot be opened now.</exception>
    public void Reopen()
    {
        StreamWriter next = Open(Path);
        StreamWriter old = _file;
        _file = next;
        old.Dispose();
        Reopens++;
    }

    /// <inheritdoc />
    public override void Write(char value) => _file.Write(value);

    /// <inheritdoc />
    public override void Write(string? value) => _file.Write(value);

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<char> buffer) => _file.Write(buffer);

    /// <inheritdoc />
    public override void WriteLine(string? value)
    {
        _file.Write(value);
        _file.Write(CoreNewLine);
        _file.Flush();
    }

    /// <inheritdoc />
    public override void Flush() => _file.Flush();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing) _file.Dispose();
        base.Dispose(disposing);
    }

    private static StreamWriter Open(string path)
    {
        try
        {
            return new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete), new UTF8Encoding(false));
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new IOException($"Cannot open the log file '{path}' for appending: {e.Message}", e);
        }
    }
}
