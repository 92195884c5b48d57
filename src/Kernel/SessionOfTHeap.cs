namespace PoeSharp;

/// <summary>A session whose heap is a <typeparamref name="THeap"/>; its handler table is keyed by event name.</summary>
/// <remarks>
/// Sessions created from the same handlers (a server's per-connection sessions) share one table:
/// it is most of what a session holds (about 900 bytes for ten handlers). A shared table is never
/// changed; <see cref="SetHandler"/> on a session gives it its own copy first.
/// </remarks>
internal sealed class Session<THeap> : Session
{
    // The table the last session of this heap type was created with, and what it was built from.
    // Tables and lists published here are never changed, so any kernel on any thread may share them.
    private static volatile SharedTable? s_lastTable;

    private Dictionary<string, Entry> _handlers;
    private bool _sharedHandlers;   // _handlers may be another session's too: copy before changing it
    private string? _lastName;      // one-entry cache: a session usually receives the same event in a row
    private Entry? _lastEntry;
    internal THeap TypedHeap;

    internal Session(Kernel kernel, int id, THeap heap) : base(kernel, id)
    {
        TypedHeap = heap;
        _handlers = new(StringComparer.Ordinal);
    }

    /// <summary>
    /// A session with the handlers a builder declared, in order (a later one for the same event
    /// wins): the table of the previous session created from the same events and delegates is
    /// shared instead of built again.
    /// </summary>
    internal Session(Kernel kernel, int id, THeap heap, List<(string Event, Delegate Handler)> handlers) : base(kernel, id)
    {
        TypedHeap = heap;
        // Matches runs for the very first session too, so that a pre-forking parent has compiled it.
        if (SharedTable.Matches(s_lastTable, handlers) is { } last)
        {
            _handlers = last.Handlers;
        }
        else
        {
            _handlers = new(handlers.Count, StringComparer.Ordinal);
            foreach (var (ev, handler) in handlers) _handlers[ev] = NewEntry(ev, handler);
            s_lastTable = new SharedTable(handlers.ToArray(), _handlers);
        }
        _sharedHandlers = true;
    }

    public override object? Heap => TypedHeap;

    public override bool HasHandler(string ev) => _handlers.ContainsKey(ev);

    internal override void SetHandler(string ev, Delegate? handler)
    {
        _lastName = null;
        _lastEntry = null;
        if (_sharedHandlers)
        {
            _handlers = new(_handlers, StringComparer.Ordinal);
            _sharedHandlers = false;
        }
        if (handler is null)
        {
            _handlers.Remove(ev);
            return;
        }
        _handlers[ev] = NewEntry(ev, handler);
    }

    private static Entry NewEntry(string ev, Delegate handler) =>
        handler switch
        {
            Action<EventContext<THeap>> a => new Entry { Action = a },
            Func<EventContext<THeap>, object?> f => new Entry { Func = f },
            Action<EventContext<object?>> ua => new Entry { UAction = ua },
            Func<EventContext<object?>, object?> uf => new Entry { UFunc = uf },
            _ => throw new ArgumentException(
                $"A handler for '{ev}' must be an Action or Func of EventContext<{typeof(THeap).Name}> (or EventContext<object?>), not {handler.GetType().Name}.",
                nameof(handler)),
        };

    internal override object? Invoke(Session sender, string ev, object?[] args, string? callerState, string? callerFile, int callerLine, out bool handled)
    {
        Entry? entry;
        if (ReferenceEquals(ev, _lastName))
        {
            entry = _lastEntry;
        }
        else if (_handlers.TryGetValue(ev, out entry))
        {
            _lastName = ev;
            _lastEntry = entry;
        }
        if (entry is null)
        {
            if (!_handlers.TryGetValue(KnownEvents.Default, out entry))
            {
                handled = false;
                return null;
            }
            args = [ev, args];
            ev = KnownEvents.Default;
        }
        handled = true;
        if (entry.Action is { } action)
        {
            action(new EventContext<THeap>(Kernel, this, TypedHeap, sender, ev, args, callerState, callerFile, callerLine));
            return null;
        }
        if (entry.Func is { } func)
            return func(new EventContext<THeap>(Kernel, this, TypedHeap, sender, ev, args, callerState, callerFile, callerLine));
        var ctx = new EventContext<object?>(Kernel, this, TypedHeap, sender, ev, args, callerState, callerFile, callerLine);
        if (entry.UAction is { } ua)
        {
            ua(ctx);
            return null;
        }
        return entry.UFunc!(ctx);
    }

    /// <summary>A handler table and the (event, delegate) list it was built from.</summary>
    private sealed class SharedTable((string Event, Delegate Handler)[] source, Dictionary<string, Entry> handlers)
    {
        private readonly (string Event, Delegate Handler)[] _source = source;

        public Dictionary<string, Entry> Handlers { get; } = handlers;

        /// <summary><paramref name="table"/> when <paramref name="handlers"/> names the same events with the same delegates, in the same order; otherwise null.</summary>
        public static SharedTable? Matches(SharedTable? table, List<(string Event, Delegate Handler)> handlers)
        {
            if (table is null || handlers.Count != table._source.Length) return null;
            for (int i = 0; i < handlers.Count; i++)
            {
                var (ev, handler) = handlers[i];
                if (!string.Equals(ev, table._source[i].Event, StringComparison.Ordinal) || !ReferenceEquals(handler, table._source[i].Handler)) return null;
            }
            return table;
        }
    }

    private sealed class Entry
    {
        public Action<EventContext<THeap>>? Action;
        public Func<EventContext<THeap>, object?>? Func;
        public Action<EventContext<object?>>? UAction;
        public Func<EventContext<object?>, object?>? UFunc;
    }
}
