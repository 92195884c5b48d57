using System.Runtime.InteropServices;
using PoeSharp.Os;
using PoeSharp.Wheels.Drivers;

namespace PoeSharp.Wheels.Tests.Drivers;

/// <summary>The output queue against a real pipe whose capacity forces partial writes.</summary>
public sealed class OutputQueueTests
{
    private const int F_SETPIPE_SZ = 1031;

    [DllImport("libc", EntryPoint = "fcntl")]
    private static extern int Fcntl(int fd, int cmd, int arg);

    private static void Put(OutputQueue queue, byte value, int length)
    {
        int left = length;
        while (left > 0)
        {
            var span = queue.GetSpan(Math.Min(left, 1000));
            int n = Math.Min(left, Math.Min(span.Length, 1000));
            span[..n].Fill(value);
            queue.Advance(n);
            left -= n;
        }
        queue.EndMessage();
    }

    [Test]
    public void PartialWritesKeepOctetsMessagesAndOrder()
    {
        var (r, w) = PosixSocket.Pipe().Value;
        using var reader = r;
        using var writer = w;
        int capacity = Fcntl(writer.Fd, F_SETPIPE_SZ, 4096);
        Assume.That(capacity, Is.EqualTo(4096), "the pipe capacity could not be set");

        var queue = new OutputQueue();
        // 40 000 bytes span three pooled segments, so Flush uses writev.
        Put(queue, (byte)'a', 3000);
        Put(queue, (byte)'b', 3000);
        Put(queue, (byte)'c', 34_000);
        Assert.That(queue.Octets, Is.EqualTo(40_000));
        Assert.That(queue.Messages, Is.EqualTo(3));

        Assert.That(queue.Flush(writer.Fd).IsError, Is.False);
        Assert.That(queue.Octets, Is.EqualTo(40_000 - 4096), "a full pipe takes 4096 bytes");
        Assert.That(queue.Messages, Is.EqualTo(2), "the first record is out, the second only partly");

        var received = new List<byte>();
        var buf = new byte[65536];
        while (queue.Octets > 0)
        {
            int n = PosixSocket.Read(reader.Fd, buf).Value;
            if (n > 0) received.AddRange(buf.AsSpan(0, n).ToArray());
            Assert.That(queue.Flush(writer.Fd).IsError, Is.False);
        }
        Assert.That(queue.Messages, Is.Zero);
        int last;
        while ((last = PosixSocket.Read(reader.Fd, buf).Value) > 0) received.AddRange(buf.AsSpan(0, last).ToArray());
        var expected = Enumerable.Repeat((byte)'a', 3000).Concat(Enumerable.Repeat((byte)'b', 3000)).Concat(Enumerable.Repeat((byte)'c', 34_000));
        Assert.That(received, Is.EqualTo(expected));
    }

    [Test]
    public void AFailedWriteKeepsTheDataAndReportsTheErrno()
    {
        var (r, w) = PosixSocket.Pipe().Value;
        using var writer = w;
        r.Dispose();
        var queue = new OutputQueue();
        Put(queue, (byte)'x', 10);
        var error = queue.Flush(writer.Fd);
        Assert.That(error.Errno, Is.EqualTo(Errno.EPIPE));
        Assert.That(queue.Octets, Is.EqualTo(10));
        queue.Clear();
        Assert.That(queue.Octets, Is.Zero);
        Assert.That(queue.Messages, Is.Zero);
    }

    [Test]
    public void AQueueThatStartsWithOneSlotGrowsForBurstsAndThenReusesItsRings()
    {
        var (r, w) = PosixSocket.Pipe().Value;
        using var reader = r;
        using var writer = w;
        PosixSocket.SetNonBlocking(reader.Fd, true);
        var queue = new OutputQueue();
        var buf = new byte[65536];
        for (int round = 0; round < 3; round++)
        {
            // One small message, written at once: the steady state of a keep-alive connection.
            Put(queue, (byte)'s', 100);
            Assert.That(queue.Messages, Is.EqualTo(1));
            Assert.That(queue.Flush(writer.Fd).IsError, Is.False);
            Assert.That(queue.Octets, Is.Zero);
            Assert.That(queue.Messages, Is.Zero);
            Assert.That(PosixSocket.Read(reader.Fd, buf).Value, Is.EqualTo(100));

            // A burst of 20 messages over five segments (pipelined answers) before any write.
            var expected = new List<byte>();
            for (int m = 0; m < 20; m++)
            {
                Put(queue, (byte)('a' + m), 3000);
                expected.AddRange(Enumerable.Repeat((byte)('a' + m), 3000));
            }
            Assert.That(queue.Messages, Is.EqualTo(20));
            Assert.That(queue.Octets, Is.EqualTo(60_000));
            Assert.That(queue.Flush(writer.Fd).IsError, Is.False);
            var received = new List<byte>();
            int n;
            while ((n = PosixSocket.Read(reader.Fd, buf).Value) > 0) received.AddRange(buf.AsSpan(0, n).ToArray());
            Assert.That(queue.Octets, Is.Zero, "a 64 KiB pipe takes 60,000 bytes");
            Assert.That(queue.Messages, Is.Zero);
            Assert.That(received, Is.EqualTo(expected), $"round {round}: every byte once, in order");
        }
    }
}
