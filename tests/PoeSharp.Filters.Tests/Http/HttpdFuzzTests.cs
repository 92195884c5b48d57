using System.Diagnostics;
using System.Globalization;
using System.Text;
using PoeSharp.Filters.Http;

namespace PoeSharp.Filters.Tests.Http;

/// <summary>
/// Random and mutated requests for a bounded time (3 s, or POESHARP_FUZZ_SECONDS): no exception
/// escapes, the caller's buffer stays within the limits, every input ends in records, an error
/// record, or a wait for more bytes, and splitting the input never changes the outcome.
/// </summary>
[TestFixture]
public sealed class HttpdFuzzTests
{
    internal static readonly HttpdLimits Small = new()
    {
        MaxRequestLineLength = 128, MaxHeaderBytes = 256, MaxHeaderCount = 8, MaxContentLength = 512, MaxChunkLineLength = 32,
    };

    internal static readonly string[] Seeds =
    [
        "GET /index.html HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n",
        "POST /form HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
        "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n3\r\nabc\r\n0\r\nX: 1\r\n\r\n",
        "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nPUT /x HTTP/1.0\r\nContent-Length: 1\r\n\r\nx",
        "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
        "POST /e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\nHost: h\r\n\r\n",
        "PUT /e HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n2\r\nab\r\n0\r\n\r\n",
    ];

    private static readonly byte[] Interesting = "\r\n \t:;\"\\0123456789aAfFxX/%*.,=-\0\x7f\xff"u8.ToArray();

    private static readonly int[] Statuses = [400, 411, 413, 414, 417, 431, 501, 505];

    [Test]
    public void RandomAndMutatedInputs()
    {
        double seconds = double.TryParse(Environment.GetEnvironmentVariable("POESHARP_FUZZ_SECONDS"), NumberStyles.Float, CultureInfo.InvariantCulture, out double s) ? s : 3;
        int seed = Environment.TickCount;
        TestContext.Out.WriteLine($"fuzz seed {seed}, {seconds} s");
        var random = new Random(seed);
        var clock = Stopwatch.StartNew();
        int runs = 0, requests = 0, errors = 0, waiting = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            byte[] input = random.Next(4) == 0 ? RandomBytes(random) : Mutate(random, Encoding.Latin1.GetBytes(Seeds[random.Next(Seeds.Length)]));
            var filter = new HttpdFilter(Small);
            FeedResult whole;
            try
            {
                whole = HttpFeeder.Feed(filter, input, Delivery.All);
                Check(whole, filter, input);
                FeedResult split = HttpFeeder.Feed(new HttpdFilter(Small), Pieces(random, input));
                Assert.That(Summary(split), Is.EqualTo(Summary(whole)), $"split changed the outcome for {Show(input)}");
            }
            catch (Exception e) when (e is not AssertionException)
            {
                Assert.Fail($"{e.GetType().Name} escaped for input {Show(input)} (seed {seed}): {e}");
                return;
            }
            runs++;
            requests += whole.Records.Count(r => r is HttpRequest);
            errors += whole.Records.Count(r => r is HttpErrorResponse);
            if (whole.Leftover > 0) waiting++;
        }
        TestContext.Out.WriteLine($"{runs} inputs: {requests} requests, {errors} error records, {waiting} waiting for more");
        Assert.That(runs, Is.GreaterThan(0));
    }

    private static void Check(FeedResult result, HttpdFilter filter, byte[] input)
    {
        Assert.That(result.MaxBuffered, Is.LessThanOrEqualTo(Small.MaxBufferedBytes), $"buffer grew past the limits for {Show(input)}");
        for (int i = 0; i < result.Records.Count; i++)
        {
            if (result.Records[i] is HttpErrorResponse e)
            {
                Assert.That(Statuses, Does.Contain(e.StatusCode));
                Assert.That(i, Is.EqualTo(result.Records.Count - 1), "a record followed an error record");
                Assert.That(result.Leftover, Is.Zero, "an error record consumes the rest of the input");
            }
            else if (result.Records[i] is HttpContinueResponse interim)
            {
                // An interim record is followed by its request or an error record, or ends the output while the body is awaited.
                Assert.That(interim.Request!.Version, Is.GreaterThan(new Version(1, 0)), "HTTP/1.0 never gets an interim record");
                Assert.That(interim.VersionText, Is.EqualTo("HTTP/1.1"));
                if (i + 1 < result.Records.Count && result.Records[i + 1] is HttpRequest next) Assert.That(next, Is.SameAs(interim.Request));
                else if (i + 1 == result.Records.Count) Assert.That(filter.IsClosed, Is.False);
                else Assert.That(result.Records[i + 1], Is.InstanceOf<HttpErrorResponse>());
            }
            else
            {
                var r = (HttpRequest)result.Records[i];
                Assert.That(r.Body.Length, Is.LessThanOrEqualTo(Small.MaxContentLength));
                Assert.That(r.Headers.Count, Is.LessThanOrEqualTo(Small.MaxHeaderCount));
            }
        }
        // Either everything was used, or the filter waits for more bytes of one request, or it is closed.
        if (result.Leftover > 0) Assert.That(filter.IsClosed, Is.False);
    }

    private static string Summary(FeedResult r) =>
        string.Join(" | ", r.Records.Select(m => m is HttpRequest q ? $"{q} {q.Headers} [{Convert.ToHexString(q.Body)}] {q.Trailers}" : m.ToString()));

    internal static IEnumerable<ReadOnlyMemory<byte>> Pieces(Random random, byte[] input)
    {
        int at = 0;
        while (at < input.Length)
        {
            int n = Math.Min(input.Length - at, random.Next(1, 8));
            yield return input.AsMemory(at, n);
            at += n;
        }
    }

    internal static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 300)];
        for (int i = 0; i < bytes.Length; i++)
            bytes[i] = random.Next(3) == 0 ? (byte)random.Next(256) : Interesting[random.Next(Interesting.Length)];
        return bytes;
    }

    internal static byte[] Mutate(Random random, byte[] seed)
    {
        var bytes = new List<byte>(seed);
        int count = random.Next(1, 5);
        for (int m = 0; m < count && bytes.Count > 0; m++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(6))
            {
                case 0: bytes[at] = (byte)random.Next(256); break;
                case 1: bytes.Insert(at, Interesting[random.Next(Interesting.Length)]); break;
                case 2: bytes.RemoveAt(at); break;
                case 3:
                    int len = Math.Min(bytes.Count - at, random.Next(1, 40));
                    var range = bytes.GetRange(at, len);
                    for (int k = random.Next(1, 20); k > 0; k--) bytes.InsertRange(at, range);
                    break;
                case 4: bytes.RemoveRange(at, bytes.Count - at); break;
                default: bytes[at] = Interesting[random.Next(Interesting.Length)]; break;
            }
        }
        return bytes.ToArray();
    }

    internal static string Show(byte[] input)
    {
        var sb = new StringBuilder("\"");
        foreach (byte b in input.Take(400))
            sb.Append(b is >= 0x20 and < 0x7f && b != '"' && b != '\\' ? (char)b : $"\\x{b:x2}");
        return sb.Append('"').ToString();
    }
}
