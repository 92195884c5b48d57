using System.Globalization;
using System.Text.RegularExpressions;

namespace PoeSharp.Integration.Tests.Support;

/// <summary>
/// One HAProxy request log line (the format <see cref="HaproxyProcess"/> configures): the client
/// port, the status, the server (<c>&lt;NOSRV&gt;</c> when nothing went to the backend), the
/// termination state, the captured X-Vector-Id and the request line.
/// </summary>
internal sealed partial record HaproxyLogLine(int ClientPort, int Status, string Server, string TerminationState, string VectorId, string RequestLine)
{
    /// <summary>True when the proxy sent (at least part of) this request to the backend.</summary>
    public bool Forwarded => Server != "<NOSRV>";

    /// <summary>True when the backend answered it and the exchange ended normally.</summary>
    public bool AnsweredByBackend => Forwarded && Status is >= 100 and < 600 && TerminationState == "--";

    [GeneratedRegex(@"^request cp=(\d+) st=(-?\d+) srv=(\S+) ts=(\S+) vid=\{?([^}]*)\}? line=(.*)$")]
    private static partial Regex Format();

    public static HaproxyLogLine? TryParse(string line)
    {
        Match m = Format().Match(line);
        if (!m.Success) return null;
        return new HaproxyLogLine(int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture),
            m.Groups[3].Value, m.Groups[4].Value, m.Groups[5].Value, m.Groups[6].Value);
    }
}
