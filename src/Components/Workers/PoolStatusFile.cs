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
/// master pid=4100 uptime=12.5 listen=0.0.0.0:8888 state=running target=2 started=3 timed_out=0 respawns=1 accepted=57
/// worker pid=4101 slot=0 age=12.5 requests=120 heartbeat=0.3 state=serving accepted=50 method=GET target=/report for=2.4
/// worker pid=4107 slot=1 age=2.0 requests=7 heartbeat=0.1 state=serving accepted=7 method=- target=- for=-
/// exit pid=4102 slot=1 reason=max-requests ago=2.0
/// </code>
/// <c>master</c>: the parent's pid, seconds since it started, where it listens (<c>-</c> if
/// unknown), <c>state</c> (<c>running</c>; <c>no-workers</c> after WINCH; <c>stopping:REASON</c>),
/// the workers it keeps running, workers forked so far, workers killed by the timeout, workers
/// forked to replace one that exited, connections accepted by all workers so far.
/// <c>worker</c>, one per live worker in slot order: pid, slot, seconds since its fork, requests it
/// reported (a lower bound), seconds since its last heartbeat (<c>-</c> for both without heartbeats),
/// <c>state</c>: <c>serving</c>, <c>replacing</c> (HUP), <c>leaving</c> (TTOU, WINCH or a
/// stop), <c>killed</c> (timed out, not yet reaped); connections it accepted, and the request it
/// began last while any is in progress (method, target, seconds since it began; <c>-</c> when idle).
/// <c>exit</c>, one per worker that exited, newest first, at most ten: pid, slot, <c>reason</c>
/// (<c>max-requests</c>, <c>timeout</c>, <c>hup</c>, <c>removed</c> by TTOU or WINCH, <c>stop</c>,
/// else how it ended: <c>exit:N</c>, <c>signal:NAME</c>), seconds ago. Fields are only ever added
/// at the end of a line, so a reader of key=value pairs keeps working.
/// </summary>
public static class PoolStatusFile
{
    /// <summary>The first line, with the format's version.</summary>
    public const string Header = "# poesharp-pool-status 1";

    /// <summary>The parent's line.</summary>
    internal readonly record struct Master(int Pid, TimeSpan Uptime, string? Listen, string State, int Target, int Started, int TimedOut,
                                           int Respawns = 0, long? Accepted = null);

    /// <summary>A worker's line; <paramref name="Current"/> is "METHOD target".</summary>
    internal readonly record struct Worker(int Pid, int Slot, TimeSpan Age, int? Requests, TimeSpan? SinceBeat, string State,
                                           int? Connections = null, string? Current = null, TimeSpan Busy = default);

    /// <summary>An exited worker's line.</summary>
    internal readonly record struct Exit(int Pid, int Slot, string Reason, TimeSpan Ago);

    /// <summary>The file's text.</summary>
    internal static string Format(Master master, IEnumerable<Worker> workers, IEnumerable<Exit>? exits = null)
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.Append(Header).Append('\n');
        text.Append(inv, $"master pid={master.Pid} uptime={Seconds(master.Uptime)} listen={master.Listen ?? "-"} state={master.State} target={master.Target} started={master.Started} timed_out={master.TimedOut} respawns={master.Respawns} accepted={Count(master.Accepted)}\n");
        foreach (Worker w in workers)
        {
            string requests = w.Requests is int r ? r.ToString(inv) : "-";
            string beat = w.SinceBeat is TimeSpan b ? Seconds(b) : "-";
            string method = "-", target = "-", busy = "-";
            if (w.Current is { } current)
            {
                int space = current.IndexOf(' ', StringComparison.Ordinal);
                (method, target) = space < 0 ? (current, "-") : (current[..space], current[(space + 1)..]);
                if (method.Length == 0) method = "-";
                if (target.Length == 0) target = "-";
                busy = Seconds(w.Busy);
            }
            text.Append(inv, $"worker pid={w.Pid} slot={w.Slot} age={Seconds(w.Age)} requests={requests} heartbeat={beat} state={w.State} accepted={Count(w.Connections)} method={method} target={target} for={busy}\n");
        }
        foreach (Exit e in exits ?? [])
            text.Append(inv, $"exit pid={e.Pid} slot={e.Slot} reason={e.Reason} ago={Seconds(e.Ago)}\n");
        return text.ToString();
    }

    /// <summary>Writes the file by rename; a failure is logged, never thrown (the pool keeps serving).</summary>
    internal static void Write(string path, Master master, IEnumerable<Worker> workers, IEnumerable<Exit> exits, ILogger? logger)
    {
        string temp = path + ".tmp";
        try
        {
            File.WriteAllText(temp, Format(master, workers, exits));
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

    private static string Count(long? n) => n is long v ? v.ToString(CultureInfo.InvariantCulture) : "-";

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
}
