using System.Text;
using PoeSharp.Filters.Http;

namespace PoeSharp.Filters.Tests.Http;

/// <summary>
/// <c>uri-host [ ":" port ]</c> (RFC 9112 §3.2, RFC 3986 §3.2) shape by shape, valid and invalid.
/// The expected result is the kind of host found, "Invalid" when the value is rejected.
/// Strings are Latin-1: each char is one byte.
/// </summary>
[TestFixture]
public sealed class HttpAuthorityTests
{
    private static byte[] B(string s) => Encoding.Latin1.GetBytes(s);

    private static string Kind(string authority) => HttpAuthority.Parse(B(authority)).ToString();

    // ---- reg-name ----
    [TestCase("example.com", ExpectedResult = "RegName")]
    [TestCase("localhost", ExpectedResult = "RegName")]
    [TestCase("a", ExpectedResult = "RegName")]
    [TestCase("EXAMPLE.COM", ExpectedResult = "RegName")]
    [TestCase("example.com.", ExpectedResult = "RegName")]
    [TestCase("xn--bcher-kva.example", ExpectedResult = "RegName")]
    [TestCase("my-host_1~x", ExpectedResult = "RegName")]
    [TestCase("!$&'()*+,;=", ExpectedResult = "RegName")]
    [TestCase("0.0.0.0=5000", ExpectedResult = "RegName")] // the llhttp sample's Host: '=' is a sub-delim
    [TestCase("a/b", ExpectedResult = "Invalid")]
    [TestCase("a?b", ExpectedResult = "Invalid")]
    [TestCase("a#b", ExpectedResult = "Invalid")]
    [TestCase("a\\b", ExpectedResult = "Invalid")]
    [TestCase("a\"b", ExpectedResult = "Invalid")]
    [TestCase("a<b>", ExpectedResult = "Invalid")]
    [TestCase("a{b}", ExpectedResult = "Invalid")]
    [TestCase("a|b", ExpectedResult = "Invalid")]
    [TestCase("a^b", ExpectedResult = "Invalid")]
    [TestCase("a`b", ExpectedResult = "Invalid")]
    [TestCase("a]b", ExpectedResult = "Invalid")]
    [TestCase("a[b", ExpectedResult = "Invalid")]
    public string RegName(string authority) => Kind(authority);

    // ---- pct-encoded ----
    [TestCase("%41%62c", ExpectedResult = "RegName")]
    [TestCase("a%2Fb", ExpectedResult = "RegName")]
    [TestCase("a%2fb", ExpectedResult = "RegName")]
    [TestCase("%7e", ExpectedResult = "RegName")]
    [TestCase("%C3%A9t%C3%A9.example", ExpectedResult = "RegName")]
    [TestCase("%", ExpectedResult = "Invalid")]
    [TestCase("a%", ExpectedResult = "Invalid")]
    [TestCase("%4", ExpectedResult = "Invalid")]
    [TestCase("a%4:80", ExpectedResult = "Invalid")]
    [TestCase("%4g", ExpectedResult = "Invalid")]
    [TestCase("%g4", ExpectedResult = "Invalid")]
    [TestCase("a%zzb", ExpectedResult = "Invalid")]
    [TestCase("%%41", ExpectedResult = "Invalid")]
    [TestCase("% 41", ExpectedResult = "Invalid")]
    public string PctEncoded(string authority) => Kind(authority);

    // ---- IPv4address; a digits-and-dots name that is not one is a reg-name (RFC 3986 §3.2.2) ----
    [TestCase("1.2.3.4", ExpectedResult = "IPv4")]
    [TestCase("0.0.0.0", ExpectedResult = "IPv4")]
    [TestCase("127.0.0.1", ExpectedResult = "IPv4")]
    [TestCase("255.255.255.255", ExpectedResult = "IPv4")]
    [TestCase("192.168.100.200:8080", ExpectedResult = "IPv4")]
    [TestCase("10.0.0.1:", ExpectedResult = "IPv4")]
    [TestCase("256.1.1.1", ExpectedResult = "RegName")]
    [TestCase("1.2.3.256", ExpectedResult = "RegName")]
    [TestCase("01.2.3.4", ExpectedResult = "RegName")]
    [TestCase("1.2.3.04", ExpectedResult = "RegName")]
    [TestCase("1.2.3", ExpectedResult = "RegName")]
    [TestCase("1.2.3.4.5", ExpectedResult = "RegName")]
    [TestCase("1.2.3.4.", ExpectedResult = "RegName")]
    [TestCase("1..2.3", ExpectedResult = "RegName")]
    [TestCase("1234.1.1.1", ExpectedResult = "RegName")]
    [TestCase("1.2.3.4 ", ExpectedResult = "Invalid")]
    [TestCase("1.2.3.4/8", ExpectedResult = "Invalid")]
    public string IPv4(string authority) => Kind(authority);

