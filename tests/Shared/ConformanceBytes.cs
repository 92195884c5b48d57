using System.Text.Json;

namespace PoeSharp.Tests.Shared;

/// <summary>
/// The bytes of one case of ../shared/conformance/http/imported-cases.jsonl: <c>raw_b64</c>, or
/// <c>raw_parts</c> (pieces, some repeated). Linked into each test project that reads the cases.
/// </summary>
internal static class ConformanceBytes
{
    public static byte[] Of(JsonElement c)
    {
        if (c.TryGetProperty("raw_b64", out var b64)) return Convert.FromBase64String(b64.GetString()!);
        var bytes = new List<byte>();
        foreach (JsonElement part in c.GetProperty("raw_parts").EnumerateArray())
        {
            if (part.TryGetProperty("b64", out var one)) bytes.AddRange(Convert.FromBase64String(one.GetString()!));
            else
            {
                byte[] unit = Convert.FromBase64String(part.GetProperty("repeat_b64").GetString()!);
                for (int i = part.GetProperty("count").GetInt32(); i > 0; i--) bytes.AddRange(unit);
            }
        }
        return bytes.ToArray();
    }
}
