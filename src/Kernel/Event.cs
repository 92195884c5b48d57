namespace PoeSharp;

/// <summary>
/// A typed event key for an event without arguments: declare it once
/// (<c>static readonly Event Tick = new("tick");</c>), then post and handle it by the key, so a
/// misspelt name is a compile error rather than an event that silently goes to <c>_default</c>.
/// </summary>
/// <param name="name">The POE event name.</param>
public sealed class Event(string name) : TypedEvent(name)
{
    /// <inheritdoc />
    public override int Arity => 0;
}
