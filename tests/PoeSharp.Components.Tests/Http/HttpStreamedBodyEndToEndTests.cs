using System.Net;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using PoeSharp.Components.Http;
using PoeSharp.Components.Workers;
using PoeSharp.Filters.Http;

namespace PoeSharp.Components.Tests.Http;

/// <summary>
/// A real client (System.Net.Http.HttpClient, on another thread) posts a multi-megabyte chunked
/// body to an HttpServer that streams it: the handler hashes it piece by piece, pausing after
/// every few pieces and resuming from another session, and the server never holds more than a
/// read's worth of it.
/// </summary>
public sealed class HttpStreamedBodyEndToEndTests
{
    private const int BodyBytes = 8 * 1024 * 1024;

    /// <summary>A body of unknown length (so HttpClient sends it chunked), written in 16 KiB pieces from a seeded generator.</summary>
    private sealed class GeneratedContent(int length, int seed) : HttpContent
    {
        public byte[] Sha256 { get; private set; } = [];

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var random = new Random(seed);
            var buffer = new byte[16 * 1024];
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            for (int left = length; left > 0; left -= buffer.Length)
            {
                int n = Math.Min(left, buffer.Length);
                random.NextBytes(buffer.AsSpan(0, n));
                hash.AppendData(buffer, 0, n);
                await stream.WriteAsync(buffer.AsMemory(0, n));
            }
            Sha256 = hash.GetHashAndReset();
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Test]
    public void A_multi_megabyte_chunked_post_is_hashed_as_it_arrives_with_bounded_buffering()
    {
        using var kernel = new Kernel();
        long maxBuffered = 0, pieces = 0, pauses = 0, headBodyLength = -1;
        const int pieceBytes = 16 * 1024;
        // Resumes paused bodies from outside the connection's session, as a consumer that finished
        // writing elsewhere would; its alias keeps it alive until the test is done.
        Session resumer = kernel.Create(new object(), s => s
            .On("_start", c => c.Kernel.AliasSet("resumer"))
            .On("resume", c =>
            {
                var body = c.Arg<HttpRequestBody>(0);
                maxBuffered = Math.Max(maxBuffered, body.BufferedBytes); // what the pause left in the server
                body.Resume();
            })
            .On("done", c => c.Kernel.AliasRemove("resumer")))!;

        string? transferEncoding = null;
        var server = new HttpServer(kernel, new HttpServerOptions
        {
            Address = "127.0.0.1", Port = 0, StreamRequestBodies = true,
            Limits = HttpdLimits.Default with { MaxBodyPieceBytes = pieceBytes }, // several pieces per read
            Handler = (request, responder) =>
            {
                var body = responder.Body!;
                headBodyLength = request.Body.Length;
                transferEncoding = request.Headers["Transfer-Encoding"];
                var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                body.Read(
                    data =>
                    {
                        maxBuffered = Math.Max(maxBuffered, body.BufferedBytes);
                        hash.AppendData(data.Span);
                        if (++pieces % 4 != 0) return;
                        body.Pause();
                        pauses++;
                        kernel.Post(resumer, "resume", body);
                    },
                    () => responder.Respond(new HttpResponse(200, $"{body.BytesRead} {Convert.ToHexString(hash.GetHashAndReset())}")),
                    error => Assert.Fail($"the body failed: {error}"));
                return null;
            },
        });

        Exception? failure = null;
        string? answer = null;
        byte[] sent = [];
        var client = Task.Run(async () =>
        {
            try
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
                var content = new GeneratedContent(BodyBytes, seed: 12);
                using var response = await http.PostAsync($"http://127.0.0.1:{server.Port}/upload", content);
                answer = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                sent = content.Sha256;
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                kernel.PostFromAnyThread(resumer, "done");
                kernel.PostFromAnyThread(server.Pool.Session, PreforkPool.ShutdownEvent);
            }
        });
        kernel.Run(TimeSpan.FromSeconds(90));
        client.Wait();
        if (failure is not null) ExceptionDispatchInfo.Throw(failure);

        Assert.That(answer, Is.EqualTo($"200 {BodyBytes} {Convert.ToHexString(sent)}"), "every byte reached the handler, in order");
        Assert.That(transferEncoding, Is.EqualTo("chunked"));
        Assert.That(headBodyLength, Is.Zero, "the handler had the head before any of the body");
        Assert.That(pauses, Is.GreaterThan(10), "the handler paused the body many times");
        // One read (64 KiB) and one held piece at most, against an 8 MiB body.
        Assert.That(maxBuffered, Is.GreaterThan(0), "pauses left bytes unread in the server");
        Assert.That(maxBuffered, Is.LessThanOrEqualTo(ReadWriteLimit + pieceBytes));
        Assert.That(server.Connections, Is.Zero);
    }

    private const int ReadWriteLimit = PoeSharp.Wheels.ReadWriteOptions.DefaultReadBlockSize;

    [Test]
    public void Curl_waiting_for_100_continue_gets_it_when_the_handler_starts_reading()
    {
        string file = Path.GetTempFileName();
        try
        {
            var bytes = new byte[3 * 1024 * 1024];
            new Random(7).NextBytes(bytes);
            File.WriteAllBytes(file, bytes);
            using var kernel = new Kernel();
            var server = new HttpServer(kernel, new HttpServerOptions
            {
                Address = "127.0.0.1", Port = 0, StreamRequestBodies = true,
                Handler = (request, responder) =>
                {
                    var body = responder.Body!;
                    long count = 0;
                    body.Read(data => count += data.Length, () => responder.Respond(new HttpResponse(200, $"{count} {request.Headers["Expect"]}")));
                    return null;
                },
            });
            string? output = null, verbose = null;
            int exit = -1;
            var client = Task.Run(() =>
            {
                try
                {
                    // Chunked, with Expect: 100-continue and a long wait for the 100: curl sends the
                    // body before that only if the server never answers 100.
                    var start = new System.Diagnostics.ProcessStartInfo("curl", [
                        "-sS", "-v", "--http1.1", "--expect100-timeout", "60", "-H", "Transfer-Encoding: chunked",
                        "-H", "Expect: 100-continue", "--data-binary", "@" + file, $"http://127.0.0.1:{server.Port}/up"])
                    { RedirectStandardOutput = true, RedirectStandardError = true };
                    using var curl = System.Diagnostics.Process.Start(start)!;
                    var stderr = curl.StandardError.ReadToEndAsync();
                    output = curl.StandardOutput.ReadToEnd();
                    verbose = stderr.Result;
                    curl.WaitForExit();
                    exit = curl.ExitCode;
                }
                finally
                {
                    kernel.PostFromAnyThread(server.Pool.Session, PreforkPool.ShutdownEvent);
                }
            });
            kernel.Run(TimeSpan.FromSeconds(50));
            client.Wait();
            Assert.That(exit, Is.Zero, verbose);
            Assert.That(output, Is.EqualTo($"{bytes.Length} 100-continue"));
            Assert.That(verbose, Does.Contain("< HTTP/1.1 100 Continue"), "the 100 came from the server, not from curl's timeout");
        }
        finally
        {
            File.Delete(file);
        }
    }
}
