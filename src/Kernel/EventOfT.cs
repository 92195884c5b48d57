namespace PoeSharp;

/// <summary>
/// A typed event key with one argument (ARG0) of type <typeparamref name="T"/>:
/// <c>static readonly Event&lt;string&gt; GotLine = new("got_line");</c>, posted with
/// <c>kernel.Post(session, GotLine, line)</c> and handled with <c>.On(GotLine, (ctx, line) =&gt; ...)</c>.
/// Several values travel as several type arguments (<see cref="Event{T1, T2}"/>), or as one
/// tuple or record here.
/// </summary>
/// <typeparam name="T">The type of ARG0.</typeparam>
/// <param name="name">The POE event name.</param>
public sealed class Event<T>(string name) : TypedEvent(name)
{
    /// <inheritdoc />
    public override int Arity => 1;
}
