namespace PoeSharp;

/// <summary>A typed event key with two arguments: ARG0 of type <typeparamref name="T1"/>, ARG1 of type <typeparamref name="T2"/>.</summary>
/// <typeparam name="T1">The type of ARG0.</typeparam>
/// <typeparam name="T2">The type of ARG1.</typeparam>
/// <param name="name">The POE event name.</param>
public sealed class Event<T1, T2>(string name) : TypedEvent(name)
{
    /// <inheritdoc />
    public override int Arity => 2;
}
