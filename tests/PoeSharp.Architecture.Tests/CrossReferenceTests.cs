using System.Text.RegularExpressions;

namespace PoeSharp.Architecture.Tests;

/// <summary>
/// Every cross-reference in the repository resolves inside it. <c>POE-SEMANTICS §n.m</c> cites
/// docs/POE-SEMANTICS.md: a numbered heading, or item m of the numbered list under heading n. So
/// does a bare <c>§n.m</c> in a file that cites no RFC; where a file cites RFCs, a bare § continues
/// an RFC citation and is not checked. <c>docs/*.md, "Section", item n</c> names a heading (and an
/// item of its numbered list) of a document that exists.
/// </summary>
public sealed partial class CrossReferenceTests
{
    private static readonly string[] Scanned = [".cs", ".md", ".props", ".csproj"];
    private static readonly string[] Skipped = ["bin", "obj", ".git"];

    [Test]
    public void EverySemanticsCitationNamesASectionOrItem()
    {
        var anchors = SemanticsAnchors(File.ReadAllLines(Path.Combine(Root, "docs", "POE-SEMANTICS.md")));
        var broken = new List<string>();
        int seen = 0;
        foreach (var group in Lines().GroupBy(l => l.File))
        {
            bool citesRfcs = group.Any(l => RfcCitation().IsMatch(l.Line)) && !group.Key.EndsWith("POE-SEMANTICS.md", StringComparison.Ordinal);
            foreach (var (file, number, line) in group)
            {
                var citations = citesRfcs ? ExplicitSection().Matches(line) : Section().Matches(RfcCitation().Replace(line, ""));
                foreach (Match m in citations)
                {
                    seen++;
                    if (!anchors.Contains(m.Groups[1].Value)) broken.Add($"{file}:{number}: §{m.Groups[1].Value}");
                }
            }
        }
        Assert.That(seen, Is.GreaterThan(0), "The scan must find the citations the code makes, or it checks nothing.");
        Assert.That(broken, Is.Empty, "No such heading or numbered item in docs/POE-SEMANTICS.md (an RFC section: write 'RFC nnnn §x'; in a file that cites RFCs, write 'POE-SEMANTICS §x').");
    }

    [Test]
    public void EveryDocumentCitationNamesAnExistingDocumentSectionAndItem()
    {
        var broken = new List<string>();
        int seen = 0;
        foreach (var (file, number, line) in Lines())
        {
            foreach (Match m in DocumentCitation().Matches(line))
            {
                seen++;
                string doc = Path.Combine(Root, "docs", m.Groups[1].Value);
                if (!File.Exists(doc))
                {
                    broken.Add($"{file}:{number}: docs/{m.Groups[1].Value} does not exist");
                    continue;
                }
                if (!m.Groups[2].Success) continue;
                var items = SectionItems(File.ReadAllLines(doc), m.Groups[2].Value);
                if (items is null)
                    broken.Add($"{file}:{number}: docs/{m.Groups[1].Value} has no heading \"{m.Groups[2].Value}\"");
                else if (m.Groups[3].Success && !items.Contains(int.Parse(m.Groups[3].Value)))
                    broken.Add($"{file}:{number}: \"{m.Groups[2].Value}\" in docs/{m.Groups[1].Value} has no item {m.Groups[3].Value}");
            }
            // An item number only means something next to the section it counts in.
            if (file.EndsWith(".cs", StringComparison.Ordinal) && line.TrimStart().StartsWith("//", StringComparison.Ordinal)
                && LooseItem().IsMatch(DocumentCitation().Replace(line, "")))
                broken.Add($"{file}:{number}: cite an item as docs/*.md, \"Section\", item n");
        }
        Assert.That(seen, Is.GreaterThan(0), "The scan must find the citations the code makes, or it checks nothing.");
        Assert.That(broken, Is.Empty);
    }

    /// <summary>Section numbers of numbered headings, and "section.item" for each numbered list item under one.</summary>
    private static HashSet<string> SemanticsAnchors(string[] lines)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        string? section = null;
        foreach (string line in lines)
        {
            if (line.StartsWith('#'))
            {
                var h = NumberedHeading().Match(line);
                section = h.Success ? h.Groups[1].Value : null;
                if (section is not null) anchors.Add(section);
            }
            else if (section is not null && ListItem().Match(line) is { Success: true } item)
            {
                anchors.Add($"{section}.{item.Groups[1].Value}");
            }
        }
        return anchors;
    }

    /// <summary>The numbered items under the first heading that starts with <paramref name="title"/>, or null without one.</summary>
    private static HashSet<int>? SectionItems(string[] lines, string title)
    {
        string wanted = title.Replace("`", "", StringComparison.Ordinal);
        HashSet<int>? items = null;
        foreach (string line in lines)
        {
            if (line.StartsWith('#'))
            {
                if (items is not null) break;
                if (line.TrimStart('#').Trim().Replace("`", "", StringComparison.Ordinal).StartsWith(wanted, StringComparison.Ordinal))
                    items = [];
            }
            else if (items is not null && ListItem().Match(line) is { Success: true } item)
            {
                items.Add(int.Parse(item.Groups[1].Value));
            }
        }
        return items;
    }

    private static IEnumerable<(string File, int Number, string Line)> Lines()
    {
        foreach (string path in Files(Root))
        {
            string relative = Path.GetRelativePath(Root, path);
            string[] lines = File.ReadAllLines(path);
            for (int i = 0; i < lines.Length; i++) yield return (relative, i + 1, lines[i]);
        }
    }

    private static IEnumerable<string> Files(string dir)
    {
        foreach (string file in Directory.EnumerateFiles(dir))
            if (Scanned.Contains(Path.GetExtension(file))) yield return file;
        foreach (string sub in Directory.EnumerateDirectories(dir))
            if (!Skipped.Contains(Path.GetFileName(sub)))
                foreach (string file in Files(sub)) yield return file;
    }

    private static string Root
    {
        get
        {
            var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PoeSharp.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("PoeSharp.sln not found above the test directory.");
        }
    }

    /// <summary>"RFC 9110 §10.1.1, §15.2.1": an RFC number and every section listed after it.</summary>
    [GeneratedRegex(@"RFC\s*\d+\s*§\s*\d+(?:\.\d+)*(?:\s*(?:,|/|and|or)\s*§\s*\d+(?:\.\d+)*)*")]
    private static partial Regex RfcCitation();

    [GeneratedRegex(@"§\s*(\d+(?:\.\d+)*)")]
    private static partial Regex Section();

    [GeneratedRegex(@"POE-SEMANTICS(?:\.md)?,?\s*§\s*(\d+(?:\.\d+)*)")]
    private static partial Regex ExplicitSection();

    /// <summary>docs/*.md, optionally followed by "Section" and then by ", item n".</summary>
    [GeneratedRegex(@"docs/([\w.-]+\.md)(?:,?\s*""([^""]+)""(?:,\s*item\s+(\d+))?)?")]
    private static partial Regex DocumentCitation();

    [GeneratedRegex(@"\bitem\s+\d+\b")]
    private static partial Regex LooseItem();

    [GeneratedRegex(@"^#+\s+(\d+(?:\.\d+)*)\.?\s")]
    private static partial Regex NumberedHeading();

    [GeneratedRegex(@"^(\d+)\.\s")]
    private static partial Regex ListItem();
}
