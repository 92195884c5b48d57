namespace PoeSharp;

/// <summary>A session whose heap is a <typeparamref name="THeap"/>; its handler table is keyed by event name.</summary>
internal sealed class Session<THeap> : Session
{
    private readonly Dictionary<string, Entry> _handlers = new(StringComparer.Ordinal);
    private string? _lastName;      // one-entry cache: a session usually receives the same event in a row
    private Entry? _lastEntry;
    internal THeap TypedHeap;

    internal Session(Kernel kernel, int id, THeap heap) : base(kernel, id) => TypedHeap = heap;

    public override object? Heap => TypedHeap;

    public override bool HasHandler(string ev) => _handlers.ContainsKey(ev);

    internal override void SetHandler(string ev, Delegate? handler)
    {
        _lastName = null;
        _lastEntry = null;
        if (handler is null)
        {
            _handlers.Remove(ev);
            return;
        }
        var entry = handler switch
        {
            Action<EventContext<THeap>> a => new Entry { Action = a },
            Func<EventContext<THeap>, object?> f => new Entry { Func = f },
            Action<EventContext<object?>> ua => new Entry { UAction = ua },
            Func<EventContext<object?>, object?> uf => new Entry { UFunc = uf },
            _ => throw new ArgumentException(
                $"A handler for '{ev}' must be an Action or Func of EventContext<{typeof(THeap).Name}> (or EventContext<object?>), not {handler.GetType().Name}.",
                nameof(handler)),
        };
        _handlers[ev] = entry;
    }

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

    private sealed class Entry
    {
        public Action<EventContext<THeap>>? Action;
        public Func<EventContext<THeap>, object?>? Func;
        public Action<EventContext<object?>>? UAction;
        public Func<EventContext<object?>, object?>? UFunc;
    }
}
