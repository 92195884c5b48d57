using System.Buffers;
using PoeSharp.Filters.Tests.Conformance;

namespace PoeSharp.Filters.Tests.StreamFilters;

[TestFixture]
public sealed class StreamFilterConformanceTests : FilterConformance<StreamFilter>
{
    protected override StreamFilter CreateFilter() => new();
    protected override IReadOnlyList<object> SampleRecords() =>
        [new byte[] { 1, 2, 3 }, new ReadOnlyMemory<byte>([4, 5, 0, 255]), "héllo", new byte[0], new Memory<byte>([9])];
    protected override object? Expected(object putRecord) => BytePayloads.ToBytes(putRecord);
    protected override IReadOnlyList<object?> Normalize(IReadOnlyList<object?> records) => BytePayloads.Concatenate(records);
    protected override bool HasFraming => false;
}

[TestFixture]
public sealed class StreamFilterTests
{
    [Test]
    public void EveryRead_IsOneRecord_HoldingAllOfIt()
    {
        var filter = new StreamFilter();
        byte[] buffer = [1, 2, 3];
        Assert.That(filter.TryGetOne(buffer, out byte[]? record, out int consumed), Is.EqualTo(DecodeStatus.Record));
        Assert.That((record, consumed), Is.EqualTo((new byte[] { 1, 2, 3 }, 3)));
        buffer[0] = 42;
        Assert.That(record![0], Is.EqualTo(1), "the record owns its bytes");
    }

    [Test]
    public void Put_WritesBytesAsIs_AndStringsAsUtf8()
    {
        var filter = new StreamFilter();
        var writer = new ArrayBufferWriter<byte>();
        filter.Put(new ReadOnlyMemory<byte>([7, 8]), writer);
        filter.Put((object)"é", writer);
        filter.Put((object)new byte[] { 9 }, writer);
        Assert.That(writer.WrittenSpan.ToArray(), Is.EqualTo(new byte[] { 7, 8, 0xC3, 0xA9, 9 }));
    }

    [Test]
    public void Decoding_AllocatesOnlyTheRecord()
    {
        var filter = new StreamFilter();
        byte[] input = new byte[1000];
        filter.TryGetOne(input, out _, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) filter.TryGetOne(input, out _, out _);
        long perRecord = (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
        Assert.That(perRecord, Is.InRange(1000, 1000 + 32));
    }
}
