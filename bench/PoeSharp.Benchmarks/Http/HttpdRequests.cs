using System.Text;

namespace PoeSharp.Benchmarks.Http;

/// <summary>Request corpus for the HTTPD benchmarks (Kestrel's RequestParsingData shapes).</summary>
internal static class HttpdRequests
{
    /// <summary>TechEmpower's plaintext request.</summary>
    public static readonly byte[] Plaintext = Encoding.ASCII.GetBytes(
        "GET /plaintext HTTP/1.1\r\n" +
        "Host: localhost\r\n" +
        "Accept: text/plain,text/html;q=0.9,application/xhtml+xml;q=0.9,application/xml;q=0.8,*/*;q=0.7\r\n" +
        "Connection: keep-alive\r\n" +
        "\r\n");

    /// <summary>A browser navigation with 12 header fields.</summary>
    public static readonly byte[] Browser = Encoding.ASCII.GetBytes(
        "GET /products/list?page=2&sort=price HTTP/1.1\r\n" +
        "Host: www.example.com\r\n" +
        "Connection: keep-alive\r\n" +
        "Cache-Control: max-age=0\r\n" +
        "Upgrade-Insecure-Requests: 1\r\n" +
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36\r\n" +
        "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n" +
        "Sec-Fetch-Site: same-origin\r\n" +
        "Sec-Fetch-Mode: navigate\r\n" +
        "Sec-Fetch-Dest: document\r\n" +
        "Referer: https://www.example.com/products\r\n" +
        "Accept-Encoding: gzip, deflate, br\r\n" +
        "Accept-Language: en-US,en;q=0.9\r\n" +
        "\r\n");
}
