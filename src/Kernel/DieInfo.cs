namespace PoeSharp;

/// <summary>
/// ARG1 of a <c>DIE</c> signal: what threw, where (POE's hash of error_str, dest_session, event,
/// source_session, from_state).
/// </summary>
/// <param name="Exception">The exception the handler threw.</param>
/// <param name="Destination">The session whose handler threw.</param>
/// <param name="Event">The event being handled.</param>
/// <param name="Source">The event's sender.</param>
/// <param name="FromState">The event that was active when the failing one was sent (CALLER_STATE).</param>
public sealed record DieInfo(Exception Exception, Session Destination, string Event, Session Source, string? FromState)
{
    /// <summary>The error text (POE's error_str).</summary>
    public string ErrorText => Exception.Message;
}
