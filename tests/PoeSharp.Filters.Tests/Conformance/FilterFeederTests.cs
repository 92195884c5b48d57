using System.Buffers;

namespace PoeSharp.Filters.Tests.Conformance;

[TestFixture]
public sealed class FilterFeederTests
{
    /// <summary>Records the chunks it is shown and returns each 2-byte pair; misbehaves on request.</summary>
    private sealed class PairFilter(bool consumeOnNeedMore = false, bool wrongErrorRecord = false) : IFilter
    {
        public List<int> SeenLengths { get; } = [];
        public string Name => "Pair";

        public DecodeStatus TryGet(ReadOnlySpan<byte> input, out object? record, out int consumed)
        {
            SeenLengths.Add(input.Length);
            if (input.Length >= 1 && input[0] == 0xFF)
            {
                record = wrongErrorRecord ? "oops" : new FilterError(Name, "bad");
                consumed = 1;
                return DecodeStatus.Error;
            }
            if (input.Length < 2)
            {
                record = null;
                consumed = consumeOnNeedMore ? input.Length : 0;
                return DecodeStatus.NeedMoreData;
            }
            record = input[..2].ToArray();
            consumed = 2;
            return DecodeStatus.Record;
        }

        public void Put(object record, IBufferWriter<byte> output) => output.Write((byte[])record);
        public void Reset() { }
        public IFilter Clone() => new PairFilter();
    }

    [Test]
    public void Feed_KeepsUnconsumedBytesAndAppends_LikeAWheel()
    {
        var filter = new PairFilter();
        var records = FilterFeeder.Feed(filter, new byte[] { 1, 2, 3, 4, 5 }, [1, 2]);
        Assert.That(records, Is.EqualTo(new[] { new byte[] { 1, 2 }, new byte[] { 3, 4 } }));
        // reads: [1] -> 1 byte; [2,3] -> 3 bytes, then 1 left; [4,5] -> 3 bytes, then 1 left.
        Assert.That(filter.SeenLengths, Is.EqualTo(new[] { 1, 3, 1, 3, 1 }));
    }

    [Test]
    public void FeedChunks_ReportsTheBytesLeftOver()
    {
        FilterFeeder.FeedChunks(new PairFilter(), [[1, 2, 3]], out byte[] left);
        Assert.That(left, Is.EqualTo(new byte[] { 3 }));
    }

    [Test]
    public void Feed_StopsAtTheFirstError_UnlessToldToContinue()
    {
        byte[] input = [1, 2, 0xFF, 3, 4];
        var stopped = FilterFeeder.FeedWhole(new PairFilter(), input);
        Assert.That(stopped, Has.Count.EqualTo(2));
        Assert.That(stopped[1], Is.TypeOf<FilterError>());
        var all = FilterFeeder.FeedWhole(new PairFilter(), input, continueAfterError: true);
        Assert.That(all, Has.Count.EqualTo(3));
        Assert.That(all[2], Is.EqualTo(new byte[] { 3, 4 }));
    }

    [Test]
    public void Feed_RejectsAFilterThatConsumesOnNeedMoreData()
    {
        Assert.Throws<InvalidOperationException>(() => FilterFeeder.FeedWhole(new PairFilter(consumeOnNeedMore: true), [1]));
    }

    [Test]
    public void Feed_RejectsAnErrorRecordThatIsNotAFilterError()
    {
        Assert.Throws<InvalidOperationException>(() => FilterFeeder.FeedWhole(new PairFilter(wrongErrorRecord: true), [0xFF]));
    }

    [Test]
    public void Feed_RejectsChunkSizesThatDoNotFit()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FilterFeeder.Feed(new PairFilter(), new byte[] { 1 }, [2]));
    }

    [Test]
    public void ByteSplitter_TwoWaySplits_CoversEveryPointIncludingBothEnds()
    {
        var splits = ByteSplitter.TwoWaySplits([1, 2]).ToList();
        Assert.That(splits.Select(s => (s.a.Length, s.b.Length)), Is.EqualTo(new[] { (0, 2), (1, 1), (2, 0) }));
        Assert.That(splits.All(s => s.a.Concat(s.b).SequenceEqual(new byte[] { 1, 2 })), Is.True);
    }

    [Test]
    public void ByteSplitter_Chunks_CutsIntoEqualPiecesAndARest()
    {
        Assert.That(ByteSplitter.Chunks([1, 2, 3, 4, 5], 2), Is.EqualTo(new[] { new byte[] { 1, 2 }, [3, 4], [5] }));
        Assert.That(ByteSplitter.OneByteChunks([7, 8]), Is.EqualTo(new[] { new byte[] { 7 }, [8] }));
        Assert.That(ByteSplitter.SplitPoints(2), Is.EqualTo(new[] { 0, 1, 2 }));
    }
}
