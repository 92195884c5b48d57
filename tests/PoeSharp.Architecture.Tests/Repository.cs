namespace PoeSharp.Architecture.Tests;

/// <summary>Where the repository's sources are, for the tests that read them.</summary>
internal static class Repository
{
    /// <summary>The directory holding PoeSharp.sln, found above the test directory.</summary>
    public static string Root
    {
        get
        {
            var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PoeSharp.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("PoeSharp.sln not found above the test directory.");
        }
    }

    /// <summary>Every file under <paramref name="relativeDir"/> whose name ends with <paramref name="suffix"/>, skipping bin and obj.</summary>
    public static IEnumerable<string> Files(string relativeDir, string suffix)
    {
        string dir = Path.Combine(Root, relativeDir);
        if (!Directory.Exists(dir)) return [];
        return Directory.EnumerateFiles(dir, "*" + suffix, SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"));
    }
}
