using System.Globalization;
using System.Text.RegularExpressions;

namespace PoeSharp.Integration.Tests.Support;

/// <summary>
/// The CHILDCOST lines a child prints when <c>POESHARP_CHILD_COST=1</c> (docs/FORK-SAFETY.md,
/// "Cost of a child"): how many methods each child compiled after the fork.
/// </summary>
internal static partial class ChildCost
{
    [GeneratedRegex(@"^CHILDCOST pid=\d+ ")]
    public static partial Regex Line();

    [GeneratedRegex(@" jit_methods=(\d+) ")]
    private static partial Regex JitMethods();

    /// <summary>The CHILDCOST lines so far, and the methods each of those children compiled.</summary>
    public static (string[] Lines, int[] Compiled) Read(ServerProcess server)
    {
        string[] lines = server.StderrLines.Where(l => Line().IsMatch(l)).ToArray();
        return (lines, lines.Select(l => int.Parse(JitMethods().Match(l).Groups[1].Value, CultureInfo.InvariantCulture)).ToArray());
    }
}
