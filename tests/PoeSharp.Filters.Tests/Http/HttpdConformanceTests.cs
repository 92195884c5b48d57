using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using PoeSharp.Filters.Http;

namespace PoeSharp.Filters.Tests.Http;

/// <summary>
/// The 166 imported llhttp / http-parser cases. accept: every expected request parses exactly;
/// reject: an error record with an allowed status and nothing after it; either: both are fine,
/// but an accepted request must parse exactly.
/// </summary>
[TestFixture]
public sealed partial class HttpdConformanceTests
{
    private static IEnumerable<TestCaseData> Cases() =>
        ConformanceCase.Load().Select(c => new TestCaseData(c).SetName($"Conformance({c.Id})"));

    [TestCaseSource(nameof(Cases))]
    public void Case_AsDelivered(object data)
    {
        var c = (ConformanceCase)data;
        Check(c, new HttpdFilter(), c.Delivery);
    }

    /// <summary>Without the Host requirement most "either" cases are accepted, so their parse gets checked too; byte by byte.</summary>
    [TestCaseSource(nameof(Cases))]
    public void Case_ByteByByte_HostNotRequired(object data)
    {
        var c = (ConformanceCase)data;
        Check(c, new HttpdFilter(new HttpdLimits { RequireHost = false }), Delivery.Bytes);
    }

    [Test]
    public void AllCasesAreThere()
    {
        Assert.That(ConformanceCase.Load().Count(), Is.EqualTo(166));
    }

    private static void Check(ConformanceCase c, HttpdFilter filter, Delivery delivery)
    {
        FeedResult result = HttpFeeder.Feed(filter, c.Raw, delivery);
        Assert.That(result.MaxBuffered, Is.LessThanOrEqualTo(filter.Limits.MaxBufferedBytes));
        IReadOnlyList<JsonElement> expected = c.Responses;
        int compare = Math.Min(expected.Count, c.MaxResponses ?? int.MaxValue);
        List<HttpMessage> records = result.Records;

        for (int i = 0; i < compare; i++)
        {
            JsonElement want = expected[i];
            string kind = want.GetProperty("kind").GetString()!;
            if (i >= records.Count)
            {
                // Running out of records: the filter waits for more bytes. That is right when the case
                // allows it, or when what is left is a valid prefix of a request line (no line end yet):
                // no parser can reject those bytes before more arrive.
                bool waitingOnPrefix = result.Leftover > 0 && !c.Raw.AsSpan(c.Raw.Length - result.Leftover).ContainsAny((byte)'\r', (byte)'\n');
                Assert.That(c.MayWait || waitingOnPrefix || (kind == "either" && filter.IsClosed),
                    $"response {i} ({kind}) expected but the filter produced only {records.Count} record(s): {Describe(records)}");
                return;
            }
            HttpMessage got = records[i];
            if (got is HttpErrorResponse error)
            {
                Assert.That(kind, Is.Not.EqualTo("accept"), $"response {i}: expected a request, got {error}");
                Assert.That(StatusAllowed(error.StatusCode, want), $"response {i}: status {error.StatusCode} not in {want.GetProperty("status")}");
                Assert.That(records, Has.Count.EqualTo(i + 1), "nothing may follow an error record");
                Assert.That(filter.IsClosed, Is.True);
                return;
            }
            Assert.That(kind, Is.Not.EqualTo("reject"), $"response {i}: expected a rejection, got request {got}");
            CheckRequest((HttpRequest)got, want.GetProperty("request"), c.CollapseWhitespace, i);
            bool closeAfter = want.TryGetProperty("close_after", out var ca) && ca.ValueKind == JsonValueKind.True;
            Assert.That(((HttpRequest)got).KeepAlive, Is.EqualTo(!closeAfter), $"request {i}: keep-alive decision");
        }
        if (c.MaxResponses is null)
            Assert.That(records.Count, Is.LessThanOrEqualTo(expected.Count), $"more records than expected: {Describe(records)}");
    }

    private static void CheckRequest(HttpRequest got, JsonElement want, bool collapse, int i)
    {
        Assert.That(got.Method, Is.EqualTo(want.GetProperty("method").GetString()), $"request {i} method");
        Assert.That(got.Target, Is.EqualTo(want.GetProperty("target").GetString()), $"request {i} target");
        Assert.That(got.VersionText, Is.EqualTo(want.GetProperty("version").GetString()), $"request {i} version");
        var headers = ConformanceCase.ExpectedHeaders(want);
        if (headers.Any(h => h.Joined))
        {
            foreach (var h in headers) Assert.That(got.Headers[h.Name], Is.EqualTo(h.Value), $"request {i} header {h.Name}");
        }
        else
        {
            var actual = got.Headers.Select(f => (f.Name, Norm(f.Value, collapse))).ToList();
            var expectedList = headers.Select(h => (h.Name, Norm(h.Value, collapse))).ToList();
            Assert.That(actual, Is.EqualTo(expectedList), $"request {i} headers");
        }
        Assert.That(got.Body, Is.EqualTo(ConformanceCase.ExpectedBody(want)), $"request {i} body");
    }

    private static string Norm(string value, bool collapse) => collapse ? Spaces().Replace(value, " ").Trim() : value;

    private static bool StatusAllowed(int status, JsonElement want)
    {
        if (!want.TryGetProperty("status", out var list)) return status is >= 400 and < 500;
        foreach (JsonElement s in list.EnumerateArray())
        {
            string p = s.GetString()!;
            if (p == "4xx" ? status is >= 400 and < 500 : p == status.ToString(System.Globalization.CultureInfo.InvariantCulture)) return true;
        }
        return false;
    }

    private static string Describe(List<HttpMessage> records) =>
        records.Count == 0 ? "(none)" : string.Join("; ", records.Select(r => r.ToString()));

    [GeneratedRegex("[ \t]+")]
    private static partial Regex Spaces();
}
