using System.Text.Json;

namespace PoeSharp.Filters.Tests.Http;

/// <summary>One imported llhttp / http-parser case from the shared conformance folder.</summary>
internal sealed class ConformanceCase
{
    private ConformanceCase(string id, byte[] raw, Delivery delivery, JsonElement expected)
    {
        Id = id;
        Raw = raw;
        Delivery = delivery;
        Expected = expected;
    }

    public string Id { get; }
    public byte[] Raw { get; }
    public Delivery Delivery { get; }
    public JsonElement Expected { get; }

    public string Outcome => Expected.GetProperty("outcome").GetString()!;
    public int? MaxResponses => Expected.TryGetProperty("max_responses", out var m) ? m.GetInt32() : null;
    public bool CollapseWhitespace => Flag("collapse_ws");
    public bool MayWait => Flag("lazy_ok") || Flag("hang_ok");
    public IReadOnlyList<JsonElement> Responses => Expected.GetProperty("responses").EnumerateArray().ToList();

    public override string ToString() => Id;

    private bool Flag(string name) => Expected.TryGetProperty(name, out var f) && f.ValueKind == JsonValueKind.True;

    /// <summary>The cases file, found next to the repository: &lt;repo root&gt;/../shared/conformance/http/.</summary>
    public static string CasesPath => PoeSharp.Tests.Shared.ConformanceCases.FilePath();

    public static IEnumerable<ConformanceCase> Load()
    {
        foreach (string line in File.ReadLines(CasesPath))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            JsonElement c = JsonDocument.Parse(line).RootElement;
            yield return new ConformanceCase(c.GetProperty("id").GetString()!, PoeSharp.Tests.Shared.ConformanceCases.Bytes(c), DeliveryOf(c), c.GetProperty("expected"));
        }
    }

    private static Delivery DeliveryOf(JsonElement c)
    {
        JsonElement d = c.GetProperty("delivery");
        string mode = d.GetProperty("mode").GetString()!;
        if (mode == "trickle") return Delivery.Bytes;
        if (mode == "split")
        {
            var offsets = d.TryGetProperty("offsets", out var o) ? o.EnumerateArray().Select(e => e.GetInt32()).ToList() : [];
            return new Delivery("split", offsets);
        }
        return mode == "bytes" ? Delivery.Bytes : Delivery.All;
    }

    /// <summary>The expected body of an expected request.</summary>
    public static byte[] ExpectedBody(JsonElement request)
    {
        if (request.TryGetProperty("body_b64", out var b)) return Convert.FromBase64String(b.GetString()!);
        JsonElement rep = request.GetProperty("body_repeat");
        byte[] unit = Convert.FromBase64String(rep.GetProperty("repeat_b64").GetString()!);
        int count = rep.GetProperty("count").GetInt32();
        var body = new byte[unit.Length * count];
        for (int i = 0; i < count; i++) unit.CopyTo(body, i * unit.Length);
        return body;
    }

    /// <summary>Expected header fields; a repeated-value object becomes one field with the joined value.</summary>
    public static List<(string Name, string Value, bool Joined)> ExpectedHeaders(JsonElement request)
    {
        var list = new List<(string, string, bool)>();
        foreach (JsonElement h in request.GetProperty("headers").EnumerateArray())
        {
            string name = h[0].GetString()!;
            JsonElement v = h[1];
            if (v.ValueKind == JsonValueKind.String) list.Add((name, v.GetString()!, false));
            else
            {
                string joined = string.Join(v.GetProperty("sep").GetString(), Enumerable.Repeat(v.GetProperty("repeat").GetString(), v.GetProperty("count").GetInt32()));
                list.Add((name, joined, true));
            }
        }
        return list;
    }
}
