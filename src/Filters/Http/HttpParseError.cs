using System.Runtime.CompilerServices;

namespace PoeSharp.Filters.Http;

/// <summary>
/// The outcome of one parsing step of <see cref="HttpdFilter"/>'s parts: <see cref="None"/> (go on, or
/// wait for more bytes) or why the request is rejected. The parts return it instead of threading a
/// reason and a detail through every call.
/// </summary>
internal readonly struct HttpParseError
{
    // One reference, so the value fits a register and "no error" costs a null test on the hot path.
    private readonly Failure? _failure;

    private HttpParseError(RejectionReason reason, string detail) => _failure = new Failure(reason, detail);

    /// <summary>No error.</summary>
    public static HttpParseError None => default;

    /// <summary>Why the request is rejected (meaningless unless <see cref="IsError"/>).</summary>
    public RejectionReason Reason => _failure?.Reason ?? default;

    /// <summary>A one-line explanation; null when there is no error.</summary>
    public string? Detail => _failure?.Detail;

    /// <summary>True when the request is rejected.</summary>
    public bool IsError
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _failure is not null;
    }

    /// <summary>A rejection for <paramref name="reason"/>. Kept out of line: the parsing loops stay small.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static HttpParseError Fail(RejectionReason reason, string detail) => new(reason, detail);

    /// <summary>A rejection for an authority that is not <c>uri-host [ ":" port ]</c>, naming userinfo when that is the fault.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static HttpParseError Authority(RejectionReason reason, string what, ReadOnlySpan<byte> authority)
    {
        string text = authority.Contains((byte)'@')
            ? $"{what} has userinfo ('user@'), which HTTP does not allow."
            : authority.IsEmpty || authority[0] == ':' ? $"{what} has no host." : $"{what} is not host[:port].";
        return new HttpParseError(reason, text);
    }

    private sealed record Failure(RejectionReason Reason, string Detail);
}
