namespace PoeSharp.Resources;

/// <summary>
/// A map from keys to non-zero ints that holds its first entry inline and allocates a dictionary
/// only for a second one: a session's watched descriptors and extra-reference tags are usually one
/// each (a connection's socket, its wheel's tag), and a dictionary per session and per kind cost
/// about 200 bytes for every idle connection. Keys compare with the default comparer (ordinal for
/// strings), so the map keeps no comparer of its own: 8 bytes less in every session, twice.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
internal struct SmallMap<TKey> where TKey : notnull
{
    private TKey? _key;                  // the inline entry, when _hasKey
    private int _value;
    private bool _hasKey;
    private Dictionary<TKey, int>? _more; // every entry once there have been two at a time

    /// <summary>Entries in the map.</summary>
    internal readonly int Count => _more?.Count ?? (_hasKey ? 1 : 0);

    /// <summary>The value of <paramref name="key"/>; false (and 0) when absent.</summary>
    internal readonly bool TryGetValue(TKey key, out int value)
    {
        if (_more is not null) return _more.TryGetValue(key, out value);
        if (_hasKey && Same(_key!, key))
        {
            value = _value;
            return true;
        }
        value = 0;
        return false;
    }

    /// <summary>Adds or replaces the entry for <paramref name="key"/>.</summary>
    internal void Set(TKey key, int value)
    {
        if (_more is not null)
        {
            _more[key] = value;
        }
        else if (!_hasKey || Same(_key!, key))
        {
            _key = key;
            _value = value;
            _hasKey = true;
        }
        else
        {
            // A second entry: from now on the dictionary holds them all (a session that had two
            // is likely to have two again).
            _more = new Dictionary<TKey, int> { [_key!] = _value, [key] = value };
            _key = default;
            _hasKey = false;
        }
    }

    /// <summary>Removes the entry for <paramref name="key"/>, if any.</summary>
    internal void Remove(TKey key)
    {
        if (_more is not null)
        {
            _more.Remove(key);
        }
        else if (_hasKey && Same(_key!, key))
        {
            _key = default;
            _value = 0;
            _hasKey = false;
        }
    }

    /// <summary>Removes every entry (the dictionary, if any, is kept).</summary>
    internal void Clear()
    {
        _more?.Clear();
        _key = default;
        _value = 0;
        _hasKey = false;
    }

    /// <summary>A copy of the entries, in no particular order.</summary>
    internal readonly KeyValuePair<TKey, int>[] ToArray()
    {
        if (_more is not null) return [.. _more];
        return _hasKey ? [new(_key!, _value)] : [];
    }

    /// <summary>A new dictionary with the entries.</summary>
    internal readonly Dictionary<TKey, int> ToDictionary()
    {
        var copy = new Dictionary<TKey, int>();
        foreach (var (key, value) in ToArray()) copy[key] = value;
        return copy;
    }

    private static bool Same(TKey a, TKey b) => EqualityComparer<TKey>.Default.Equals(a, b);
}
