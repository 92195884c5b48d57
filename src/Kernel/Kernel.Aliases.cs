namespace PoeSharp;

public sealed partial class Kernel
{
    /// <summary>
    /// Gives the active session the alias <paramref name="name"/> (several per session are allowed).
    /// Re-setting its own alias succeeds; another session's alias is <see cref="KernelError.AlreadyExists"/>.
    /// Each alias keeps the session alive, but not the program: the idle test ignores aliases.
    /// </summary>
    public KernelError AliasSet(string name)
    {
        CheckThread();
        ArgumentException.ThrowIfNullOrEmpty(name);
        var s = _active;
        if (s.IsKernel || s.State == SessionState.Stopped) return KernelError.NoSuchSession;
        if (_aliasResource.ByName.TryGetValue(name, out var owner))
            return ReferenceEquals(owner, s) ? KernelError.None : KernelError.AlreadyExists;
        _aliasResource.ByName.Add(name, s);
        (s.Aliases ??= new()).Add(name);
        return KernelError.None;
    }

    /// <summary>Removes the active session's alias. Unknown: NoSuchSession; another session's: NotPermitted.</summary>
    public KernelError AliasRemove(string name)
    {
        CheckThread();
        ArgumentNullException.ThrowIfNull(name);
        var s = _active;
        if (!_aliasResource.ByName.TryGetValue(name, out var owner)) return KernelError.NoSuchSession;
        if (!ReferenceEquals(owner, s)) return KernelError.NotPermitted;
        _aliasResource.ByName.Remove(name);
        s.Aliases!.Remove(name);
        Candidate(s);
        return KernelError.None;
    }

    /// <summary>Resolves an alias, an ID (number or text), a session or the kernel's ID; null (ESRCH) if unknown.</summary>
    public Session? AliasResolve(SessionRef reference)
    {
        CheckThread();
        return TryResolve(reference, out var s) ? s : null;
    }

    /// <summary>The aliases of <paramref name="session"/> (the active session when omitted), in the order they were set.</summary>
    public IReadOnlyList<string> AliasList(SessionRef? session = null)
    {
        CheckThread();
        Session s;
        if (session is { } r)
        {
            if (!TryResolve(r, out s)) return [];
        }
        else s = _active;
        return s.Aliases is { Count: > 0 } a ? a.ToArray() : [];
    }

    /// <summary>Every alias and its session.</summary>
    public IReadOnlyDictionary<string, Session> Aliases
    {
        get
        {
            CheckThread();
            return new Dictionary<string, Session>(_aliasResource.ByName, StringComparer.Ordinal);
        }
    }

    /// <summary>Aliases: each keeps its session alive, not the program.</summary>
    private sealed class AliasResource : IKernelResource
    {
        /// <summary>Every alias and the session it names.</summary>
        public readonly Dictionary<string, Session> ByName = new(StringComparer.Ordinal);

        public int CountFor(Session session) => session.Aliases?.Count ?? 0;

        public bool KeepsKernelBusy => false;

        public void Release(Session session)
        {
            if (session.Aliases is not { Count: > 0 } aliases) return;
            foreach (var a in aliases) ByName.Remove(a);
            aliases.Clear();
        }

        public void Describe(Session session, LivenessReport report) => report.Aliases = session.Aliases?.ToArray() ?? [];

        public void ReportLeaks(List<string> leaks)
        {
            foreach (var (alias, s) in ByName) leaks.Add($"alias '{alias}' of {s}");
        }
    }
}
