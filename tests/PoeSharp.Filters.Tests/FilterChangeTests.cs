using System.Text;
using PoeSharp.Filters.Tests.Conformance;

namespace PoeSharp.Filters.Tests;

/// <summary>
/// Switching filters mid-stream (POE's 99_filterchange.t and ReadWrite's set_filter): the caller hands the
/// bytes the old filter did not consume to the new one.
/// </summary>
[TestFixture]
public sealed class FilterChangeTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Test]
    public void LineThenBlockThenStream_EachSeesOnlyItsBytes()
    {
        byte[] input = B("GET\r\nBLOCK\r\n3\0xyzrest of the stream");
        var line = new LineFilter();
        int offset = 0;
        var lines = new List<string?>();
        while (lines.Count < 2 && line.TryGetOne(input.AsSpan(offset), out string? l, out int used) == DecodeStatus.Record)
        {
            lines.Add(l);
            offset += used;
        }
        Assert.That(lines, Is.EqualTo(new[] { "GET", "BLOCK" }));

        var block = new BlockFilter();
        Assert.That(block.TryGetOne(input.AsSpan(offset), out byte[]? data, out int consumed), Is.EqualTo(DecodeStatus.Record));
        Assert.That(data, Is.EqualTo(B("xyz")));
        offset += consumed;

        Assert.That(FilterFeeder.FeedWhole(new StreamFilter(), input.AsSpan(offset)), Is.EqualTo(new[] { B("rest of the stream") }));
    }

    [Test]
    public void SwitchingAfterALineEndingInABareCr_HandsAFollowingLfToTheNextFilter()
    {
        // As in POE: the line filter has ended the line at the CR, so the LF is not its to keep.
        var line = new LineFilter();
        Assert.That(line.TryGetOne(B("hi\r"), out string? text, out int consumed), Is.EqualTo(DecodeStatus.Record));
        Assert.That((text, consumed), Is.EqualTo(("hi", 3)));
        Assert.That(FilterFeeder.FeedWhole(new StreamFilter(), B("\nraw")), Is.EqualTo(new[] { B("\nraw") }));
    }
}
