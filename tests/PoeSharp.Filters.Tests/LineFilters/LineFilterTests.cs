using System.Buffers;
using System.Text;
using PoeSharp.Filters.Tests.Conformance;

namespace PoeSharp.Filters.Tests.LineFilters;

[TestFixture]
public sealed class LineFilterTests
{
    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static List<object?> Whole(LineFilter f, string s) => FilterFeeder.FeedWhole(f, B(s));

    [Test]
    public void Default_AcceptsCrLf_Lf_Cr_AndLfCr()
    {
        Assert.That(Whole(new LineFilter(), "a\r\nb\nc\rd\n\re\n"), Is.EqualTo(new[] { "a", "b", "c", "d", "e" }));
    }

    [Test]
    public void Default_TwoCrs_AreTwoTerminators()
    {
        // POE's (\x0D\x0A?|\x0A\x0D?): CR CR is two bare CRs, so an empty line in between.
        Assert.That(Whole(new LineFilter(), "a\r\rb\n"), Is.EqualTo(new[] { "a", "", "b" }));
        Assert.That(Whole(new LineFilter(), "a\r\n\r\nb\n"), Is.EqualTo(new[] { "a", "", "b" }));
        Assert.That(Whole(new LineFilter(), "a\n\r\nb\n"), Is.EqualTo(new[] { "a", "", "b" }), "LF CR then LF");
    }

    [Test]
    public void Default_PutAppendsCrLf()
    {
        var writer = new ArrayBufferWriter<byte>();
        new LineFilter().Put("hi", writer);
        Assert.That(writer.WrittenSpan.ToArray(), Is.EqualTo(B("hi\r\n")));
    }

    [Test]
    public void CrLfSplitAcrossReads_GivesNoSpuriousEmptyLine()
    {
        var records = FilterFeeder.FeedChunks(new LineFilter(), [B("a\r"), B("\nb\r\n")], out byte[] left);
        Assert.That(records, Is.EqualTo(new[] { "a", "b" }));
        Assert.That(left, Is.Empty);
    }

