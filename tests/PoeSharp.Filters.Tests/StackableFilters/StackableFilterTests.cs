using System.Buffers;
using System.Globalization;
using System.Text;
using PoeSharp.Filters.Tests.Conformance;

namespace PoeSharp.Filters.Tests.StackableFilters;

[TestFixture]
public sealed class StackableFilterConformanceTests : FilterConformance<StackableFilter>
{
    // Lines of decimal numbers, read as ints: Line, then Map(parse/format), then Grep (keeps ints).
    protected override StackableFilter CreateFilter() => new(
        new LineFilter(new LineFilterOptions { Literal = "\n" }),
        new MapFilter(get: s => int.Parse((string)s!, CultureInfo.InvariantCulture),
                      put: o => o is int i ? i.ToString(CultureInfo.InvariantCulture) : o),
        new GrepFilter(get: o => o is int, put: null));

    protected override IReadOnlyList<object> SampleRecords() => [1, 42, -7, 0, 123456789];
}

[TestFixture]
public sealed class StackableFilterTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);
    private static LineFilter Lf() => new(new LineFilterOptions { Literal = "\n" });

    [Test]
    public void Get_RunsFirstToLast_Put_RunsLastToFirst()
    {
        var filter = new StackableFilter(Lf(),
            new MapFilter(get: s => s + "A", put: s => s + "a"),
            new MapFilter(get: s => s + "B", put: s => s + "b"));
        Assert.That(FilterFeeder.FeedWhole(filter, B("x\n")), Is.EqualTo(new[] { "xAB" }));
        Assert.That(FilterFeeder.PutAll(filter, ["y"]), Is.EqualTo(B("yba\n")));
    }

    [Test]
    public void MapCode_AppliesBothWays()
    {
        var filter = new StackableFilter(Lf(), new MapFilter(s => ((string)s!).ToUpperInvariant()));
        Assert.That(FilterFeeder.FeedWhole(filter, B("abc\n")), Is.EqualTo(new[] { "ABC" }));
        Assert.That(FilterFeeder.PutAll(filter, ["def"]), Is.EqualTo(B("DEF\n")));
    }

    [Test]
    public void GrepCode_DropsBothWays()
    {
        var filter = new StackableFilter(Lf(), new GrepFilter(s => !((string)s!).StartsWith('#')));
        Assert.That(FilterFeeder.FeedWhole(filter, B("a\n#b\nc\n")), Is.EqualTo(new[] { "a", "c" }));
        Assert.That(FilterFeeder.PutAll(filter, ["#x", "y"]), Is.EqualTo(B("y\n")));
    }

    [Test]
    public void GrepGetAndPut_AreSeparate()
    {
        var filter = new StackableFilter(Lf(), new GrepFilter(get: s => (string)s! != "g", put: s => (string)s! != "p"));
        Assert.That(FilterFeeder.FeedWhole(filter, B("g\np\n")), Is.EqualTo(new[] { "p" }));
        Assert.That(FilterFeeder.PutAll(filter, ["g", "p"]), Is.EqualTo(B("g\n")));
    }

    [Test]
    public void DroppedRecords_GiveTheSameResultForEverySplit()
    {
        byte[] input = B("drop1\nkeep1\ndrop2\ndrop3\nkeep2\ndrop4\n");
        foreach ((byte[] a, byte[] b) in ByteSplitter.TwoWaySplits(input))
        {
            var filter = new StackableFilter(Lf(), new GrepFilter(s => !((string)s!).StartsWith("drop", StringComparison.Ordinal)));
            var records = FilterFeeder.FeedChunks(filter, [a, b], out byte[] left);
            Assert.That(records, Is.EqualTo(new[] { "keep1", "keep2" }), $"split at {a.Length}");
            // The dropped last line stays in the caller's buffer until a record survives.
            Assert.That(left, Is.EqualTo(B("drop4\n")), $"split at {a.Length}");
        }
    }

    [Test]
    public void DroppedRecords_AreNotDecodedTwice()
    {
        int calls = 0;
        var filter = new StackableFilter(Lf(), new GrepFilter(s => { calls++; return (string)s! == "k"; }));
        Assert.That(filter.TryGet(B("d1\nd2\n"), out _, out int consumed), Is.EqualTo(DecodeStatus.NeedMoreData));
        Assert.That(consumed, Is.Zero);
        Assert.That(filter.TryGet(B("d1\nd2\nk\n"), out object? record, out consumed), Is.EqualTo(DecodeStatus.Record));
        Assert.That((record, consumed, calls), Is.EqualTo(((object?)"k", 8, 3)));
    }

    [Test]
    public void InputShorterThanTheDroppedBytes_Throws()
    {
        var filter = new StackableFilter(Lf(), new GrepFilter(_ => false));
        filter.TryGet(B("a\nb\n"), out _, out _);
        Assert.Throws<InvalidOperationException>(() => filter.TryGet(B("a"), out _, out _));
        filter.Reset();
        Assert.That(filter.TryGet(B("a"), out _, out _), Is.EqualTo(DecodeStatus.NeedMoreData));
    }

    [Test]
    public void FramingError_PassesThroughWithoutTheStages()
    {
        int calls = 0;
        var filter = new StackableFilter(new LineFilter(new LineFilterOptions { MaxLineLength = 3 }),
                                         new MapFilter(s => { calls++; return s; }));
        Assert.That(filter.TryGet(B("toolong\n"), out object? record, out int consumed), Is.EqualTo(DecodeStatus.Error));
        Assert.That(record, Is.TypeOf<FilterError>().And.Property("Filter").EqualTo("Line"));
        Assert.That((consumed, calls, filter.LastError), Is.EqualTo((8, 0, record)));
    }

    [Test]
    public void PushPopShiftUnshift_EditTheStages_AndFilterTypesListsThem()
    {
        var map = new MapFilter(s => s);
        var grep = new GrepFilter(_ => true);
        var filter = new StackableFilter(Lf(), map);
        Assert.That(filter.FilterTypes, Is.EqualTo(new[] { "Line", "Map" }));
        filter.Push(grep);
        Assert.That(filter.FilterTypes, Is.EqualTo(new[] { "Line", "Map", "Grep" }));
        var g2 = new GrepFilter(_ => true);
        var m2 = new MapFilter(s => s);
        filter.Unshift(g2, m2);
        Assert.That(filter.FilterTypes, Is.EqualTo(new[] { "Line", "Grep", "Map", "Map", "Grep" }));
        Assert.That(filter.Shift(), Is.SameAs(g2));
        Assert.That(filter.Pop(), Is.SameAs(grep));
        Assert.That(filter.Stages, Is.EqualTo(new IRecordStage[] { m2, map }));
        Assert.That(filter.Pop(), Is.SameAs(map));
        Assert.That(filter.Shift(), Is.SameAs(m2));
        Assert.That((filter.Pop(), filter.Shift()), Is.EqualTo(((IRecordStage?)null, (IRecordStage?)null)));
        Assert.That(filter.FilterTypes, Is.EqualTo(new[] { "Line" }));
    }

    [Test]
    public void Clone_CopiesTheStack_Independently()
    {
        var filter = new StackableFilter(Lf(), new MapFilter(s => s), new GrepFilter(_ => true));
        var clone = (StackableFilter)filter.Clone();
        Assert.That(clone.FilterTypes, Is.EqualTo(filter.FilterTypes));
        Assert.That(clone.Frame, Is.Not.SameAs(filter.Frame));
        clone.Pop();
        Assert.That(filter.Stages, Has.Count.EqualTo(2));
    }

    [Test]
    public void Put_OfAStageResultTheFrameCannotWrite_ThrowsArgumentException()
    {
        var filter = new StackableFilter(Lf(), new MapFilter(get: null, put: _ => null));
        Assert.Throws<ArgumentException>(() => filter.Put("x", new ArrayBufferWriter<byte>()));
        var filter2 = new StackableFilter(Lf());
        var ex = Assert.Throws<ArgumentException>(() => filter2.Put(42, new ArrayBufferWriter<byte>()));
        Assert.That(ex!.Message, Does.Contain("string"));
    }

    [Test]
    public void BadArguments_ThrowArgumentException()
    {
        Assert.Throws<ArgumentException>(() => _ = new StackableFilter(null!));
        Assert.Throws<ArgumentException>(() => _ = new StackableFilter(Lf(), [null!]));
        Assert.Throws<ArgumentException>(() => _ = new GrepFilter(null, null));
        Assert.Throws<ArgumentException>(() => _ = new GrepFilter(null!));
        Assert.Throws<ArgumentException>(() => _ = new MapFilter(null, null));
        Assert.Throws<ArgumentException>(() => _ = new MapFilter(null!));
    }
}
