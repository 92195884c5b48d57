using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using PoeSharp.Os;

namespace PoeSharp.Components.Workers;

/// <summary>
/// Compiles, in a parent that has not logged yet, the logging path a worker runs first: the
/// <c>LoggerExtensions.Log</c> formatting code (through a logger that formats and keeps nothing)
/// and the program's own logger's <c>Log&lt;TState&gt;</c> for the state type those calls pass,
/// which PrepareForChildren cannot reach (a generic method). Nothing is written.
/// </summary>
internal static class LogPathWarmUp
{
    /// <summary>Runs the formatting once and prepares <paramref name="logger"/>'s Log for its state type.</summary>
    public static void Prepare(ILogger logger)
    {
        var probe = new FormattingLogger();
#pragma warning disable CA2254, CA1848 // the same call shape as the pool's own log calls
        probe.Log(LogLevel.Information, "Worker {Pid} warm-up {Count} {Text}", 1, 2L, "x");
#pragma warning restore CA2254, CA1848
        // The timestamp most line loggers print (TextLogger's format).
        _ = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}");
        if (probe.StateType is not { } state) return;
        ForkSafety.PrepareForChildren(logger.GetType());
        // Its closures (the writer it looks up at each line, say).
        foreach (Type nested in logger.GetType().GetNestedTypes(BindingFlags.NonPublic)) ForkSafety.PrepareForChildren(nested);
        var map = logger.GetType().GetInterfaceMap(typeof(ILogger));
        for (int i = 0; i < map.InterfaceMethods.Length; i++)
        {
            if (map.InterfaceMethods[i].Name != nameof(ILogger.Log) || !map.TargetMethods[i].IsGenericMethodDefinition) continue;
            try
            {
                MethodInfo log = map.TargetMethods[i].MakeGenericMethod(state);
                _ = log.MethodHandle.GetFunctionPointer();
                RuntimeHelpers.PrepareMethod(log.MethodHandle);
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or InvalidOperationException)
            {
                // Compiled on first use instead.
            }
        }
    }

    /// <summary>Formats every message it is given, as a real logger does, and drops it.</summary>
    private sealed class FormattingLogger : ILogger
    {
        public Type? StateType { get; private set; }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            StateType = typeof(TState);
            _ = formatter(state, exception);
        }
    }
}