    [Test]
    public void LfCrSplitAcrossReads_GivesNoSpuriousEmptyLine()
    {
        var records = FilterFeeder.FeedChunks(new LineFilter(), [B("a\n"), B("\rb\n")], out _);
        Assert.That(records, Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public void CrAtEndOfInput_EndsTheLineAtOnce_AndTheNextLfIsSkipped()
    {
        var filter = new LineFilter();
        Assert.That(filter.TryGetOne(B("a\r"), out string? line, out int consumed), Is.EqualTo(DecodeStatus.Record));
        Assert.That((line, consumed), Is.EqualTo(("a", 2)));

        // The LF alone completes the CRLF: no record, and nothing consumed (the contract of NeedMoreData).
        Assert.That(filter.TryGetOne(B("\n"), out line, out consumed), Is.EqualTo(DecodeStatus.NeedMoreData));
        Assert.That((line, consumed), Is.EqualTo(((string?)null, 0)));

        // The caller keeps the LF and appends: the LF is consumed with the next line.
        Assert.That(filter.TryGetOne(B("\nb\n"), out line, out consumed), Is.EqualTo(DecodeStatus.Record));
        Assert.That((line, consumed), Is.EqualTo(("b", 3)));
    }

    [Test]
    public void CrAtEndOfInput_FollowedByAnotherByte_IsABareCr()
    {
        var records = FilterFeeder.FeedChunks(new LineFilter(), [B("a\r"), B("b\r"), B("\r\n")], out _);
        Assert.That(records, Is.EqualTo(new[] { "a", "b", "" }));
    }

    [Test]
    public void Literal_IsUsedBothWays()
    {
        var filter = new LineFilter(new LineFilterOptions { Literal = "<>" });
        Assert.That(Whole(filter, "a\nb<>c<>d"), Is.EqualTo(new[] { "a\nb", "c" }));
        Assert.That(FilterFeeder.PutAll(filter, ["x"]), Is.EqualTo(B("x<>")));
    }

    [Test]
    public void InputAndOutputLiterals_AreIndependent()
    {
        var filter = new LineFilter(new LineFilterOptions { InputLiteral = ";", OutputLiteral = "\n" });
        Assert.That(Whole(filter, "a\nb;c;"), Is.EqualTo(new[] { "a\nb", "c" }));
        Assert.That(FilterFeeder.PutAll(filter, ["x"]), Is.EqualTo(B("x\n")));
    }

    [Test]
    public void PartialLiteralAtTheEnd_IsNotAScanMiss()
    {
        var filter = new LineFilter(new LineFilterOptions { InputLiteral = "\r\n" });
        var records = FilterFeeder.FeedChunks(filter, [B("ab\r"), B("\ncd\r"), B("x\r\n")], out _);
        Assert.That(records, Is.EqualTo(new[] { "ab", "cd\rx" }));
    }

    [TestCase("a\r\nb\nc\r\n", new[] { "a", "b\nc" }, TestName = "Autodetect locks CRLF")]
    [TestCase("a\nb\r\nc\n", new[] { "a", "b\r", "c" }, TestName = "Autodetect locks LF")]
    [TestCase("a\rb\r\nc\r", new[] { "a", "b", "\nc" }, TestName = "Autodetect locks CR")]
    [TestCase("a\n\rb\nc\n\r", new[] { "a", "b\nc" }, TestName = "Autodetect locks LFCR")]
    public void Autodetect_LocksTheFirstTerminator(string input, string[] expected)
    {
        Assert.That(Whole(new LineFilter(new LineFilterOptions { AutodetectInput = true }), input), Is.EqualTo(expected));
    }

    [Test]
    public void Autodetect_FirstTerminatorSplitAcrossReads_WaitsForTheNextByteToDecide()
    {
        var opts = new LineFilterOptions { AutodetectInput = true };
        Assert.That(FilterFeeder.FeedChunks(new LineFilter(opts), [B("a\r"), B("\nb\rc\r\n")], out _), Is.EqualTo(new[] { "a", "b\rc" }));
        Assert.That(FilterFeeder.FeedChunks(new LineFilter(opts), [B("a\r"), B("b\rc\n")], out _), Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public void Autodetect_ResetForgetsTheDetectedTerminator()
    {
        var filter = new LineFilter(new LineFilterOptions { AutodetectInput = true });
        Assert.That(Whole(filter, "a\n"), Is.EqualTo(new[] { "a" }));
        filter.Reset();
        Assert.That(Whole(filter, "b\r\nc\nd\r\n"), Is.EqualTo(new[] { "b", "c\nd" }));
    }

    [Test]
    public void LineOfExactlyMaxLength_IsAccepted()
    {
        var filter = new LineFilter(new LineFilterOptions { MaxLineLength = 8 });
        Assert.That(Whole(filter, "12345678\r\n"), Is.EqualTo(new[] { "12345678" }));
    }

    [Test]
    public void TooLongLine_IsAnErrorRecord_AndStaysAnErrorUntilReset()
    {
        var filter = new LineFilter(new LineFilterOptions { MaxLineLength = 8 });
        Assert.That(filter.TryGet(B("123456789\n"), out object? record, out int consumed), Is.EqualTo(DecodeStatus.Error));
        Assert.That(record, Is.TypeOf<FilterError>());
        Assert.That(((FilterError)record!).Message, Does.Contain("MaxLineLength"));
        Assert.That(((FilterError)record).Filter, Is.EqualTo("Line"));
        Assert.That(consumed, Is.EqualTo(10));
        Assert.That(filter.LastError, Is.EqualTo(record));

        Assert.That(filter.TryGet(B("ok\n"), out record, out consumed), Is.EqualTo(DecodeStatus.Error), "framing is lost");
        Assert.That(consumed, Is.EqualTo(3));

        filter.Reset();
        Assert.That(filter.LastError, Is.Null);
        Assert.That(Whole(filter, "ok\n"), Is.EqualTo(new[] { "ok" }));
    }

    [Test]
    public void TooLongLine_WithoutTerminator_IsAnErrorAsSoonAsItPassesTheLimit()
    {
        var filter = new LineFilter(new LineFilterOptions { MaxLineLength = 8 });
        Assert.That(filter.TryGet(B("12345678"), out _, out int consumed), Is.EqualTo(DecodeStatus.NeedMoreData));
        Assert.That(consumed, Is.Zero);
        Assert.That(filter.TryGet(B("123456789"), out object? record, out consumed), Is.EqualTo(DecodeStatus.Error));
        Assert.That((record, consumed), Is.EqualTo((filter.LastError, 9)));
    }

    [Test]
    public void TooLongLine_WithMultiByteLiteral_AllowsForAPartialTerminator()
    {
        var filter = new LineFilter(new LineFilterOptions { InputLiteral = "\r\n", MaxLineLength = 8 });
        Assert.That(filter.TryGet(B("12345678\r"), out _, out _), Is.EqualTo(DecodeStatus.NeedMoreData));
        Assert.That(filter.TryGet(B("12345678\r\n"), out object? record, out _), Is.EqualTo(DecodeStatus.Record));
        Assert.That(record, Is.EqualTo("12345678"));
        Assert.That(new LineFilter(new LineFilterOptions { InputLiteral = "\r\n", MaxLineLength = 8 }).TryGet(B("123456789x"), out _, out _),
                    Is.EqualTo(DecodeStatus.Error));
    }

    [Test]
    public void TooLongLine_GivesTheSameRecordsForEverySplit()
    {
        byte[] input = B("ok\n" + new string('x', 20) + "\nnext\n");
        foreach ((byte[] a, byte[] b) in ByteSplitter.TwoWaySplits(input))
        {
            var records = FilterFeeder.FeedChunks(new LineFilter(new LineFilterOptions { MaxLineLength = 8 }), [a, b], out _);
            Assert.That(records, Has.Count.EqualTo(2), $"split at {a.Length}");
            Assert.That(records[0], Is.EqualTo("ok"));
            Assert.That(records[1], Is.TypeOf<FilterError>());
        }
    }

    [Test]
    public void DefaultMaxLineLength_Is64KiB()
    {
        Assert.That(new LineFilter().Options.MaxLineLength, Is.EqualTo(64 * 1024));
        byte[] ok = B(new string('a', 64 * 1024) + "\n");
        Assert.That(FilterFeeder.FeedWhole(new LineFilter(), ok)[0], Is.TypeOf<string>());
        byte[] tooLong = B(new string('a', 64 * 1024 + 1) + "\n");
        Assert.That(FilterFeeder.FeedWhole(new LineFilter(), tooLong)[0], Is.TypeOf<FilterError>());
    }

    [Test]
    public void Encoding_IsUtf8ByDefault_AndInvalidBytesBecomeReplacementChars()
    {
        Assert.That(FilterFeeder.FeedWhole(new LineFilter(), [0xC3, 0xA9, 0xFF, (byte)'\n']), Is.EqualTo(new[] { "é\uFFFD" }));
    }

    [Test]
    public void Encoding_CanBeLatin1()
    {
        var filter = new LineFilter(new LineFilterOptions { Encoding = Encoding.Latin1 });
        Assert.That(FilterFeeder.PutAll(filter, ["café"]), Is.EqualTo(new byte[] { (byte)'c', (byte)'a', (byte)'f', 0xE9, 13, 10 }));
        Assert.That(FilterFeeder.FeedWhole(filter, [(byte)'c', 0xE9, 10]), Is.EqualTo(new[] { "cé" }));
    }

    private static readonly TestCaseData[] BadOptions =
    [
        new TestCaseData(new LineFilterOptions { Literal = "\n", InputLiteral = "\r" }).SetName("Literal with InputLiteral"),
        new TestCaseData(new LineFilterOptions { Literal = "\n", OutputLiteral = "\r" }).SetName("Literal with OutputLiteral"),
        new TestCaseData(new LineFilterOptions { Literal = "\n", AutodetectInput = true }).SetName("Literal with AutodetectInput"),
        new TestCaseData(new LineFilterOptions { InputLiteral = "\n", AutodetectInput = true }).SetName("InputLiteral with AutodetectInput"),
        new TestCaseData(new LineFilterOptions { Literal = "" }).SetName("Empty Literal"),
        new TestCaseData(new LineFilterOptions { OutputLiteral = "" }).SetName("Empty OutputLiteral"),
        new TestCaseData(new LineFilterOptions { MaxLineLength = 0 }).SetName("MaxLineLength 0"),
        new TestCaseData(new LineFilterOptions { Encoding = Encoding.Unicode }).SetName("UTF-16 encoding"),
    ];

    [TestCaseSource(nameof(BadOptions))]
    public void BadOptions_ThrowArgumentException(LineFilterOptions options)
    {
        var ex = Assert.Throws<ArgumentException>(() => _ = new LineFilter(options));
        Assert.That(ex!.Message, Is.Not.Empty);
    }

    [Test]
    public void Put_NullString_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => new LineFilter().Put((string)null!, new ArrayBufferWriter<byte>()));
    }

    [Test]
    public void Decoding_AllocatesOnlyTheStrings()
    {
        const int lines = 2000;
        byte[] input = B(string.Concat(Enumerable.Repeat("hello world, a line\r\n", lines)));
        var filter = new LineFilter();
        DecodeAll(filter, input); // warm up (JIT, statics)
        long before = GC.GetAllocatedBytesForCurrentThread();
        int count = DecodeAll(filter, input);
        long perRecord = (GC.GetAllocatedBytesForCurrentThread() - before) / lines;
        Assert.That(count, Is.EqualTo(lines));
        // A 19-char string is 20 + 2*19 (+ padding) = 64 bytes on 64-bit.
        Assert.That(perRecord, Is.LessThanOrEqualTo(64));
    }

    private static int DecodeAll(LineFilter filter, byte[] input)
    {
        int count = 0, offset = 0;
        while (filter.TryGetOne(input.AsSpan(offset), out string? line, out int consumed) == DecodeStatus.Record)
        {
            offset += consumed;
            count += line!.Length > 0 ? 1 : 0;
        }
        return count;
    }
}
