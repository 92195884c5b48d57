using System.Buffers;

namespace PoeSharp.Filters.Tests.Conformance;

/// <summary>
/// The checks every filter must pass (after POE's t/10_units/05_filters/TestFilter.pm): Put→TryGet round
/// trips, whole input and every split of it give the same records, incomplete input consumes nothing,
/// Clone gives the same configuration with empty state, Reset forgets partial state, Put rejects wrong types.
/// A filter's test class inherits this fixture and supplies a factory and sample records.
/// </summary>
public abstract class FilterConformance<TFilter> where TFilter : IFilter
{
    /// <summary>A new filter with the configuration under test.</summary>
    protected abstract TFilter CreateFilter();

    /// <summary>Records to Put; they must come back (after <see cref="Expected"/>) from TryGet.</summary>
    protected abstract IReadOnlyList<object> SampleRecords();

    /// <summary>What TryGet returns for a record that was Put (default: the record itself).</summary>
    protected virtual object? Expected(object putRecord) => putRecord;

    /// <summary>
    /// Turns decoded records into the form compared across splits. Filters without framing (Stream)
    /// override this to concatenate, since their record boundaries follow the reads.
    /// </summary>
    protected virtual IReadOnlyList<object?> Normalize(IReadOnlyList<object?> records) => records;

    /// <summary>False for filters where any non-empty input is a record (Stream).</summary>
    protected virtual bool HasFraming => true;

    /// <summary>
    /// The length of the shortest prefix of <paramref name="encodedFirstRecord"/> that already yields the
    /// record (default: all of it). Line's default reader returns a line at its CR before the LF arrives.
    /// </summary>
    protected virtual int ShortestCompletePrefix(byte[] encodedFirstRecord) => encodedFirstRecord.Length;

    /// <summary>
    /// Checks the bytes left in the caller's buffer after all records were read (default: none). Line's
    /// default reader may leave the LF of a CRLF that was split after the CR, to be skipped later.
    /// </summary>
    protected virtual void AssertNothingLeft(byte[] left, string because) => Assert.That(left, Is.Empty, because);

    /// <summary>A record of a type the filter does not write.</summary>
    protected virtual object WrongTypeRecord => new Uri("http://example.invalid/");

    private byte[] Encoded() => FilterFeeder.PutAll(CreateFilter(), SampleRecords());

    private IReadOnlyList<object?> ExpectedRecords()
    {
        var list = new List<object?>();
        foreach (object r in SampleRecords()) list.Add(Expected(r));
        return Normalize(list);
    }

    [Test]
    public void Name_IsShortAndNotEmpty()
    {
        Assert.That(CreateFilter().Name, Is.Not.Empty.And.Length.LessThan(40));
    }

    [Test]
    public void PutThenGet_RoundTrips()
    {
        var records = FilterFeeder.FeedWhole(CreateFilter(), Encoded());
        Assert.That(Normalize(records), Is.EqualTo(ExpectedRecords()));
    }

    [Test]
    public void EveryTwoWaySplit_GivesTheSameRecords()
    {
        byte[] input = Encoded();
        var expected = ExpectedRecords();
        foreach ((byte[] a, byte[] b) in ByteSplitter.TwoWaySplits(input))
        {
            var records = FilterFeeder.FeedChunks(CreateFilter(), [a, b], out byte[] left);
            Assert.That(Normalize(records), Is.EqualTo(expected), $"split at {a.Length}");
            AssertNothingLeft(left, $"split at {a.Length}");
        }
    }

    [Test]
    public void OneByteAtATime_GivesTheSameRecords()
    {
        byte[] input = Encoded();
        var records = FilterFeeder.FeedChunks(CreateFilter(), ByteSplitter.OneByteChunks(input), out byte[] left);
        Assert.That(Normalize(records), Is.EqualTo(ExpectedRecords()));
        AssertNothingLeft(left, "one byte at a time");
    }

    [Test]
    public void ChunksOfThree_GiveTheSameRecords()
    {
        byte[] input = Encoded();
        var records = FilterFeeder.FeedChunks(CreateFilter(), ByteSplitter.Chunks(input, 3), out _);
        Assert.That(Normalize(records), Is.EqualTo(ExpectedRecords()));
    }

