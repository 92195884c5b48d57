namespace PoeSharp;

/// <summary>
/// Names a session the way POE accepts it: the session object, its numeric ID, or a string that
/// is an ID, an alias or the kernel's ID (tried in that order, so an ID wins over an equal alias).
/// Resolution happens when the reference is used.
/// </summary>
public readonly struct SessionRef
{
    internal readonly Session? SessionValue;
    internal readonly int IdValue;
    internal readonly string? Text;

    /// <summary>Refers to <paramref name="session"/> itself.</summary>
    public SessionRef(Session session) { SessionValue = session; IdValue = 0; Text = null; }

    /// <summary>Refers to the session with ID <paramref name="id"/>.</summary>
    public SessionRef(int id) { SessionValue = null; IdValue = id; Text = null; }

    /// <summary>Refers to an ID in text form, an alias or the kernel's ID.</summary>
    public SessionRef(string text) { SessionValue = null; IdValue = 0; Text = text; }

    /// <summary>Converts a session.</summary>
    public static implicit operator SessionRef(Session session) => new(session);

    /// <summary>Converts a session ID.</summary>
    public static implicit operator SessionRef(int id) => new(id);

    /// <summary>Converts an alias, an ID in text form or the kernel's ID.</summary>
    public static implicit operator SessionRef(string text) => new(text);

    /// <inheritdoc />
    public override string ToString() =>
        SessionValue?.ToString() ?? (Text is not null ? $"'{Text}'" : IdValue != 0 ? $"session {IdValue}" : "(none)");
}
