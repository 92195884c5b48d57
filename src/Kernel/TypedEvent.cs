namespace PoeSharp;

/// <summary>
/// The common base of the typed event keys <see cref="Event"/>, <see cref="Event{T}"/>,
/// <see cref="Event{T1, T2}"/> and <see cref="Event{T1, T2, T3}"/>. The POE name stays the
/// event's identity: a typed key and its <see cref="Name"/> as a string reach the same handler,
/// and the typed arguments travel as POE's positional ARG0, ARG1, ...
/// </summary>
/// <remarks>
/// There is deliberately no implicit conversion to <see cref="string"/>: with one, a typed post
/// with a wrongly typed argument would still compile (through the string overload). Use
/// <see cref="Name"/> where a string is wanted, e.g. a wheel's <c>InputEvent</c>.
/// </remarks>
public abstract class TypedEvent
{
    private protected TypedEvent(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <summary>The POE event name.</summary>
    public string Name { get; }

    /// <summary>The number of arguments the event carries (ARG0...).</summary>
    public abstract int Arity { get; }

    /// <inheritdoc />
    public override string ToString() => Name;
}
