using System.Buffers;
using System.Text;
using PoeSharp.Filters.Tests.Conformance;

namespace PoeSharp.Filters.Tests.BlockFilters;

[TestFixture]
public sealed class BlockFilterPoeCodecConformanceTests : FilterConformance<BlockFilter>
{
    protected override BlockFilter CreateFilter() => new();
    protected override IReadOnlyList<object> SampleRecords() =>
        ["hello", new byte[0], new ReadOnlyMemory<byte>(new byte[300]), new byte[] { 0, 0, 1 }, "1\0x"];
    protected override object? Expected(object putRecord) => BytePayloads.ToBytes(putRecord);
}

[TestFixture]
public sealed class BlockFilterBigEndianConformanceTests : FilterConformance<BlockFilter>
{
    protected override BlockFilter CreateFilter() => new(new BlockFilterOptions { LengthCodec = BlockLengthCodec.BigEndian32 });
    protected override IReadOnlyList<object> SampleRecords() =>
        ["hello", new byte[0], new ReadOnlyMemory<byte>(new byte[300]), new byte[] { 0, 0, 1 }];
    protected override object? Expected(object putRecord) => BytePayloads.ToBytes(putRecord);
}

[TestFixture]
public sealed class BlockFilterFixedSizeConformanceTests : FilterConformance<BlockFilter>
{
    protected override BlockFilter CreateFilter() => new(new BlockFilterOptions { BlockSize = 4 });
    protected override IReadOnlyList<object> SampleRecords() =>
        ["abcd", new byte[] { 0, 1, 2, 3 }, new ReadOnlyMemory<byte>([9, 9, 9, 9]), "wxyz"];
    protected override object? Expected(object putRecord) => BytePayloads.ToBytes(putRecord);
}

