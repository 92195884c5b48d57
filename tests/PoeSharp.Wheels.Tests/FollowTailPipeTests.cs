using System.Runtime.InteropServices;
using PoeSharp.Os;
using static PoeSharp.Wheels.Tests.TestHandlers;

namespace PoeSharp.Wheels.Tests;

/// <summary>FollowTailWheel on pipes and FIFOs: watched for readability with the real kernel, not polled.</summary>
public sealed partial class FollowTailPipeTests
{
    private sealed class Heap : IRecordsErrors
    {
        public FollowTailWheel? Wheel;
        public readonly List<string> Log = [];
        public readonly List<(string Op, int Errno, string Message, int Id)> Errors = [];
        List<(string Op, int Errno, string Message, int Id)> IRecordsErrors.Errors => Errors;
        public PoeSharp.Wheels.Wheel? Subject => Wheel;
        public long? Tell = -1;
    }

    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MkFifo(string path, uint mode);

    private static void WriteAndClose(FileDescriptor fd, string text)
    {
        using (fd) Assert.That(PosixSocket.Write(fd.Fd, System.Text.Encoding.UTF8.GetBytes(text)).Value, Is.EqualTo(text.Length));
    }

    [Test]
    public void APipeIsReadWhenReadableAndItsEndIsAReadError()
    {
        var (read, write) = PosixSocket.Pipe().Value;
        WriteAndClose(write, "one\ntwo\n");
        int id = 0;
        var heap = GuardedSession.Run(new Heap(), s => s
            .On("_start", c =>
            {
                c.Heap.Wheel = new FollowTailWheel(c.Kernel, new FollowTailOptions
                {
                    Handle = read, InputEvent = "input", ErrorEvent = "error", PollInterval = TimeSpan.FromHours(1),
                });
                id = c.Heap.Wheel.Id;
                c.Heap.Tell = c.Heap.Wheel.Tell();
            })
            .On("input", c => c.Heap.Log.Add(c.Arg<string>(0)))
            .On("error", RecordErrorThenDone));
        Assert.That(heap.Log, Is.EqualTo(new[] { "one", "two" }), "an hour-long PollInterval is not used for pipes");
        Assert.That(heap.Errors, Is.EqualTo(new[] { ("read", 0, "", id) }));
        Assert.That(heap.Tell, Is.Null, "a pipe has no position");
        Assert.That(read.IsClosed, Is.True);
    }

    /// <summary>A FIFO named by Filename is opened read-write, so writers may come and go without an end of file.</summary>
    [Test]
    public void AFifoByNameOutlivesItsWriters()
    {
        var dir = Directory.CreateTempSubdirectory("poesharp-fifo-").FullName;
        string path = Path.Combine(dir, "fifo");
        try
        {
            Assert.That(MkFifo(path, Convert.ToUInt32("600", 8)), Is.Zero, $"mkfifo failed: errno {Marshal.GetLastPInvokeError()}");
            var heap = GuardedSession.Run(new Heap(), s => s
                .On("_start", c =>
                {
                    c.Heap.Wheel = new FollowTailWheel(c.Kernel, new FollowTailOptions { Filename = path, InputEvent = "input", ErrorEvent = "error" });
                    WriteAndClose(FileInterop.OpenPath(path, FileInterop.O_WRONLY | FileInterop.O_NONBLOCK).Value, "a\n");
                })
                .On("input", c =>
                {
                    c.Heap.Log.Add(c.Arg<string>(0));
                    if (c.Heap.Log.Count == 1)
                        WriteAndClose(FileInterop.OpenPath(path, FileInterop.O_WRONLY | FileInterop.O_NONBLOCK).Value, "b\n");
                    else
                        Done(c);
                })
                .On("error", RecordErrorThenDone));
            Assert.That(heap.Errors, Is.Empty);
            Assert.That(heap.Log, Is.EqualTo(new[] { "a", "b" }));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
