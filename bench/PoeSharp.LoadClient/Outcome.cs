namespace PoeSharp.LoadClient;

/// <summary>How one request ended. Everything but <see cref="Ok"/> is a failure.</summary>
internal enum Outcome
{
    /// <summary>Status 200 and a complete, single page.</summary>
    Ok,

    /// <summary>connect() failed (refused, unreachable, timed out).</summary>
    Connect,

    /// <summary>The connection was reset (ECONNRESET, EPIPE) before the response was complete.</summary>
    Reset,

    /// <summary>The server closed the connection before a complete response (or sent nothing).</summary>
    ShortRead,

    /// <summary>More than one response arrived for one request.</summary>
    Duplicate,

    /// <summary>No progress for the stall timeout.</summary>
    Stalled,

    /// <summary>A status other than 200.</summary>
    BadStatus,

    /// <summary>Status 200 but the body is not the expected page.</summary>
    BadBody,
}
