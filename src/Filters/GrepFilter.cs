namespace PoeSharp.Filters;

/// <summary>
/// Keeps the records a predicate accepts and drops the others (POE::Filter::Grep), as a
/// <see cref="StackableFilter"/> stage.
/// </summary>
/// <remarks>
/// One predicate for both directions (POE's <c>Code</c>), or separate ones for reading and writing (POE's
/// <c>Get</c>/<c>Put</c>); unlike POE, one of the two may be null, meaning "keep everything" that way.
/// </remarks>
public sealed class GrepFilter : IRecordStage
{
    private readonly Func<object?, bool>? _get;
    private readonly Func<object?, bool>? _put;

    /// <summary>Filters both decoded and encoded records with <paramref name="code"/>.</summary>
    public GrepFilter(Func<object?, bool> code)
    {
        if (code is null) ThrowHelper.Argument("GrepFilter needs a predicate: pass code, or get and/or put.", nameof(code));
        _get = _put = code;
    }

    /// <summary>Filters decoded records with <paramref name="get"/> and encoded ones with <paramref name="put"/>; a null one keeps all.</summary>
    public GrepFilter(Func<object?, bool>? get, Func<object?, bool>? put)
    {
        if (get is null && put is null) ThrowHelper.Argument("GrepFilter needs a predicate: pass get, put or both (null keeps everything that way).", nameof(get));
        _get = get;
        _put = put;
    }

    /// <inheritdoc />
    public string Name => "Grep";

    /// <inheritdoc />
    public bool TryGet(object? input, out object? output)
    {
        output = input;
        return _get is null || _get(input);
    }

    /// <inheritdoc />
    public bool TryPut(object? input, out object? output)
    {
        output = input;
        return _put is null || _put(input);
    }

    /// <inheritdoc />
    public void Reset() { }

    /// <inheritdoc />
    public IRecordStage Clone() => new GrepFilter(_get, _put);
}