    // ---- IPv6address in brackets ----
    [TestCase("[::]", ExpectedResult = "IPv6")]
    [TestCase("[::1]", ExpectedResult = "IPv6")]
    [TestCase("[::1]:8080", ExpectedResult = "IPv6")]
    [TestCase("[::1]:", ExpectedResult = "IPv6")]
    [TestCase("[1:2:3:4:5:6:7:8]", ExpectedResult = "IPv6")]
    [TestCase("[2001:DB8:0:0:8:800:200C:417A]", ExpectedResult = "IPv6")]
    [TestCase("[0000:0000:0000:0000:0000:0000:0000:0001]", ExpectedResult = "IPv6")]
    [TestCase("[2001:db8::1]", ExpectedResult = "IPv6")]
    [TestCase("[fe80::1:2]", ExpectedResult = "IPv6")]
    [TestCase("[1::]", ExpectedResult = "IPv6")]
    [TestCase("[1:2:3:4:5:6:7::]", ExpectedResult = "IPv6")]
    [TestCase("[::2:3:4:5:6:7:8]", ExpectedResult = "IPv6")]
    [TestCase("[1:2:3::6:7:8]", ExpectedResult = "IPv6")]
    [TestCase("[::ffff:192.0.2.1]", ExpectedResult = "IPv6")]
    [TestCase("[::192.0.2.1]", ExpectedResult = "IPv6")]
    [TestCase("[64:ff9b::192.0.2.33]", ExpectedResult = "IPv6")]
    [TestCase("[1:2:3:4:5:6:1.2.3.4]", ExpectedResult = "IPv6")]
    [TestCase("[::2:3:4:5:6:1.2.3.4]", ExpectedResult = "IPv6")]
    [TestCase("[1:2:3:4:5:6:7]", ExpectedResult = "Invalid")] // seven pieces and no "::"
    [TestCase("[1:2:3:4:5:6:7:8:9]", ExpectedResult = "Invalid")]
    [TestCase("[1::2:3:4:5:6:7:8]", ExpectedResult = "Invalid")] // "::" stands for at least one piece
    [TestCase("[::1:2:3:4:5:6:1.2.3.4]", ExpectedResult = "Invalid")]
    [TestCase("[1:2:3:4:5:6:7:1.2.3.4]", ExpectedResult = "Invalid")]
    [TestCase("[:]", ExpectedResult = "Invalid")]
    [TestCase("[:::]", ExpectedResult = "Invalid")]
    [TestCase("[1:::2]", ExpectedResult = "Invalid")]
    [TestCase("[1::2::3]", ExpectedResult = "Invalid")]
    [TestCase("[:1::2]", ExpectedResult = "Invalid")]
    [TestCase("[1::2:]", ExpectedResult = "Invalid")]
    [TestCase("[12345::]", ExpectedResult = "Invalid")]
    [TestCase("[g::1]", ExpectedResult = "Invalid")]
    [TestCase("[::1.2.3]", ExpectedResult = "Invalid")]
    [TestCase("[::1.2.3.256]", ExpectedResult = "Invalid")]
    [TestCase("[::01.2.3.4]", ExpectedResult = "Invalid")]
    [TestCase("[1.2.3.4::]", ExpectedResult = "Invalid")]
    [TestCase("[::1.2.3.4:1]", ExpectedResult = "Invalid")]
    [TestCase("[1.2.3.4]", ExpectedResult = "Invalid")]
    [TestCase("[fe80::1%25eth0]", ExpectedResult = "Invalid")] // RFC 6874 zone identifiers are not accepted
    [TestCase("[fe80::1%eth0]", ExpectedResult = "Invalid")]
    [TestCase("[ ::1]", ExpectedResult = "Invalid")]
    public string IPv6(string authority) => Kind(authority);

