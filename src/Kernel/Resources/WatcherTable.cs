using System.Diagnostics.CodeAnalysis;
using PoeSharp.Loop;

namespace PoeSharp.Resources;

/// <summary>
/// Every watcher, found by descriptor and mode: an array indexed by descriptor (as the loop keeps
/// its own), each slot the descriptor's watchers in a chain of at most three (one per mode). A
/// dictionary entry cost about 40 bytes per watched connection with its table's room; a slot costs 8.
/// </summary>
internal sealed class WatcherTable
{
    private Watcher?[] _byFd = new Watcher?[64];

    /// <summary>Watchers in the table.</summary>
    public int Count { get; private set; }

    /// <summary>The watcher of <paramref name="fd"/> for <paramref name="mode"/>, if any.</summary>
    public bool TryGet(int fd, IoMode mode, [NotNullWhen(true)] out Watcher? watcher)
    {
        if ((uint)fd < (uint)_byFd.Length)
        {
            for (var w = _byFd[fd]; w is not null; w = w.Next)
            {
                if (w.Mode == mode)
                {
                    watcher = w;
                    return true;
                }
            }
        }
        watcher = null;
        return false;
    }

    /// <summary>Adds <paramref name="watcher"/>; its descriptor and mode must not be in the table.</summary>
    public void Add(Watcher watcher)
    {
        int fd = watcher.Fd;
        if (fd >= _byFd.Length)
        {
            int size = _byFd.Length;
            while (size <= fd) size *= 2;
            Array.Resize(ref _byFd, size);
        }
        watcher.Next = _byFd[fd];
        _byFd[fd] = watcher;
        Count++;
    }

    /// <summary>Removes <paramref name="watcher"/> (one that is in the table).</summary>
    public void Remove(Watcher watcher)
    {
        ref Watcher? link = ref _byFd[watcher.Fd];
        while (link is not null && !ReferenceEquals(link, watcher)) link = ref link.Next;
        if (link is null) return;
        link = watcher.Next;
        watcher.Next = null;
        Count--;
    }

    /// <summary>Every watcher, by descriptor then mode.</summary>
    public List<Watcher> ToList()
    {
        var list = new List<Watcher>(Count);
        for (int fd = 0; fd < _byFd.Length && list.Count < Count; fd++)
        {
            int first = list.Count;
            for (var w = _byFd[fd]; w is not null; w = w.Next) list.Add(w);
            if (list.Count - first > 1) list.Sort(first, list.Count - first, Comparer<Watcher>.Create((a, b) => a.Mode.CompareTo(b.Mode)));
        }
        return list;
    }
}
