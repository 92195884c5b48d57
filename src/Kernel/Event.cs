namespace PoeSharp;

/// <summary>
/// A typed event key: the POE name stays the identity, <typeparamref name="T"/> is ARG0's type.
/// <c>static readonly Event&lt;string&gt; GotLine = new("got_line");</c>
/// </summary>
/// <typeparam name="T">The type of the event's first argument.</typeparam>
/// <param name="Name">The POE event name.</param>
public sealed record Event<T>(string Name)
{
    /// <summary>The name, so a typed key can be passed wherever a string event name is expected.</summary>
    public static implicit operator string(Event<T> ev) => ev.Name;
}
