using PoeSharp.Examples;

namespace PoeSharp.Examples.Tests;

public class ExamplePageTests
{
    private static readonly DateTimeOffset Time = new(2026, 11, 1, 9, 5, 7, TimeSpan.Zero);

    [Test]
    public void Rows_follow_arrival_order_then_pid_and_time()
    {
        string page = ExamplePage.Render(
            [new("Host", "a"), new("User-Agent", "t/1"), new("Accept", "*/*")], 4242, Time);
        Assert.That(page, Is.EqualTo(
            "<html><head><title>POE Pre-Forking Server Example</title></head><body><table border=1>" +
            "<tr><td>Host</td><td>a</td></tr><tr><td>User-Agent</td><td>t/1</td></tr><tr><td>Accept</td><td>*/*</td></tr>" +
            "<tr><td>PID</td><td>4242</td></tr><tr><td>time</td><td>Sun Nov  1 09:05:07 2026 GMT</td></tr>" +
            "</table></body></html>"));
    }

    [Test]
    public void A_repeated_field_is_one_row_joined_with_commas_at_its_first_position()
    {
        string page = ExamplePage.Render([new("X-Multi", "1"), new("Host", "h"), new("x-multi", "2")], 1, Time);
        Assert.That(page, Does.Contain("<tr><td>X-Multi</td><td>1, 2</td></tr><tr><td>Host</td><td>h</td></tr>"));
    }

    [Test]
    public void Markup_in_headers_is_escaped()
    {
        string page = ExamplePage.Render([new("X-Evil", "<script>\"&")], 1, Time);
        Assert.That(page, Does.Contain("<td>&lt;script&gt;&quot;&amp;</td>"));
    }

    [Test]
    public void Times_look_like_perl_scalar_gmtime_and_http_dates()
    {
        Assert.That(ExamplePage.PerlGmtime(new DateTimeOffset(2026, 11, 21, 20, 45, 39, TimeSpan.Zero)), Is.EqualTo("Sat Nov 21 20:45:39 2026"));
        Assert.That(ExamplePage.HttpDate(Time), Is.EqualTo("Sun, 01 Nov 2026 09:05:07 GMT"));
    }
}
