namespace PoeSharp.Filters;

/// <summary>
/// Transforms each record (POE::Filter::Map), as a <see cref="StackableFilter"/> stage. It never drops one;
/// use a <see cref="GrepFilter"/> for that.
/// </summary>
/// <remarks>
/// One transform for both directions (POE's <c>Code</c>), or separate ones for reading and writing (POE's
/// <c>Get</c>/<c>Put</c>); unlike POE, one of the two may be null, meaning "unchanged" that way.
/// </remarks>
public sealed class MapFilter : IRecordStage
{
    private readonly Func<object?, object?>? _get;
    private readonly Func<object?, object?>? _put;

    /// <summary>Transforms both decoded and encoded records with <paramref name="code"/>.</summary>
    public MapFilter(Func<object?, object?> code)
    {
        if (code is null) ThrowHelper.Argument("MapFilter needs a transform: pass code, or get and/or put.", nameof(code));
        _get = _put = code;
    }

    /// <summary>Transforms decoded records with <paramref name="get"/> and encoded ones with <paramref name="put"/>; a null one leaves them unchanged.</summary>
    public MapFilter(Func<object?, object?>? get, Func<object?, object?>? put)
    {
        if (get is null && put is null) ThrowHelper.Argument("MapFilter needs a transform: pass get, put or both (null leaves records unchanged that way).", nameof(get));
        _get = get;
        _put = put;
    }

    /// <inheritdoc />
    public string Name => "Map";

    /// <inheritdoc />
    public bool TryGet(object? input, out object? output)
    {
        output = _get is null ? input : _get(input);
        return true;
    }

    /// <inheritdoc />
    public bool TryPut(object? input, out object? output)
    {
        output = _put is null ? input : _put(input);
        return true;
    }

    /// <inheritdoc />
    public void Reset() { }

    /// <inheritdoc />
    public IRecordStage Clone() => new MapFilter(_get, _put);
}
