using System.Globalization;
using System.Text;

namespace PoeSharp.Filters.Http;

/// <summary>The IMF-fixdate for the Date header, formatted once per second.</summary>
internal static class HttpDate
{
    [ThreadStatic] private static long t_second;
    [ThreadStatic] private static byte[]? t_bytes;

    public static ReadOnlySpan<byte> Now(TimeProvider time)
    {
        DateTimeOffset now = time.GetUtcNow();
        long second = now.ToUnixTimeSeconds();
        if (t_bytes is null || second != t_second)
        {
            t_bytes = Encoding.ASCII.GetBytes(now.UtcDateTime.ToString("r", CultureInfo.InvariantCulture));
            t_second = second;
        }
        return t_bytes;
    }
}
