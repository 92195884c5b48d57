using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using PoeSharp.Logging;
using PoeSharp.Testing;

namespace PoeSharp.KernelTests;

/// <summary>The kernel's warnings and traces as timestamped lines or through an ILogger, and log files reopened on USR1.</summary>
public sealed partial class LoggingTests
{
    private sealed class ListLogger : ILogger
    {
        public readonly List<(LogLevel Level, string Message)> Entries = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \[(\d+)\] (\w{4}) ([\w.]+): (.*)$")]
    private static partial Regex Line();

    [Test]
    public void ATextLoggerLineHasTheTimeThePidTheLevelAndTheCategory()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 12, 7, 21, 40, 0, 123, TimeSpan.Zero));
        var writer = new StringWriter();
        var logger = new TextLogger("Hello.Server", writer, LogLevel.Information, time);
        logger.LogDebug("not written");
        logger.LogWarning("disk {Percent}% full", 91);

        string[] lines = writer.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1));
        Match m = Line().Match(lines[0]);
        Assert.That(m.Success, Is.True, lines[0]);
        Assert.That(lines[0], Does.StartWith("2026-12-07T21:40:00.123Z "));
        Assert.That(int.Parse(m.Groups[1].Value), Is.EqualTo(Environment.ProcessId));
        Assert.That(m.Groups[2].Value, Is.EqualTo("warn"));
        Assert.That(m.Groups[3].Value, Is.EqualTo("Hello.Server"));
        Assert.That(m.Groups[4].Value, Is.EqualTo("disk 91% full"));
    }

    [Test]
    public void AnExceptionFollowsItsLine()
    {
        var writer = new StringWriter();
        new TextLogger("x", writer).LogError(new InvalidOperationException("boom"), "handler failed");
        Assert.That(writer.ToString(), Does.Contain("fail x: handler failed" + Environment.NewLine + "System.InvalidOperationException: boom"));
    }

    [Test]
    public void KernelWarningsAreTimestampedLinesByDefault()
    {
        var warnings = new StringWriter();
        using var fake = new FakeKernel(new KernelOptions { WarningWriter = warnings });
        fake.Create(0, b => b.Options(defaultWarnings: true).On("_start", c => c.Kernel.Yield("lost")));
        fake.Run();
        string line = warnings.ToString().Split(Environment.NewLine)[0];
        Match m = Line().Match(line);
        Assert.That(m.Success, Is.True, line);
        Assert.That(m.Groups[2].Value + " " + m.Groups[3].Value, Is.EqualTo("warn PoeSharp.Kernel"));
        Assert.That(m.Groups[4].Value, Does.Contain("'lost'"));
    }

    [Test]
    public void AnILoggerReceivesWarningsAndTracesInsteadOfTheWriters()
    {
        var logger = new ListLogger();
        var writer = new StringWriter();
        using var fake = new FakeKernel(new KernelOptions { Logger = logger, Trace = true, TraceWriter = writer, WarningWriter = writer });
        fake.Create(0, b => b.Options(defaultWarnings: true).On("_start", c => c.Kernel.Yield("lost")));
        fake.Run();

        Assert.That(writer.ToString(), Is.Empty);
        Assert.That(logger.Entries, Has.Some.Matches<(LogLevel Level, string Message)>(e => e.Level == LogLevel.Warning && e.Message.Contains("'lost'")));
        Assert.That(logger.Entries, Has.Some.Matches<(LogLevel Level, string Message)>(e => e.Level == LogLevel.Trace && e.Message.Contains("1 -> _start")));
    }

    [Test]
    public void ALoggerFactoryWithTheTextProviderNamesEachCategory()
    {
        var writer = new StringWriter();
        using var provider = new TextLoggerProvider(writer, LogLevel.Debug);
        provider.CreateLogger("Hello.Access").LogInformation("GET / 200");
        provider.CreateLogger("Hello.Server").LogDebug("worker 7 started");
        Assert.That(writer.ToString(), Does.Contain("info Hello.Access: GET / 200").And.Contain("dbug Hello.Server: worker 7 started"));
    }

    [Test]
    public void UsrOneReopensARotatedLogFile()
    {
        string dir = Directory.CreateTempSubdirectory("poesharp-logs-").FullName;
        try
        {
            string path = Path.Combine(dir, "access.log");
            using var log = new ReopenableFileWriter(path);
            using var fake = new FakeKernel();
            // The timer stands for a server's listener: a signal watcher alone keeps no session alive.
            Session session = fake.Create(log, b => b
                .On("_start", c =>
                {
                    c.Kernel.Delay("hour", TimeSpan.FromHours(1));
                    c.Kernel.Sig("USR1", "reopen");
                })
                .On("reopen", c =>
                {
                    c.Heap.Reopen();
                    c.Kernel.SigHandled();
                })
                .On("line", c => { c.Heap.WriteLine(c.Arg<string>(0)); }));
            fake.RunUntilIdle();

            fake.Kernel.Post(session, "line", "before rotation");
            fake.RunUntilIdle();
            File.Move(path, path + ".1");                         // logrotate renames the file ...
            fake.Kernel.Post(session, "line", "still the old file");
            fake.RunUntilIdle();
            Assert.That(fake.Processes.RaiseSignal("USR1"), Is.True);   // ... and signals the server
            fake.RunUntilIdle();
            fake.Kernel.Post(session, "line", "after rotation");
            fake.RunUntilIdle();

            Assert.That(log.Reopens, Is.EqualTo(1));
            Assert.That(File.ReadAllLines(path + ".1"), Is.EqualTo(new[] { "before rotation", "still the old file" }));
            Assert.That(File.ReadAllLines(path), Is.EqualTo(new[] { "after rotation" }));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void AFileThatCannotBeOpenedIsNamedInTheError()
    {
        var e = Assert.Throws<IOException>(() => new ReopenableFileWriter("/proc/no-such-dir/access.log"));
        Assert.That(e!.Message, Does.Contain("/proc/no-such-dir/access.log").And.Contain("Cannot open the log file"));
    }
}
