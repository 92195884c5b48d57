namespace PoeSharp.Examples;

/// <summary>The outcome of <see cref="ServerOptions.Parse"/>: options, a request for help, or an error message.</summary>
internal sealed record OptionsParseResult(ServerOptions? Options, bool HelpRequested, string? Error)
{
    /// <summary>--help was given.</summary>
    public static OptionsParseResult Help { get; } = new(null, true, null);

    /// <summary>Valid options.</summary>
    public static OptionsParseResult Ok(ServerOptions options) => new(options, false, null);

    /// <summary>A bad option; <paramref name="error"/> says what to change.</summary>
    public static OptionsParseResult Fail(string error) => new(null, false, error);
}