    // ---- IPvFuture ----
    [TestCase("[v1.x]", ExpectedResult = "IPvFuture")]
    [TestCase("[V7.a:b]", ExpectedResult = "IPvFuture")]
    [TestCase("[vFF.!$&'()*+,;=:-._~]", ExpectedResult = "IPvFuture")]
    [TestCase("[v1.x]:80", ExpectedResult = "IPvFuture")]
    [TestCase("[v]", ExpectedResult = "Invalid")]
    [TestCase("[v1]", ExpectedResult = "Invalid")]
    [TestCase("[v1.]", ExpectedResult = "Invalid")]
    [TestCase("[v.x]", ExpectedResult = "Invalid")]
    [TestCase("[vg.x]", ExpectedResult = "Invalid")]
    [TestCase("[v1.x@y]", ExpectedResult = "Invalid")]
    [TestCase("[v1.x/y]", ExpectedResult = "Invalid")]
    [TestCase("[v1.x y]", ExpectedResult = "Invalid")]
    [TestCase("[v1.%41]", ExpectedResult = "Invalid")]
    public string IPvFuture(string authority) => Kind(authority);

    // ---- brackets ----
    [TestCase("[", ExpectedResult = "Invalid")]
    [TestCase("]", ExpectedResult = "Invalid")]
    [TestCase("[]", ExpectedResult = "Invalid")]
    [TestCase("[]:80", ExpectedResult = "Invalid")]
    [TestCase("[::1", ExpectedResult = "Invalid")]
    [TestCase("::1]", ExpectedResult = "Invalid")]
    [TestCase("::1", ExpectedResult = "Invalid")] // IPv6 without brackets: an empty host and a bad port
    [TestCase("[::1]]", ExpectedResult = "Invalid")]
    [TestCase("[[::1]]", ExpectedResult = "Invalid")]
    [TestCase("[::1][", ExpectedResult = "Invalid")]
    [TestCase("[::1]80", ExpectedResult = "Invalid")]
    [TestCase("a[::1]", ExpectedResult = "Invalid")]
    [TestCase("[example.com]", ExpectedResult = "Invalid")]
    public string Brackets(string authority) => Kind(authority);

    // ---- empty host ----
    [TestCase("", ExpectedResult = "Empty")] // an empty Host field: the target URI has no authority
    [TestCase(":", ExpectedResult = "Invalid")]
    [TestCase(":80", ExpectedResult = "Invalid")] // an http URI with an empty host is invalid (RFC 9110 §4.2.1)
    public string EmptyHost(string authority) => Kind(authority);

    // ---- port ----
    [TestCase("h:", ExpectedResult = "RegName")]
    [TestCase("h:0", ExpectedResult = "RegName")]
    [TestCase("h:80", ExpectedResult = "RegName")]
    [TestCase("h:65535", ExpectedResult = "RegName")]
    [TestCase("h:00080", ExpectedResult = "RegName")]
    [TestCase("h:65536", ExpectedResult = "Invalid")]
    [TestCase("h:99999", ExpectedResult = "Invalid")]
    [TestCase("h:000080", ExpectedResult = "Invalid")] // more than five digits
    [TestCase("h:123456", ExpectedResult = "Invalid")]
    [TestCase("h:99999999999999999999", ExpectedResult = "Invalid")]
    [TestCase("h:8a", ExpectedResult = "Invalid")]
    [TestCase("h:0x50", ExpectedResult = "Invalid")]
    [TestCase("h:-1", ExpectedResult = "Invalid")]
    [TestCase("h:+80", ExpectedResult = "Invalid")]
    [TestCase("h: 80", ExpectedResult = "Invalid")]
    [TestCase("h:80 ", ExpectedResult = "Invalid")]
    [TestCase("h:80:80", ExpectedResult = "Invalid")]
    [TestCase("h::80", ExpectedResult = "Invalid")]
    [TestCase("h:%38%30", ExpectedResult = "Invalid")]
    [TestCase("[::1]:x", ExpectedResult = "Invalid")]
    [TestCase("[::1]:123456", ExpectedResult = "Invalid")]
    public string Port(string authority) => Kind(authority);

