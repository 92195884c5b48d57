using PoeSharp.Filters;
using PoeSharp.Testing;

namespace PoeSharp.Wheels.Tests;

/// <summary>
/// FollowTailWheel on real temporary files, polled in virtual time: the fake kernel's clock
/// drives the poll timer, so no test waits for real time.
/// </summary>
public sealed partial class FollowTailWheelTests
{
    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "link", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Link(string existing, string newPath);

    private static readonly TimeSpan Poll = FollowTailOptions.DefaultPollInterval;

    private sealed class Heap
    {
        public FollowTailWheel? Wheel;
        public readonly List<string> Log = [];
        public readonly List<(string Op, int Errno, string Message, int Id)> Errors = [];
        public int Idles;
        public Exception? Thrown;
        public Session? Session;
    }

    private FakeKernel _fake = null!;
    private string _dir = null!;
    private string _path = null!;

    [SetUp]
    public void SetUp()
    {
        _fake = new FakeKernel();
        _dir = Directory.CreateTempSubdirectory("poesharp-tail-").FullName;
        _path = Path.Combine(_dir, "app.log");
    }

    [TearDown]
    public void TearDown()
    {
        _fake.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private FollowTailOptions Options(string? path = null) => new()
    {
        Filename = path ?? _path, InputEvent = "input", ResetEvent = "reset", ErrorEvent = "error", IdleEvent = "idle",
    };

    /// <summary>A session whose _start creates the wheel; runs what is due now.</summary>
    private Heap Start(FollowTailOptions options)
    {
        var heap = new Heap();
        heap.Session = _fake.Create(heap, s => s
            .On("_start", c =>
            {
                try
                {
                    c.Heap.Wheel = new FollowTailWheel(c.Kernel, options);
                }
                catch (ArgumentException e)
                {
                    c.Heap.Thrown = e;
                }
            })
            .On("input", c => c.Heap.Log.Add(c.Arg<string>(0)))
            .On("reset", c => c.Heap.Log.Add("<reset>"))
            .On("idle", c => c.Heap.Idles++)
            .On("error", c => c.Heap.Errors.Add((c.Arg<string>(0), c.Arg<int>(1), c.Arg<string>(2), c.Arg<int>(3))))
            .On("dispose", c => c.Heap.Wheel!.Dispose()));
        _fake.RunUntilIdle();
        _fake.ThrowIfHandlerFailed();
        return heap;
    }

    private void Append(string text, string? path = null) => File.AppendAllText(path ?? _path, text);

    private void NextPoll()
    {
        _fake.Advance(Poll);
        _fake.ThrowIfHandlerFailed();
    }

    [Test]
    public void StartsAtTheEndAndDeliversAppendedLinesInOrder()
    {
        File.WriteAllText(_path, "old 1\nold 2\n");
        var heap = Start(Options());
        Assert.That(heap.Log, Is.Empty, "old content is skipped");
        Assert.That(heap.Wheel!.Tell(), Is.EqualTo(12));

        Append("a\nb\n");
        Assert.That(heap.Log, Is.Empty, "nothing before the next poll");
        NextPoll();
        Assert.That(heap.Log, Is.EqualTo(new[] { "a", "b" }));
        Append("c\r\n");
        Append("d\n");
        NextPoll();
        Assert.That(heap.Log, Is.EqualTo(new[] { "a", "b", "c", "d" }));
        NextPoll();
        Assert.That(heap.Log, Has.Count.EqualTo(4));
        Assert.That(heap.Idles, Is.GreaterThanOrEqualTo(2), "IdleEvent after the polls that found nothing");
        Assert.That(heap.Errors, Is.Empty);
        Assert.That(heap.Wheel.Tell(), Is.EqualTo(new FileInfo(_path).Length));
    }

    [Test]
    public void APartialLineWaitsForItsTerminator()
    {
        File.WriteAllText(_path, "old\nunfini");   // a writer is in the middle of a line
        var heap = Start(Options());
        NextPoll();
        Assert.That(heap.Log, Is.Empty);
        Append("shed\nhal");
        NextPoll();
        Assert.That(heap.Log, Is.EqualTo(new[] { "unfinished" }), "the last line of the old content arrives whole");
        NextPoll();
        Assert.That(heap.Log, Is.EqualTo(new[] { "unfinished" }));
        Append("f\n");
        NextPoll();
        Assert.That(heap.Log, Is.EqualTo(new[] { "unfinished", "half" }));
    }

    [Test]
    public void TruncationRestartsAtZeroWithAResetEvent()
    {
        File.WriteAllText(_path, "one\ntwo\n");
        var heap = Start(Options() with { Seek = 0 });
        Assert.That(heap.Log, Is.EqualTo(new[] { "one", "two" }));
        File.WriteAllText(_path, "new\n");   // shorter than what was read
        NextPoll();
        Assert.That(heap.Log, Is.EqualTo(new[] { "one", "two", "<reset>", "new" }));
        Append("more\n");
        NextPoll();
        Assert.That(heap.Log, Is.EqualTo(new[] { "one", "two", "<reset>", "new", "more" }));
        Assert.That(heap.Errors, Is.Empty);
    }

    [Test]
    public void AResetDropsTheUnfinishedRecordOfTheOldContent()
    {
        File.WriteAllText(_path, "a\nunfinished");
        var heap = Start(Options() with { Seek = 0 });
        File.WriteAllText(_path, "new\n");
        NextPoll();
        Assert.That(heap.Log, Is.EqualTo(new[] { "a", "<reset>", "new" }), "POE would deliver \"unfinishednew\"");
    }

    [Test]
    public void AHardLinkIsNotAReset()
    {
        File.WriteAllText(_path, "a\n");
        var heap = Start(Options() with { Seek = 0 });
        Assert.That(Link(_path, Path.Combine(_dir, "link")), Is.Zero);
        Append("b\n");
        NextPoll();
        NextPoll();
        Assert.That(heap.Log, Is.EqualTo(new[] { "a", "b" }), "POE re-reads the whole file when the link count changes");
    }

    [Test]
    public void TruncationOfAHandleIsDetectedToo()
    {
        File.WriteAllText(_path, "one\ntwo\n");
        var handle = PoeSharp.Os.FileInterop.OpenPath(_path, PoeSharp.Os.FileInterop.O_RDONLY).Value;
        var heap = Start(new FollowTailOptions { Handle = handle, InputEvent = "input", ResetEvent = "reset", SeekBack = 4 });
        Assert.That(heap.Log, Is.EqualTo(new[] { "two" }));
        File.WriteAllText(_path, "x\n");
        NextPoll();
        Assert.That(heap.Log, Is.EqualTo(new[] { "two", "<reset>", "x" }));
        _fake.Deliver(heap.Session!, "dispose");
        Assert.That(handle.IsClosed, Is.True, "OwnsHandle defaults to true");
    }

    /// <summary>
    /// logrotate's default: rename the file, the writer goes on writing to it for a moment, then
    /// a new file appears. The old file is read to its end before the new one, from its start.
    /// </summary>
    [Test]
    public void RotationFinishesTheOldFileThenReadsTheNewOneFromItsStart()
    {
        File.WriteAllText(_path, "");
        var heap = Start(Options());
        Append("before\n");
        NextPoll();
        File.Move(_path, _path + ".1");
        NextPoll();
        Append("late\n", _path + ".1");
        NextPoll();
        Assert.That(heap.Log, Is.EqualTo(new[] { "before", "late" }), "while the name is missing the renamed file is still followed");
        Append("late 2\n", _path + ".1");
        File.WriteAllText(_path, "fresh 1\nfresh 2\n");
        NextPoll();
        NextPoll();
        Assert.That(heap.Log, Is.EqualTo(new[] { "before", "late", "late 2", "<reset>", "fresh 1", "fresh 2" }));
        Append("fresh 3\n");
        NextPoll();
        Assert.That(heap.Log[^1], Is.EqualTo("fresh 3"));
        Assert.That(heap.Errors, Is.Empty);
    }

    [Test]
    public void ARemovedFileIsLetGoAndFollowedAgainWhenItComesBack()
    {
        File.WriteAllText(_path, "");
        var heap = Start(Options());
        Append("a\n");
        NextPoll();
        File.Delete(_path);
        NextPoll();
        Assert.That(heap.Wheel!.Handle, Is.Null, "no links left: the descriptor is closed");
        NextPoll();
        File.WriteAllText(_path, "b\n");
        NextPoll();
        Assert.That(heap.Log, Is.EqualTo(new[] { "a", "<reset>", "b" }));
        Assert.That(heap.Errors, Is.Empty);
    }

    [Test]
    public void AFileThatDoesNotExistYetIsReadFromItsStartWhenItAppears()
    {
        var heap = Start(Options());
        Assert.That(heap.Wheel!.Handle, Is.Null);
        Assert.That(heap.Wheel.Tell(), Is.Null);
        NextPoll();
        Assert.That(heap.Idles, Is.GreaterThanOrEqualTo(1));
        File.WriteAllText(_path, "first\n");
        NextPoll();
        Assert.That(heap.Log, Is.EqualTo(new[] { "<reset>", "first" }));
    }

    [TestCase(null, 4L, new[] { "abc" })]
    [TestCase(null, 0L, new string[0])]
    [TestCase(null, 1000L, new[] { "0123456789", "abc" })]
    [TestCase(11L, null, new[] { "abc" })]
    [TestCase(0L, null, new[] { "0123456789", "abc" })]
    [TestCase(1000L, null, new string[0])]
    public void SeekAndSeekBackChooseTheStart(long? seek, long? seekBack, string[] expected)
    {
        File.WriteAllText(_path, "0123456789\nabc\n");
        var heap = Start(Options() with { Seek = seek, SeekBack = seekBack });
        Assert.That(heap.Log, Is.EqualTo(expected));
        Append("next\n");
        NextPoll();
        Assert.That(heap.Log, Is.EqualTo(expected.Append("next")));
    }

    [Test]
    public void ALargeBacklogIsReadInSlicesWithoutWaitingForThePollInterval()
    {
        var lines = Enumerable.Range(0, 500).Select(i => $"line {i}").ToArray();
        File.WriteAllText(_path, string.Join("\n", lines) + "\n");
        var heap = Start(Options() with { Seek = 0, ReadBlockSize = 64 });
        Assert.That(heap.Log, Is.EqualTo(lines), "every slice after the first is polled again at once");
        var polls = _fake.Dispatched.Count(e => e.Event.EndsWith("-> poll", StringComparison.Ordinal));
        Assert.That(polls, Is.GreaterThan(1), "one poll reads at most MaxReadsPerPoll blocks");
    }

    [Test]
    public void AnotherFilterDecodesTheRecords()
    {
        File.WriteAllText(_path, "");
        var heap = Start(Options() with { Filter = new LineFilter(new LineFilterOptions { Literal = "|" }) });
        Append("x|y|z");
        NextPoll();
        Assert.That(heap.Log, Is.EqualTo(new[] { "x", "y" }));
    }

    [Test]
    public void DisposeRemovesThePollTimerSoTheSessionCanStop()
    {
        File.WriteAllText(_path, "");
        var heap = Start(Options());
        Assert.That(_fake.Timers, Has.Count.EqualTo(1));
        _fake.Deliver(heap.Session!, "dispose");
        Assert.That(_fake.Timers, Is.Empty);
        Assert.That(_fake.Kernel.SessionCount, Is.Zero, "nothing keeps the session alive any more");
        Assert.That(heap.Wheel!.Handle, Is.Null);
    }

    [Test]
    public void DisposingInsideInputEventStillDeliversTheRestOfTheRead()
    {
        File.WriteAllText(_path, "");
        var heap = new Heap();
        _fake.Create(heap, s => s
            .On("_start", c => c.Heap.Wheel = new FollowTailWheel(c.Kernel, Options()))
            .On("input", c =>
            {
                c.Heap.Log.Add(c.Arg<string>(0));
                c.Heap.Wheel!.Dispose();
            }));
        _fake.RunUntilIdle();
        Append("a\nb\n");
        NextPoll();
        Append("c\n");
        NextPoll();
        Assert.That(heap.Log, Is.EqualTo(new[] { "a", "b" }), "as ReadWriteWheel and POE: the records already read arrive");
        Assert.That(_fake.Kernel.SessionCount, Is.Zero);
    }

    [Test]
    public void AFileThatCannotBeOpenedIsAYieldedOpenError()
    {
        File.WriteAllText(_path, "");
        var heap = Start(Options(Path.Combine(_path, "inside-a-file")));   // ENOTDIR, even for root
        Assert.That(heap.Errors.Select(e => (e.Op, e.Errno, e.Id)), Is.EqualTo(new[] { ("open", 20, heap.Wheel!.Id) }));
        Assert.That(heap.Wheel.IsFollowing, Is.False);
        Assert.That(_fake.Kernel.SessionCount, Is.Zero, "no timer is left behind");
    }

    [Test]
    public void InvalidOptionsThrowWithAHint()
    {
        File.WriteAllText(_path, "");
        var handle = PoeSharp.Os.FileInterop.OpenPath(_path, PoeSharp.Os.FileInterop.O_RDONLY).Value;
        try
        {
            string Message(FollowTailOptions o) => Start(o).Thrown?.Message ?? "no exception";
            Assert.That(Message(Options() with { Handle = handle }), Does.StartWith("FollowTail needs a Filename or a Handle, but not both"));
            Assert.That(Message(Options() with { Filename = null }), Does.StartWith("FollowTail needs a Filename or a Handle, but not both"));
            Assert.That(Message(Options() with { Seek = 1, SeekBack = 1 }), Does.StartWith("Seek and SeekBack cannot both be set"));
            Assert.That(Message(Options() with { SeekBack = -1 }), Does.StartWith("Seek and SeekBack are byte counts"));
            Assert.That(Message(Options() with { PollInterval = TimeSpan.Zero }), Does.StartWith("PollInterval must be positive"));
            Assert.That(Message(Options(_dir)), Does.Contain("is a directory"));
        }
        finally
        {
            handle.Dispose();
        }
    }

    /// <summary>
    /// A wheel still waiting for its file belongs to its session like any other: a session stopped
    /// by <see cref="HandlerFailurePolicy.StopSession"/> has it disposed, and it never opens the file.
    /// </summary>
    [Test]
    public void AWheelWaitingForItsFileIsDisposedWithAForceStoppedOwner()
    {
        using var fake = new FakeKernel(new KernelOptions { HandlerFailure = HandlerFailurePolicy.StopSession, WarningWriter = TextWriter.Null });
        FollowTailWheel? wheel = null;
        Session session = fake.Create(0, s => s
            .On("_start", c => wheel = new FollowTailWheel(c.Kernel, Options()))
            .On("boom", _ => throw new InvalidOperationException("handler failure")));
        fake.RunUntilIdle();
        Assert.That(wheel!.Handle, Is.Null, "the file does not exist yet");
        Assert.That(wheel.IsDisposed, Is.False);

        fake.Kernel.Post(session, "boom");
        fake.RunUntilIdle();
        Assert.That(wheel.IsDisposed, Is.True, "the stopped session's wheel was disposed");
        Append("first\n");
        fake.Advance(Poll * 3);
        Assert.That(wheel.Handle, Is.Null, "a disposed wheel never opens the file");
    }
}
