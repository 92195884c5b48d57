using PoeSharp.Filters.Tests.Conformance;

namespace PoeSharp.Filters.Tests.LineFilters;

internal static class LineSamples
{
    public static IReadOnlyList<object> Records { get; } =
        ["hello", "", "wörld ☃", "a longer line with spaces and tabs\tin it", "", "x"];
}

[TestFixture]
public sealed class LineFilterDefaultConformanceTests : FilterConformance<LineFilter>
{
    protected override LineFilter CreateFilter() => new();
    protected override IReadOnlyList<object> SampleRecords() => LineSamples.Records;

    // "hello\r" is already a line: the reader does not wait for the LF (it skips it when it comes).
    protected override int ShortestCompletePrefix(byte[] encodedFirstRecord) => encodedFirstRecord.Length - 1;

    protected override void AssertNothingLeft(byte[] left, string because)
        => Assert.That(left, Is.Empty.Or.EqualTo(new byte[] { 10 }), because);
}

[TestFixture]
public sealed class LineFilterLfLiteralConformanceTests : FilterConformance<LineFilter>
{
    protected override LineFilter CreateFilter() => new(new LineFilterOptions { Literal = "\n" });
    protected override IReadOnlyList<object> SampleRecords() => [.. LineSamples.Records, "with\rcr"];
}

[TestFixture]
public sealed class LineFilterMultiByteLiteralConformanceTests : FilterConformance<LineFilter>
{
    protected override LineFilter CreateFilter() => new(new LineFilterOptions { Literal = "<EOL>" });
    protected override IReadOnlyList<object> SampleRecords() => [.. LineSamples.Records, "<EO", "a\r\nb", "<<EOL"];
}

[TestFixture]
public sealed class LineFilterAutodetectConformanceTests : FilterConformance<LineFilter>
{
    protected override LineFilter CreateFilter() => new(new LineFilterOptions { AutodetectInput = true });
    protected override IReadOnlyList<object> SampleRecords() => LineSamples.Records;
    protected override int ShortestCompletePrefix(byte[] encodedFirstRecord) => encodedFirstRecord.Length - 1;
}

[TestFixture]
public sealed class LineFilterCrOutputConformanceTests : FilterConformance<LineFilter>
{
    // CR-only output read back by the default reader: every line ends with the last byte of some reads.
    protected override LineFilter CreateFilter() => new(new LineFilterOptions { OutputLiteral = "\r" });
    protected override IReadOnlyList<object> SampleRecords() => LineSamples.Records;
}
