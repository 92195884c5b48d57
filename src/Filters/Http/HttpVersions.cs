using SysHttpVersion = System.Net.HttpVersion;

namespace PoeSharp.Filters.Http;

/// <summary>Cached version objects and texts, so parsing allocates none.</summary>
internal static class HttpVersions
{
    public static Version Get(int major, int minor) => (major, minor) switch
    {
        (1, 1) => SysHttpVersion.Version11,
        (1, 0) => SysHttpVersion.Version10,
        (0, 9) => new Version(0, 9),
        _ => new Version(major, minor),
    };

    public static string Text(Version v) => (v.Major, v.Minor) switch
    {
        (1, 1) => "HTTP/1.1",
        (1, 0) => "HTTP/1.0",
        _ => $"HTTP/{v.Major}.{v.Minor}",
    };

    /// <summary>True for HTTP/1.0 (and anything older): keep-alive must be asked for.</summary>
    public static bool IsHttp10(Version v) => v.Major < 1 || (v.Major == 1 && v.Minor == 0);
}