[TestFixture]
public sealed class BlockFilterTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    [Test]
    public void PoeCodec_WritesDecimalLengthAndNul()
    {
        Assert.That(FilterFeeder.PutAll(new BlockFilter(), ["hello", new byte[0]]), Is.EqualTo(B("5\0hello0\0")));
    }

    [Test]
    public void BigEndianCodec_WritesFourBytesOfLength()
    {
        var filter = new BlockFilter(new BlockFilterOptions { LengthCodec = BlockLengthCodec.BigEndian32 });
        Assert.That(FilterFeeder.PutAll(filter, ["hi"]), Is.EqualTo(new byte[] { 0, 0, 0, 2, (byte)'h', (byte)'i' }));
    }

    [TestCase("x\0abc", TestName = "Non-digit prefix")]
    [TestCase("\0abc", TestName = "No digits before NUL")]
    [TestCase("12a\0", TestName = "Letter inside the length")]
    [TestCase("12345678901\0", TestName = "Eleven digits")]
    [TestCase("9999999999\0", TestName = "Length above int.MaxValue")]
    public void PoeCodec_MalformedPrefix_IsAnError(string input)
    {
        var filter = new BlockFilter();
        Assert.That(filter.TryGet(B(input), out object? record, out int consumed), Is.EqualTo(DecodeStatus.Error));
        Assert.That(record, Is.TypeOf<FilterError>().And.Property("Message").Contains("malformed"));
        Assert.That(consumed, Is.EqualTo(input.Length));
    }

    [Test]
    public void PoeCodec_UnfinishedDigits_NeedMoreData()
    {
        Assert.That(new BlockFilter().TryGet(B("1234567890"), out _, out int consumed), Is.EqualTo(DecodeStatus.NeedMoreData));
        Assert.That(consumed, Is.Zero);
    }

    [Test]
    public void LengthAboveMaxLength_IsAnError_BeforeTheDataArrives_AndStaysUntilReset()
    {
        var filter = new BlockFilter(new BlockFilterOptions { MaxLength = 10 });
        Assert.That(FilterFeeder.FeedWhole(filter, B("10\00123456789")), Is.EqualTo(new[] { B("0123456789") }));
        Assert.That(filter.TryGet(B("11\0"), out object? record, out int consumed), Is.EqualTo(DecodeStatus.Error));
        Assert.That(((FilterError)record!).Message, Does.Contain("MaxLength"));
        Assert.That(consumed, Is.EqualTo(3));
        Assert.That(filter.TryGet(B("1\0x"), out _, out _), Is.EqualTo(DecodeStatus.Error), "framing is lost");
        filter.Reset();
        Assert.That(FilterFeeder.FeedWhole(filter, B("1\0x")), Is.EqualTo(new[] { B("x") }));
    }

    [Test]
    public void BigEndianCodec_LengthWithTopBitSet_IsAnError()
    {
        var filter = new BlockFilter(new BlockFilterOptions { LengthCodec = BlockLengthCodec.BigEndian32 });
        Assert.That(filter.TryGet(new byte[] { 0x80, 0, 0, 0 }, out _, out _), Is.EqualTo(DecodeStatus.Error));
    }

    [Test]
    public void DefaultMaxLength_Is1MiB()
    {
        Assert.That(new BlockFilter().Options.MaxLength, Is.EqualTo(1024 * 1024));
        Assert.That(new BlockFilter().TryGet(B("1048577\0"), out _, out _), Is.EqualTo(DecodeStatus.Error));
        Assert.That(new BlockFilter().TryGet(B("1048576\0"), out _, out _), Is.EqualTo(DecodeStatus.NeedMoreData));
    }

    [Test]
    public void FixedSize_ReadsWholeBlocks_AndKeepsTheRest()
    {
        var filter = new BlockFilter(new BlockFilterOptions { BlockSize = 3 });
        var records = FilterFeeder.FeedChunks(filter, [B("abcdefgh")], out byte[] left);
        Assert.That(records, Is.EqualTo(new[] { B("abc"), B("def") }));
        Assert.That(left, Is.EqualTo(B("gh")));
    }

    [Test]
    public void FixedSize_PutOfWholeBlocks_IsWrittenAsIs()
    {
        var filter = new BlockFilter(new BlockFilterOptions { BlockSize = 3 });
        Assert.That(FilterFeeder.PutAll(filter, ["abcdef"]), Is.EqualTo(B("abcdef")));
    }

    [Test]
    public void FixedSize_PutOfAPartialBlock_ThrowsArgumentException()
    {
        var filter = new BlockFilter(new BlockFilterOptions { BlockSize = 3 });
        var ex = Assert.Throws<ArgumentException>(() => filter.Put(new ReadOnlyMemory<byte>(new byte[4]), new ArrayBufferWriter<byte>()));
        Assert.That(ex!.Message, Does.Contain("whole blocks of 3"));
    }

    private static readonly TestCaseData[] BadOptions =
    [
        new TestCaseData(new BlockFilterOptions { BlockSize = 0 }).SetName("BlockSize 0"),
        new TestCaseData(new BlockFilterOptions { BlockSize = 4, LengthCodec = BlockLengthCodec.Poe }).SetName("BlockSize with LengthCodec"),
        new TestCaseData(new BlockFilterOptions { MaxLength = -1 }).SetName("Negative MaxLength"),
    ];

    [TestCaseSource(nameof(BadOptions))]
    public void BadOptions_ThrowArgumentException(BlockFilterOptions options)
    {
        Assert.Throws<ArgumentException>(() => _ = new BlockFilter(options));
    }

    private sealed class OneByteCodec : IBlockLengthCodec
    {
        public int MaxPrefixLength => 1;
        public int Encode(int length, Span<byte> destination) { destination[0] = checked((byte)length); return 1; }
        public OperationStatus TryDecode(ReadOnlySpan<byte> input, out int length, out int prefixLength)
        {
            length = input.IsEmpty ? 0 : input[0];
            prefixLength = input.IsEmpty ? 0 : 1;
            return input.IsEmpty ? OperationStatus.NeedMoreData : OperationStatus.Done;
        }
    }

    [Test]
    public void CustomCodec_IsUsedBothWays()
    {
        var filter = new BlockFilter(new BlockFilterOptions { LengthCodec = new OneByteCodec() });
        byte[] wire = FilterFeeder.PutAll(filter, ["ab", "c"]);
        Assert.That(wire, Is.EqualTo(new byte[] { 2, (byte)'a', (byte)'b', 1, (byte)'c' }));
        Assert.That(FilterFeeder.FeedBytewise(filter, wire), Is.EqualTo(new[] { B("ab"), B("c") }));
    }

    [Test]
    public void Decoding_AllocatesOnlyTheRecord()
    {
        var filter = new BlockFilter();
        byte[] wire = FilterFeeder.PutAll(filter, [new byte[100]]);
        filter.TryGetOne(wire, out _, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) filter.TryGetOne(wire, out _, out _);
        long perRecord = (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
        Assert.That(perRecord, Is.InRange(100, 100 + 32));
    }
}
