using System.Collections;

namespace PoeSharp.Filters.Http;

/// <summary>
/// Header fields in arrival order, repeated fields kept, with case-insensitive lookup
/// (HTTP::Headers). A flat array: requests carry a handful of fields, so a linear scan beats hashing.
/// </summary>
public sealed class HttpHeaderCollection : IReadOnlyList<HttpField>
{
    private HttpField[] _fields;
    private int _count;

    /// <summary>Creates an empty collection.</summary>
    public HttpHeaderCollection() => _fields = [];

    internal HttpHeaderCollection(int capacity) => _fields = capacity == 0 ? [] : new HttpField[capacity];

    /// <summary>The number of fields, repeated ones counted separately.</summary>
    public int Count => _count;

    /// <summary>The field at <paramref name="index"/> in arrival order.</summary>
    public HttpField this[int index]
    {
        get
        {
            if ((uint)index >= (uint)_count) throw new ArgumentOutOfRangeException(nameof(index), index, $"Index must be below Count ({_count}).");
            return _fields[index];
        }
    }

    /// <summary>
    /// The value of field <paramref name="name"/> (any case); repeated fields are joined with ", "
    /// as RFC 9110 §5.3 allows. Null when absent. Setting replaces every field of that name.
    /// </summary>
    public string? this[string name]
    {
        get
        {
            int first = IndexOf(name, 0);
            if (first < 0) return null;
            int next = IndexOf(name, first + 1);
            if (next < 0) return _fields[first].Value;
            return string.Join(", ", GetValues(name));
        }
        set
        {
            if (value is null) Remove(name);
            else Set(name, value);
        }
    }

    /// <summary>Distinct field names in order of first arrival, with the case of their first occurrence.</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            var names = new List<string>(_count);
            for (int i = 0; i < _count; i++)
            {
                string n = _fields[i].Name;
                if (IndexOf(n, 0) == i) names.Add(n);
            }
            return names;
        }
    }

    /// <summary>True when at least one field is called <paramref name="name"/> (any case).</summary>
    public bool Contains(string name) => IndexOf(name, 0) >= 0;

    /// <summary>The first value of <paramref name="name"/>, if any.</summary>
    public bool TryGetValue(string name, out string value)
    {
        int i = IndexOf(name, 0);
        value = i >= 0 ? _fields[i].Value : "";
        return i >= 0;
    }

    /// <summary>Every value of <paramref name="name"/>, in arrival order (empty when absent).</summary>
    public IReadOnlyList<string> GetValues(string name)
    {
        List<string>? values = null;
        for (int i = IndexOf(name, 0); i >= 0; i = IndexOf(name, i + 1))
            (values ??= []).Add(_fields[i].Value);
        return values is null ? [] : values;
    }

    /// <summary>Appends a field (a repeated name adds another field).</summary>
    /// <exception cref="ArgumentException">The name is not a token or the value contains CR, LF or NUL.</exception>
    public void Add(string name, string value)
    {
        Validate(name, value);
        AddUnchecked(name, value);
    }

    /// <summary>Replaces every field called <paramref name="name"/> by one field (appended if absent).</summary>
    public void Set(string name, string value)
    {
        Validate(name, value);
        int i = IndexOf(name, 0);
        if (i < 0)
        {
            AddUnchecked(name, value);
            return;
        }
        _fields[i] = new HttpField(_fields[i].Name, value);
        RemoveFrom(name, i + 1);
    }

    /// <summary>Removes every field called <paramref name="name"/>; returns how many were removed.</summary>
    public int Remove(string name) => RemoveFrom(name, 0);

    /// <summary>Removes all fields.</summary>
    public void Clear()
    {
        Array.Clear(_fields, 0, _count);
        _count = 0;
    }

    /// <summary>True when some field <paramref name="name"/> holds <paramref name="token"/> in its comma-separated list (e.g. Connection: close).</summary>
    public bool ContainsToken(string name, string token)
    {
        for (int i = IndexOf(name, 0); i >= 0; i = IndexOf(name, i + 1))
        {
            foreach (var range in _fields[i].Value.AsSpan().Split(','))
            {
                if (_fields[i].Value.AsSpan()[range].Trim(" \t").Equals(token, StringComparison.OrdinalIgnoreCase))
                    return true;
            }
        }
        return false;
    }

    /// <summary>Enumerates the fields in arrival order.</summary>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<HttpField> IEnumerable<HttpField>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => string.Join("\r\n", _fields.Take(_count));

    internal void AddUnchecked(string name, string value)
    {
        if (_count == _fields.Length)
            Array.Resize(ref _fields, Math.Max(8, _count * 2));
        _fields[_count++] = new HttpField(name, value);
    }

    internal ReadOnlySpan<HttpField> AsSpan() => _fields.AsSpan(0, _count);

    private int IndexOf(string name, int start)
    {
        for (int i = start; i < _count; i++)
            if (string.Equals(_fields[i].Name, name, StringComparison.OrdinalIgnoreCase)) return i;
        return -1;
    }

    private int RemoveFrom(string name, int start)
    {
        int write = start, removed = 0;
        for (int read = start; read < _count; read++)
        {
            if (string.Equals(_fields[read].Name, name, StringComparison.OrdinalIgnoreCase)) { removed++; continue; }
            _fields[write++] = _fields[read];
        }
        Array.Clear(_fields, write, _count - write);
        _count = write;
        return removed;
    }

    private static void Validate(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        if (name.Length == 0 || !HttpChars.IsToken(name))
            throw new ArgumentException($"Header name '{name}' is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~).", nameof(name));
        if (value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
            throw new ArgumentException($"Header '{name}' value contains CR, LF or NUL; that would let it inject other header lines.", nameof(value));
    }

    /// <summary>A non-allocating enumerator over the fields.</summary>
    public struct Enumerator : IEnumerator<HttpField>
    {
        private readonly HttpHeaderCollection _owner;
        private int _index;

        internal Enumerator(HttpHeaderCollection owner)
        {
            _owner = owner;
            _index = -1;
        }

        /// <inheritdoc />
        public readonly HttpField Current => _owner._fields[_index];

        readonly object IEnumerator.Current => Current;

        /// <inheritdoc />
        public bool MoveNext() => ++_index < _owner._count;

        /// <inheritdoc />
        public void Reset() => _index = -1;

        /// <inheritdoc />
        public readonly void Dispose() { }
    }
}
