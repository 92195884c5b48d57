using System.Globalization;
using Microsoft.Extensions.Logging;
using PoeSharp.Os;

namespace PoeSharp.Logging;

/// <summary>
/// A synchronous <see cref="ILogger"/> that writes one line per entry to a <see cref="TextWriter"/>:
/// <c>2026-12-07T21:40:00.123Z [4242] warn PoeSharp.Kernel: text</c>. It starts no thread and
/// buffers nothing, so it is safe in a forked child, where the console logger of
/// Microsoft.Extensions.Logging is not (it writes from a background thread the child does not have).
/// </summary>
public sealed class TextLogger : ILogger
{
    private readonly Func<TextWriter> _writer;
    private readonly TimeProvider _time;

    /// <summary>A logger for <paramref name="category"/> that writes entries of <paramref name="minimumLevel"/> and above.</summary>
    /// <param name="category">The category shown on each line ("PoeSharp.Kernel", a server's name).</param>
    /// <param name="writer">Where lines go; standard error (looked up at each write) when null.</param>
    /// <param name="minimumLevel">The lowest level written.</param>
    /// <param name="time">The clock of the timestamps; the system clock when null.</param>
    public TextLogger(string category, TextWriter? writer = null, LogLevel minimumLevel = LogLevel.Information, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(category);
        Category = category;
        MinimumLevel = minimumLevel;
        _writer = writer is null ? static () => Console.Error : () => writer;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The category shown on each line.</summary>
    public string Category { get; }

    /// <summary>The lowest level written.</summary>
    public LogLevel MinimumLevel { get; }

    /// <inheritdoc />
    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && logLevel >= MinimumLevel;

    /// <inheritdoc />
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    /// <inheritdoc />
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel)) return;
        string message = formatter(state, exception);
        // The pid is read each time: the runtime's cached Environment.ProcessId is the parent's in a forked child.
        string line = string.Create(CultureInfo.InvariantCulture,
            $"{_time.GetUtcNow().UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'} [{ProcessInterop.GetPid()}] {LevelName(logLevel)} {Category}: {message}");
        if (exception is not null) line += Environment.NewLine + exception;
        TextWriter writer = _writer();
        lock (writer) writer.WriteLine(line);
    }

    /// <summary>The short level names of the line format.</summary>
    public static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