    // ---- userinfo ----
    [TestCase("user@host", ExpectedResult = "Invalid")]
    [TestCase("user:pass@host", ExpectedResult = "Invalid")]
    [TestCase("@host", ExpectedResult = "Invalid")]
    [TestCase("host@", ExpectedResult = "Invalid")]
    [TestCase("user@[::1]", ExpectedResult = "Invalid")]
    [TestCase("a%12:b!&*$@hypnotoad.org:1234", ExpectedResult = "Invalid")]
    [TestCase("host:80@evil", ExpectedResult = "Invalid")]
    public string Userinfo(string authority) => Kind(authority);

    // ---- spaces, control bytes, non-ASCII ----
    [TestCase(" ", ExpectedResult = "Invalid")]
    [TestCase("a b", ExpectedResult = "Invalid")]
    [TestCase(" a", ExpectedResult = "Invalid")]
    [TestCase("a ", ExpectedResult = "Invalid")]
    [TestCase("a\tb", ExpectedResult = "Invalid")]
    [TestCase("a\u0000b", ExpectedResult = "Invalid")]
    [TestCase("a\u0001", ExpectedResult = "Invalid")]
    [TestCase("a\u001fb", ExpectedResult = "Invalid")]
    [TestCase("a\u007f", ExpectedResult = "Invalid")]
    [TestCase("a\r\nb", ExpectedResult = "Invalid")]
    [TestCase("b\u00fccher.de", ExpectedResult = "Invalid")] // Latin-1 ü
    [TestCase("\u00c3\u00a9.example", ExpectedResult = "Invalid")] // the UTF-8 bytes of é
    [TestCase("\u00ff", ExpectedResult = "Invalid")]
    [TestCase("h:8\u00b9", ExpectedResult = "Invalid")] // SUPERSCRIPT ONE is no ASCII digit
    [TestCase("[::\u00a0]", ExpectedResult = "Invalid")]
    public string SpacesControlsNonAscii(string authority) => Kind(authority);

    // ---- absolute-form targets ----
    [TestCase("http://example.com/a?b", ExpectedResult = "example.com")]
    [TestCase("http://hypnotoad.org?hail=all", ExpectedResult = "hypnotoad.org")]
    [TestCase("http://hypnotoad.org:1234", ExpectedResult = "hypnotoad.org:1234")]
    [TestCase("http://h#f", ExpectedResult = "h")]
    [TestCase("https://[::1]:8443/x", ExpectedResult = "[::1]:8443")]
    [TestCase("http://a@b/c", ExpectedResult = "a@b")]
    [TestCase("http:///x", ExpectedResult = "")]
    public string AuthorityOfTarget(string target) => Encoding.Latin1.GetString(HttpAuthority.AuthorityOf(B(target)));

    [TestCase("example.com", ExpectedResult = true)]
    [TestCase("example.com:", ExpectedResult = true)]
    [TestCase("[::1]:80", ExpectedResult = true)]
    [TestCase("1.2.3.4", ExpectedResult = true)]
    [TestCase("", ExpectedResult = false)] // an http(s) URI needs a host
    [TestCase(":80", ExpectedResult = false)]
    [TestCase("a@b", ExpectedResult = false)]
    [TestCase("h:99999", ExpectedResult = false)]
    public bool TargetAuthority(string authority) => HttpAuthority.IsValidTargetAuthority(B(authority));

    [Test]
    public void HostFieldAcceptsEmptyButNotAnEmptyHostWithAPort()
    {
        Assert.That(HttpAuthority.IsValidHost(""u8), Is.True);
        Assert.That(HttpAuthority.IsValidHost(":80"u8), Is.False);
    }

    [Test]
    public void ValidationAllocatesNothing()
    {
        byte[][] values = [B("example.com:8080"), B("[2001:db8::192.0.2.1]:443"), B("[v1.x]"), B("a%41b"), B("user@h"), B("1.2.3.4")];
        foreach (byte[] v in values) HttpAuthority.Parse(v);
        long before = GC.GetAllocatedBytesForCurrentThread();
        int valid = 0;
        for (int i = 0; i < 1000; i++)
            foreach (byte[] v in values)
                if (HttpAuthority.IsValidHost(v)) valid++;
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
        Assert.That(valid, Is.EqualTo(5000));
    }
}
