using System.Text;
using PoeSharp.Filters.Http;
using PoeSharp.Os;
using static PoeSharp.Wheels.Tests.TestHandlers;

namespace PoeSharp.Wheels.Tests;

/// <summary>The HTTPD filter's streaming mode behind a real ReadWriteWheel: the records a server session sees.</summary>
public sealed class HttpdStreamingReadWriteTests
{
    private sealed class Heap : IRecordsErrors
    {
        public ReadWriteWheel? Wheel;
        public readonly List<string> Seen = [];
        public readonly MemoryStream Body = new();
        public List<(string Op, int Errno, string Message, int Id)> Errors { get; } = [];
        public PoeSharp.Wheels.Wheel? Subject => Wheel;
    }

    [Test]
    public void A_chunked_upload_arrives_as_the_request_then_its_pieces_then_the_next_request()
    {
        var pair = PosixSocket.SocketPair().Value;
        FileDescriptor ours = pair.First, theirs = pair.Second;
        string upload = string.Concat(Enumerable.Range(0, 500).Select(i => $"line {i}\n"));
        var wire = new StringBuilder("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (int at = 0; at < upload.Length; at += 1000)
        {
            string chunk = upload.Substring(at, Math.Min(1000, upload.Length - at));
            wire.Append($"{chunk.Length:x}\r\n{chunk}\r\n");
        }
        wire.Append("0\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n");
        byte[] bytes = Encoding.ASCII.GetBytes(wire.ToString());
        Assert.That(PosixSocket.Write(theirs.Fd, bytes).Value, Is.EqualTo(bytes.Length));
        theirs.Dispose();

        var heap = GuardedSession.Run(new Heap(), s => s
            .On("_start", c => c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
            {
                Handle = ours,
                Filter = new HttpdFilter(HttpdLimits.Default with { StreamBodies = true, MaxBodyPieceBytes = 1500 }),
                InputEvent = "got",
                ErrorEvent = "error",
            }))
            .On("got", c =>
            {
                switch (c.Arg<object>(0))
                {
                    case HttpRequestBodyPiece piece:
                        c.Heap.Body.Write(piece.Body);
                        if (piece.Body.Length > 1500) c.Heap.Seen.Add("oversized piece");
                        if (piece.IsFinal) c.Heap.Seen.Add("final");
                        break;
                    case HttpRequest request:
                        c.Heap.Seen.Add($"{request.Method} {request.Target} body={request.HasBody}");
                        break;
                    case var other:
                        c.Heap.Seen.Add("unexpected " + other);
                        break;
                }
            })
            .On("error", RecordErrorThenDone));

        Assert.That(heap.Seen, Is.EqualTo(new[] { "POST /upload body=True", "final", "GET /next body=False" }));
        Assert.That(Encoding.ASCII.GetString(heap.Body.ToArray()), Is.EqualTo(upload));
        Assert.That(heap.Errors.Select(e => (e.Op, e.Errno)), Is.EqualTo(new[] { ("read", 0) }), "then end of file");
    }
}
