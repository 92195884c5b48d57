using System.Diagnostics;
using System.Globalization;
using PoeSharp.Filters.Http;

namespace PoeSharp.Filters.Tests.Http;

/// <summary>
/// The imported llhttp / http-parser cases in streaming mode: joined, the pieces give the body the
/// buffered mode gives, and every other record is the same.
/// </summary>
[TestFixture]
public sealed class HttpdStreamingConformanceTests
{
    private static readonly HttpdLimits Buffered = new() { RequireHost = false };
    private static readonly HttpdLimits Streaming = Buffered with { StreamBodies = true };

    private static IEnumerable<TestCaseData> Cases() =>
        ConformanceCase.Load().Select(c => new TestCaseData(c).SetName($"StreamingConformance({c.Id})"));

    [TestCaseSource(nameof(Cases))]
    public void PiecesJoinToTheBufferedBody(object data)
    {
        var c = (ConformanceCase)data;
        List<string> expected = Describe(HttpFeeder.Feed(new HttpdFilter(Buffered), c.Raw, c.Delivery).Records);
        foreach (Delivery delivery in new[] { c.Delivery, Delivery.Bytes })
        {
            var filter = new HttpdFilter(Streaming);
            FeedResult result = HttpFeeder.Feed(filter, c.Raw, delivery);
            Assert.That(result.MaxBuffered, Is.LessThanOrEqualTo(filter.Limits.MaxBufferedBytes));
            Assert.That(Join(result.Records, includeOpen: false), Is.EqualTo(expected), $"delivered {delivery.Mode}");
        }
    }

    /// <summary>
    /// Random and mutated inputs (1 s, or POESHARP_FUZZ_SECONDS / 3) in streaming mode: no exception, the
    /// buffer within the limits, any split gives the same records and bodies, and the joined outcome is
    /// the buffered one (unless buffered mode refused a body as too large, which streaming accepts).
    /// </summary>
    [Test]
    public void FuzzedInputsJoinToTheBufferedOutcome()
    {
        double seconds = double.TryParse(Environment.GetEnvironmentVariable("POESHARP_FUZZ_SECONDS"), NumberStyles.Float, CultureInfo.InvariantCulture, out double s) ? s / 3 : 1;
        int seed = Environment.TickCount;
        TestContext.Out.WriteLine($"fuzz seed {seed}, {seconds} s");
        var random = new Random(seed);
        HttpdLimits streaming = HttpdFuzzTests.Small with { StreamBodies = true, MaxBodyPieceBytes = 16 };
        var clock = Stopwatch.StartNew();
        int runs = 0, pieces = 0, withBody = 0;
        // Time bounds the work, but a busy machine may spend the whole second in JIT: a thousand
        // inputs at least, so the check below does not depend on how fast the machine is.
        while (clock.Elapsed.TotalSeconds < seconds || runs < 1000)
        {
            byte[] input = random.Next(4) == 0 ? FuzzRandomBytes(random) : FuzzMutate(random, random.Next(HttpdFuzzTests.Seeds.Length));
            try
            {
                var filter = new HttpdFilter(streaming);
                FeedResult whole = HttpFeeder.Feed(filter, input, Delivery.All);
                Assert.That(whole.MaxBuffered, Is.LessThanOrEqualTo(streaming.MaxBufferedBytes), $"buffer grew past the limits for {HttpdFuzzTests.Show(input)}");
                Assert.That(whole.Records.OfType<HttpRequestBodyPiece>().All(p => p.Body.Length <= 16), Is.True);
                List<string> all = Join(whole.Records, includeOpen: true);
                List<string> split = Join(HttpFeeder.Feed(new HttpdFilter(streaming), HttpdFuzzTests.Pieces(random, input)).Records, includeOpen: true);
                Assert.That(split, Is.EqualTo(all), $"split changed the outcome for {HttpdFuzzTests.Show(input)}");

                List<string> buffered = Describe(HttpFeeder.Feed(new HttpdFilter(HttpdFuzzTests.Small), input, Delivery.All).Records);
                if (!buffered.Contains("ERR 413"))
                    Assert.That(Join(whole.Records, includeOpen: false), Is.EqualTo(buffered), $"streaming differs from buffering for {HttpdFuzzTests.Show(input)}");
                pieces += whole.Records.Count(r => r is HttpRequestBodyPiece);
                if (whole.Records.Any(r => r is HttpRequest { HasBody: true })) withBody++;
            }
            catch (Exception e) when (e is not AssertionException)
            {
                Assert.Fail($"{e.GetType().Name} escaped for input {HttpdFuzzTests.Show(input)} (seed {seed}): {e}");
                return;
            }
            runs++;
        }
        TestContext.Out.WriteLine($"{runs} inputs, {withBody} with a body, {pieces} body pieces");
        Assert.That(pieces, Is.GreaterThan(0), "the inputs reached the streaming code");
    }

    private static byte[] FuzzRandomBytes(Random random) => HttpdFuzzTests.RandomBytes(random);

    /// <summary>A mutated seed; half the time only what follows the first head, so that bodies get parsed.</summary>
    private static byte[] FuzzMutate(Random random, int seed)
    {
        byte[] bytes = System.Text.Encoding.Latin1.GetBytes(HttpdFuzzTests.Seeds[seed]);
        int head = bytes.AsSpan().IndexOf("\r\n\r\n"u8) + 4;
        if (random.Next(2) == 0 || head == 3 || head == bytes.Length) return HttpdFuzzTests.Mutate(random, bytes);
        return [.. bytes.AsSpan(0, head), .. HttpdFuzzTests.Mutate(random, bytes[head..])];
    }

    private static string Request(HttpRequest r, byte[] body) =>
        $"REQ {r.Method} {r.Target} {r.VersionText} {r.Headers.Count} fields, keep-alive {r.KeepAlive}, body {Convert.ToHexString(body)}, trailers {r.Trailers.Count}";

    private static string Other(HttpMessage m) => m switch
    {
        HttpErrorResponse e => $"ERR {e.StatusCode}",
        HttpContinueResponse => "100",
        _ => throw new AssertionException($"unexpected record {m}"),
    };

    private static List<string> Describe(List<HttpMessage> records) =>
        records.Select(m => m is HttpRequest r ? Request(r, r.Body) : Other(m)).ToList();

    /// <summary>
    /// Requests with their pieces joined. A request whose body did not end (an error or the end of the
    /// input came first) is left out, as buffered mode never yields it, unless <paramref name="includeOpen"/>.
    /// </summary>
    private static List<string> Join(List<HttpMessage> records, bool includeOpen)
    {
        var list = new List<string>();
        HttpRequest? open = null;
        var body = new List<byte>();
        foreach (HttpMessage m in records)
        {
            if (m is HttpRequestBodyPiece piece)
            {
                Assert.That(piece.Request, Is.SameAs(open));
                body.AddRange(piece.Body);
                if (piece.IsFinal)
                {
                    list.Add(Request(open!, body.ToArray()));
                    open = null;
                }
                continue;
            }
            if (open is not null && includeOpen) list.Add("OPEN " + Request(open, body.ToArray()));
            open = null;
            body.Clear();
            if (m is HttpRequest r)
            {
                Assert.That(r.Body, Is.Empty);
                if (r.HasBody) open = r;
                else list.Add(Request(r, r.Body));
            }
            else list.Add(Other(m));
        }
        if (open is not null && includeOpen) list.Add("OPEN " + Request(open, body.ToArray()));
        return list;
    }
}
