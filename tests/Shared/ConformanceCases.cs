using System.Text.Json;

namespace PoeSharp.Tests.Shared;

/// <summary>
/// The HTTP conformance cases in ../shared/conformance/http/imported-cases.jsonl, next to the
/// repository: where the file is and the bytes of one case. Linked into each test project that
/// reads them.
/// </summary>
internal static class ConformanceCases
{
    /// <summary>The cases file, found from the test directory up to the repository root.</summary>
    public static string FilePath()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PoeSharp.sln"))) dir = dir.Parent;
        if (dir is null) throw new InvalidOperationException("PoeSharp.sln not found above the test directory.");
        string path = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "conformance", "http", "imported-cases.jsonl"));
        if (!File.Exists(path))
            throw new FileNotFoundException($"The HTTP conformance cases are read from the shared folder next to the repository; {path} is missing.", path);
        return path;
    }

    /// <summary>The bytes of case <paramref name="c"/>: <c>raw_b64</c>, or <c>raw_parts</c> (pieces, some repeated).</summary>
    public static byte[] Bytes(JsonElement c)
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
