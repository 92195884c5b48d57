namespace PoeSharp.Filters.Http;

/// <summary>One header (or trailer) field as it arrived: name with its original case, and value.</summary>
/// <param name="Name">The field name, e.g. <c>Content-Type</c>.</param>
/// <param name="Value">The field value without surrounding whitespace.</param>
public readonly record struct HttpField(string Name, string Value)
{
    /// <inheritdoc />
    public override string ToString() => $"{Name}: {Value}";
}
