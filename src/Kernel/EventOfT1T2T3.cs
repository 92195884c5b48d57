namespace PoeSharp;

/// <summary>A typed event key with three arguments: ARG0 <typeparamref name="T1"/>, ARG1 <typeparamref name="T2"/>, ARG2 <typeparamref name="T3"/>.</summary>
/// <typeparam name="T1">The type of ARG0.</typeparam>
/// <typeparam name="T2">The type of ARG1.</typeparam>
/// <typeparam name="T3">The type of ARG2.</typeparam>
/// <param name="name">The POE event name.</param>
public sealed class Event<T1, T2, T3>(string name) : TypedEvent(name)
{
    /// <inheritdoc />
    public override int Arity => 3;
}
