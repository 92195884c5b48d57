using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace PoeSharp.Components.Workers;

/// <summary>
/// The status file a <see cref="PreforkPool"/> parent keeps (<see cref="PreforkPoolOptions.StatusFile"/>):
/// plain text, one record per line, fields <c>key=value</c> separated by single spaces, times in
/// seconds with one decimal. It is written to <c>PATH.tmp</c> and renamed over PATH, so a reader
/// always sees a whole file.
/// <code>
/// # poesharp-pool-status 1
/// master pid=4100 uptime=12.5 listen=0.0.0.0:8888 state=running target=2 started=3 timed_out=0
/// worker pid=4101 slot=0 age=12.5 requests=120 heartbeat=0.3 state=serving
/// worker pid=4107 slot=1 age=2.0 requests=7 heartbeat=0.1 state=serving
/// </code>
/// <c>master</c>: the parent's pid, seconds since it started, where it listens (<c>-</c> if
/// unknown), <c>state</c> (<c>running</c>; <c>no-workers</c> after WINCH; <c>stopping:REASON</c>),
/// the workers it keeps running, workers forked so far, workers killed by the timeout.
/// <c>worker</c>, one per live worker in slot order: pid, slot, seconds since its fork, requests it
/// reported (a lower bound), seconds since its last heartbeat (<c>-</c> for both without heartbeats),
/// and <c>state</c>: <c>serving</c>, <c>replacing</c> (HUP), <c>leaving</c> (TTOU, WINCH or a
/// stop), <c>killed</c> (timed out, not yet reaped).
/// </summary>
public static class PoolStatusFile
{
    /// <summary>The first line, with the format's version.</summary>
    public const string Header = "# poesharp-pool-status 1";

    /// <summary>The parent's line.</summary>
    internal readonly record struct Master(int Pid, TimeSpan Uptime, string? Listen, string State, int Target, int Started, int TimedOut);

    /// <summary>A worker's line.</summary>
    internal readonly record struct Worker(int Pid, int Slot, TimeSpan Age, int? Requests, TimeSpan? SinceBeat, string State);

    /// <summary>The file's text.</summary>
    internal static string Format(Master master, IEnumerable<Worker> workers)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.Append(Header).Append('\n');
        text.Append(inv, $"master pid={master.Pid} uptime={Seconds(master.Uptime)} listen={master.Listen ?? "-"} state={master.State} target={master.Target} started={master.Started} timed_out={master.TimedOut}\n");
        foreach (Worker w in workers)
        {
            string requests = w.Requests is int r ? r.ToString(inv) : "-";
            string beat = w.SinceBeat is TimeSpan b ? Seconds(b) : "-";
            text.Append(inv, $"worker pid={w.Pid} slot={w.Slot} age={Seconds(w.Age)} requests={requests} heartbeat={beat} state={w.State}\n");
        }
        return text.ToString();
    }

    /// <summary>Writes the file by rename; a failure is logged, never thrown (the pool keeps serving).</summary>
    internal static void Write(string path, Master master, IEnumerable<Worker> workers, ILogger? logger)
    {
        string temp = path + ".tmp";
        try
        {
            File.WriteAllText(temp, Format(master, workers));
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger?.LogWarning("Cannot write the status file {Path}: {Error}", path, e.Message);
        }
    }

    /// <summary>Removes the file (the parent is ending).</summary>
    internal static void Delete(string path, ILogger? logger)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger?.LogWarning("Cannot remove the status file {Path}: {Error}", path, e.Message);
        }
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
}
