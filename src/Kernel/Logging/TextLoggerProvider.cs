using Microsoft.Extensions.Logging;

namespace PoeSharp.Logging;

/// <summary>
/// An <see cref="ILoggerProvider"/> of <see cref="TextLogger"/>s, to plug the fork-safe text format
/// into a <c>LoggerFactory</c> in place of the console provider, whose background thread does not
/// survive a fork.
/// </summary>
/// <param name="writer">Where lines go; standard error when null.</param>
/// <param name="minimumLevel">The lowest level written.</param>
/// <param name="time">The clock of the timestamps; the system clock when null.</param>
public sealed class TextLoggerProvider(TextWriter? writer = null, LogLevel minimumLevel = LogLevel.Information, TimeProvider? time = null)
    : ILoggerProvider
{
    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new TextLogger(categoryName, writer, minimumLevel, time);

    /// <inheritdoc />
    public void Dispose()
    {
        // The writer belongs to the caller.
    }
}
