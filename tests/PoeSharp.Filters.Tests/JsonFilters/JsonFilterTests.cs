using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using PoeSharp.Filters.Tests.Conformance;

namespace PoeSharp.Filters.Tests.JsonFilters;

[TestFixture]
public sealed class JsonFilterConformanceTests : FilterConformance<JsonFilter<Point>>
{
    protected override JsonFilter<Point> CreateFilter() => new();
    protected override IReadOnlyList<object> SampleRecords() =>
        [new Point(1, "one", 1.5), new Point(-2, "två ☃", 0), new Point(int.MaxValue, "", -1e300)];
}

[TestFixture]
public sealed class JsonFilterArrayConformanceTests : FilterConformance<JsonFilter<int[]>>
{
    protected override JsonFilter<int[]> CreateFilter() => new(PointJsonContextless.Options);
    protected override IReadOnlyList<object> SampleRecords() => [new[] { 1, 2, 3 }, Array.Empty<int>(), new[] { -5 }];
}

internal static class PointJsonContextless
{
    public static JsonSerializerOptions Options { get; } = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
}

[TestFixture]
public sealed class JsonFilterTests
{
    private static byte[] Frame(string json)
    {
        byte[] payload = Encoding.UTF8.GetBytes(json);
        byte[] frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, payload.Length);
        payload.CopyTo(frame, 4);
        return frame;
    }

    [Test]
    public void Put_WritesBigEndianLengthThenJson()
    {
        byte[] wire = FilterFeeder.PutAll(new JsonFilter<Point>(), [new Point(3, "p", 0.5)]);
        string json = "{\"X\":3,\"Name\":\"p\",\"Y\":0.5}";
        Assert.That(wire, Is.EqualTo(Frame(json)));
    }

    [Test]
    public void SerializerOptions_AreHonoured()
    {
        var filter = new JsonFilter<Point>(new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase });
        Assert.That(FilterFeeder.PutAll(filter, [new Point(3, "p", 0.5)]), Is.EqualTo(Frame("{\"x\":3,\"name\":\"p\",\"y\":0.5}")));
    }

    [Test]
    public void SourceGeneratedTypeInfo_Works()
    {
        var filter = new JsonFilter<Point>(PointJsonContext.Default.Point);
        var point = new Point(7, "gen", 2);
        Assert.That(FilterFeeder.FeedWhole(filter, FilterFeeder.PutAll(filter, [point])), Is.EqualTo(new[] { point }));
    }

    [TestCase("{\"X\":1,", TestName = "Truncated JSON")]
    [TestCase("not json", TestName = "Not JSON")]
    [TestCase("\"a string\"", TestName = "JSON of the wrong shape")]
    [TestCase("{\"X\":\"nope\"}", TestName = "Property of the wrong type")]
    public void MalformedRecord_IsAnError_AndTheNextRecordStillDecodes(string json)
    {
        var filter = new JsonFilter<Point>();
        var good = new Point(1, "ok", 1);
        byte[] input = [.. Frame(json), .. FilterFeeder.PutAll(filter, [good])];
        var records = FilterFeeder.FeedWhole(filter, input, continueAfterError: true);
        Assert.That(records, Has.Count.EqualTo(2));
        Assert.That(records[0], Is.TypeOf<FilterError>());
        Assert.That(((FilterError)records[0]!).Message, Does.StartWith("malformed JSON for Point"));
        Assert.That(records[1], Is.EqualTo(good));
    }

    [Test]
    public void MalformedRecord_ConsumesExactlyItsFrame()
    {
        var filter = new JsonFilter<Point>();
        byte[] bad = Frame("{oops}");
        Assert.That(filter.TryGet([.. bad, 0, 0], out object? record, out int consumed), Is.EqualTo(DecodeStatus.Error));
        Assert.That((consumed, record), Is.EqualTo((bad.Length, (object?)filter.LastError)));
    }

    [Test]
    public void JsonNull_IsANullRecord()
    {
        Assert.That(new JsonFilter<Point>().TryGetOne(Frame("null"), out Point? point, out int consumed), Is.EqualTo(DecodeStatus.Record));
        Assert.That((point, consumed), Is.EqualTo(((Point?)null, 8)));
    }

    [Test]
    public void LengthAboveMaxLength_IsAnError_UntilReset()
    {
        var filter = new JsonFilter<Point>(JsonSerializerOptions.Default, maxLength: 16);
        Assert.That(filter.TryGet([0, 0, 0, 17], out object? record, out int consumed), Is.EqualTo(DecodeStatus.Error));
        Assert.That(((FilterError)record!).Message, Does.Contain("MaxLength"));
        Assert.That(consumed, Is.EqualTo(4));
        Assert.That(filter.TryGet(Frame("null"), out _, out _), Is.EqualTo(DecodeStatus.Error), "framing is lost");
        filter.Reset();
        Assert.That(filter.TryGet(Frame("null"), out _, out _), Is.EqualTo(DecodeStatus.Record));
    }

    [Test]
    public void DefaultMaxLength_Is1MiB()
    {
        Assert.That(new JsonFilter<Point>().MaxLength, Is.EqualTo(1024 * 1024));
    }

    [Test]
    public void NegativeMaxLength_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => _ = new JsonFilter<Point>(JsonSerializerOptions.Default, -1));
    }

    [Test]
    public void Put_OfAnotherType_NamesTheAcceptedType()
    {
        var ex = Assert.Throws<ArgumentException>(() => new JsonFilter<Point>().Put("text", new System.Buffers.ArrayBufferWriter<byte>()));
        Assert.That(ex!.Message, Does.Contain(typeof(Point).FullName));
    }

    [Test]
    public void BigRecords_RoundTrip_AndLaterSmallOnesToo()
    {
        var filter = new JsonFilter<Point>();
        var big = new Point(1, new string('z', 200_000), 0);
        var small = new Point(2, "s", 0);
        byte[] wire = FilterFeeder.PutAll(filter, [big, small, small]);
        Assert.That(FilterFeeder.FeedWhole(filter, wire), Is.EqualTo(new[] { big, small, small }));
    }
}
