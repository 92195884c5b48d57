namespace PoeSharp.Resources;

/// <summary>
/// A list of references in one field: empty, the only element itself, or a list once there have
/// been two at a time. A session's owned and fork-aware resources are usually one each (its
/// connection's wheel); a list and its array cost 64 bytes per kind for every idle connection.
/// Order is kept (first added, first seen), as in a list.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal struct SmallList<T> where T : class
{
    private object? _store;   // null, the one element, or a Many holding them all

    // Its own type, so that an element that happens to be a list is never taken for the store.
    private sealed class Many(int capacity) : List<T>(capacity);

    /// <summary>Elements in the list.</summary>
    internal readonly int Count => _store switch
    {
        null => 0,
        Many many => many.Count,
        _ => 1,
    };

    /// <summary>The element at <paramref name="index"/>.</summary>
    internal readonly T this[int index]
    {
        get
        {
            if (_store is Many many) return many[index];
            ArgumentOutOfRangeException.ThrowIfNotEqual(index, 0);
            return (T?)_store ?? throw new ArgumentOutOfRangeException(nameof(index));
        }
    }

    /// <summary>Appends <paramref name="item"/>.</summary>
    internal void Add(T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (_store is null) _store = item;
        else if (_store is Many many) many.Add(item);
        else _store = new Many(2) { (T)_store, item };   // a session that had two is likely to have two again
    }

    /// <summary>Removes the first element equal to <paramref name="item"/>; true if there was one.</summary>
    internal bool Remove(T item)
    {
        if (_store is Many many) return many.Remove(item);
        if (_store is null || !EqualityComparer<T>.Default.Equals((T)_store, item)) return false;
        _store = null;
        return true;
    }

    /// <summary>Removes the element at <paramref name="index"/>.</summary>
    internal void RemoveAt(int index)
    {
        if (_store is Many many)
        {
            many.RemoveAt(index);
            return;
        }
        _ = this[index];
        _store = null;
    }

    /// <summary>Removes every element (a list, if any, is kept).</summary>
    internal void Clear()
    {
        if (_store is Many many) many.Clear();
        else _store = null;
    }

    /// <summary>Takes the elements out: returns them as an array and leaves the list empty.</summary>
    internal T[] Take()
    {
        T[] items = _store switch
        {
            null => [],
            Many many => [.. many],
            _ => [(T)_store],
        };
        _store = null;
        return items;
    }
}
