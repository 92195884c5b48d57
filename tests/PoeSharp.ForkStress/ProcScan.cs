using System.Globalization;

namespace PoeSharp.ForkStress;

/// <summary>/proc readers: children left behind, descriptor counts, memory figures.</summary>
internal static class ProcScan
{
    /// <summary>Pids whose parent is <paramref name="ppid"/>.</summary>
    public static List<int> ChildrenOf(int ppid)
    {
        var result = new List<int>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            try
            {
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == ppid) result.Add(pid);
            }
            catch (IOException)
            {
            }
        }
        return result;
    }

    /// <summary>Open sockets and anonymous-inode descriptors (epoll, eventfd, signalfd, pidfd): what a leak would be.</summary>
    public static int OpenFds() => Directory.GetFiles("/proc/self/fd")
        .Count(f => new FileInfo(f).LinkTarget is { } t && (t.StartsWith("socket:", StringComparison.Ordinal) || t.StartsWith("anon_inode:", StringComparison.Ordinal)));

    /// <summary>A field of /proc/PID/smaps_rollup in kB ("Pss", "Rss", "Private_Dirty"), or -1.</summary>
    public static long RollupKb(int pid, string field)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
            {
                if (!line.StartsWith(field + ":", StringComparison.Ordinal)) continue;
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[1], CultureInfo.InvariantCulture);
            }
        }
        catch (IOException)
        {
        }
        return -1;
    }

    public static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.OrderBy(v => v).ToList();
        int i = (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1;
        return sorted[Math.Clamp(i, 0, sorted.Count - 1)];
    }
}