    [Test]
    public void OneFilterReusedAcrossCalls_WithEmptyReads_GivesTheSameRecords()
    {
        byte[] input = Encoded();
        var sizes = new List<int>();
        for (int i = 0; i < input.Length; i++) { sizes.Add(0); sizes.Add(1); }
        var records = FilterFeeder.Feed(CreateFilter(), input, sizes);
        Assert.That(Normalize(records), Is.EqualTo(ExpectedRecords()));
    }

    [Test]
    public void IncompleteFirstRecord_ConsumesNothing()
    {
        if (!HasFraming) Assert.Ignore("Any input is a record for this filter.");
        var first = FilterFeeder.PutAll(CreateFilter(), [SampleRecords()[0]]);
        var filter = CreateFilter();
        // The same filter sees growing prefixes, as from a wheel, and a fresh one sees each prefix once.
        for (int i = 0; i < ShortestCompletePrefix(first); i++)
        {
            DecodeStatus status = filter.TryGet(first.AsSpan(0, i), out object? record, out int consumed);
            Assert.That((status, consumed, record), Is.EqualTo((DecodeStatus.NeedMoreData, 0, (object?)null)), $"prefix {i} (same filter)");
            status = CreateFilter().TryGet(first.AsSpan(0, i), out record, out consumed);
            Assert.That((status, consumed, record), Is.EqualTo((DecodeStatus.NeedMoreData, 0, (object?)null)), $"prefix {i} (fresh filter)");
        }
    }

    [Test]
    public void EmptyInput_IsNeedMoreData()
    {
        DecodeStatus status = CreateFilter().TryGet(ReadOnlySpan<byte>.Empty, out object? record, out int consumed);
        Assert.That((status, consumed, record), Is.EqualTo((DecodeStatus.NeedMoreData, 0, (object?)null)));
    }

    [Test]
    public void Clone_HasSameConfigurationAndEmptyState()
    {
        byte[] input = Encoded();
        var filter = CreateFilter();
        // Leave partial state behind: everything but the last byte.
        FilterFeeder.FeedChunks(filter, [input[..^1]], out _);
        IFilter clone = filter.Clone();
        Assert.That(ReferenceEquals(clone, filter), Is.False, "Clone returns a new filter");
        Assert.That(clone.GetType(), Is.EqualTo(filter.GetType()));
        Assert.That(clone.Name, Is.EqualTo(filter.Name));
        Assert.That(FilterFeeder.PutAll(clone, SampleRecords()), Is.EqualTo(input), "clone writes the same bytes");
        var records = FilterFeeder.FeedWhole(clone, input);
        Assert.That(Normalize(records), Is.EqualTo(ExpectedRecords()), "clone decodes from a clean state");
    }

    [Test]
    public void Reset_ForgetsPartialState()
    {
        byte[] input = Encoded();
        var filter = CreateFilter();
        FilterFeeder.FeedChunks(filter, [input[..^1]], out _);
        filter.Reset();
        var records = FilterFeeder.FeedWhole(filter, input);
        Assert.That(Normalize(records), Is.EqualTo(ExpectedRecords()));
    }

    [Test]
    public void Reset_AfterALongPartialRecord_DoesNotSkipAnything()
    {
        // A filter that remembers how far it scanned must forget it on Reset, or it would skip
        // the start of the next stream.
        byte[] input = Encoded();
        var filter = CreateFilter();
        var pad = new List<byte[]> { input[..^1] };
        FilterFeeder.FeedChunks(filter, pad, out _);
        filter.Reset();
        var records = FilterFeeder.FeedChunks(filter, ByteSplitter.OneByteChunks(input), out _);
        Assert.That(Normalize(records), Is.EqualTo(ExpectedRecords()));
    }

    [Test]
    public void Put_OfAWrongType_ThrowsArgumentExceptionNamingTheAcceptedTypes()
    {
        var ex = Assert.Throws<ArgumentException>(() => CreateFilter().Put(WrongTypeRecord, new ArrayBufferWriter<byte>()));
        Assert.That(ex!.Message, Does.Contain("accept"));
    }
}
