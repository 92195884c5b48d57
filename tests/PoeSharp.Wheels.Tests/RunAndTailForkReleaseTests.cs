using System.Runtime.InteropServices;
using System.Text;
using PoeSharp.Os;
using PoeSharp.Testing;
using PoeSharp.Wheels.Tests.Run;

namespace PoeSharp.Wheels.Tests;

/// <summary>
/// In a forked child (the fake host's <see cref="FakeProcessHost.NextForkIsChild"/>), a Run wheel
/// lets go of the parent's program and a FollowTail wheel of the parent's file, without any I/O on
/// them and without signalling the program; <c>KeepAfterFork</c> keeps POE's behaviour. The
/// parent's copies of the descriptors are <c>dup</c>s of the wheel's, as fork would make, and must
/// keep working afterwards.
/// </summary>
[NonParallelizable]
public sealed partial class RunAndTailForkReleaseTests
{
    private sealed class Heap
    {
        public RunWheel? Run;
        public FollowTailWheel? Tail;
        public readonly List<string> Log = [];
    }

    private FakeKernel _fake = null!;
    private string _dir = null!;
    private readonly List<FileDescriptor> _fds = [];

    [SetUp]
    public void SetUp()
    {
        _fake = new FakeKernel();
        _dir = Directory.CreateTempSubdirectory("poesharp-forktail-").FullName;
    }

    [TearDown]
    public void TearDown()
    {
        _fake.Dispose();
        foreach (var fd in _fds) fd.Dispose();
        _fds.Clear();
        Directory.Delete(_dir, recursive: true);
        Assert.That(ChildProcesses.KillLeftovers(), Is.Zero, "a test left a child process running or unreaped");
    }

    private static HashSet<int> OpenFds() =>
        Directory.GetFileSystemEntries("/proc/self/fd").Select(p => int.Parse(Path.GetFileName(p), System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();

    private static string Target(int fd)
    {
        try
        {
            return new FileInfo($"/proc/self/fd/{fd}").LinkTarget ?? "";
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>The parent's copy of <paramref name="fd"/>: a dup, closed by the tear-down.</summary>
    private FileDescriptor ParentsCopy(int fd)
    {
        int copy = Dup(fd);
        Assert.That(copy, Is.GreaterThanOrEqualTo(0));
        var handle = new FileDescriptor(copy);
        _fds.Add(handle);
        return handle;
    }

    /// <summary>Reads what <paramref name="fd"/> (non-blocking) delivers until <paramref name="expected"/> is complete or 10 s pass.</summary>
    private static string ReadUntil(FileDescriptor fd, string expected)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (text.Length < expected.Length && DateTime.UtcNow < deadline)
        {
            var r = PosixSocket.Read(fd.Fd, buffer);
            if (!r.Ok || r.Value == 0) break;
            if (r.Value == PosixSocket.WouldBlock) Thread.Sleep(1);
            else text.Append(Encoding.UTF8.GetString(buffer, 0, r.Value));
        }
        return text.ToString();
    }

    private Session StartRun(Heap heap, RunOptions options)
    {
        var session = _fake.Create(heap, s => s
            .On("_start", c => c.Heap.Run = new RunWheel(c.Kernel, options with
            {
                StdoutEvent = "out", ErrorEvent = "error", CloseEvent = "closed",
            }))
            .On("out", c => c.Heap.Log.Add($"out {c[0]}"))
            .On("error", c => c.Heap.Log.Add($"error {c[0]} {c[1]} wheel {c.Arg<int>(3)} handle '{c[4]}'"))
            .On("closed", c => c.Heap.Log.Add("closed"))
            .On(KnownEvents.AfterFork, c => c.Heap.Log.Add("after fork"))
            .On("dispose", c => c.Heap.Run!.Dispose()));
        _fake.ThrowIfHandlerFailed();
        Assert.That(heap.Run!.Pid, Is.GreaterThan(0));
        ChildProcesses.Track(heap.Run.Pid);
        return session;
    }

    [Test]
    public void AChildLetsGoOfTheParentsProgramWithoutSignallingItAndTheParentsPipesStillWork()
    {
        var before = OpenFds();
        var heap = new Heap();
        var session = StartRun(heap, new RunOptions { Program = "/bin/cat", KillOnDispose = true });
        var wheel = heap.Run!;
        var added = OpenFds().Except(before).Where(fd => Target(fd).StartsWith("pipe:", StringComparison.Ordinal)).ToList();
        Assert.That(added, Has.Count.EqualTo(2), "stdin's write end and stdout's read end");
        // The write end of stdin is the one opened for writing only.
        int stdinFd = added.Single(fd => (Fcntl(fd, FGetFl, 0) & OAccMode) == OWrOnly);
        int stdoutFd = added.Single(fd => fd != stdinFd);
        var parentsStdin = ParentsCopy(stdinFd);
        var parentsStdout = ParentsCopy(stdoutFd);
        wheel.Put("queued before the fork");   // waits for the write watcher, which the fake loop never reports

        _fake.Processes.NextForkIsChild(7070);
        Assert.That(_fake.Kernel.Fork().IsChild, Is.True);

        Assert.That(heap.Log, Is.EqualTo(new[] { $"error fork 0 wheel {wheel.Id} handle ''", "after fork" }),
            "no CloseEvent: nothing reached end of file");
        Assert.That(_fake.Selects.Any(w => w.Fd == stdinFd || w.Fd == stdoutFd), Is.False, "nothing left watched");
        Assert.That(wheel.CanPut, Is.False);
        wheel.Put("dropped");
        Assert.That(wheel.DriverOutOctets, Is.Zero, "what was put is dropped, not written");
        Assert.That(wheel.Kill(), Is.False, "the program is the parent's");
        _fake.Deliver(session, "dispose");   // KillOnDispose: still nothing sent
        Assert.That(session.IsAlive, Is.False);
        Assert.That(ChildProcesses.IsRunning(wheel.Pid), Is.True, "the program was not signalled");

        // The parent's copies: the program reads what the parent writes and answers it, once.
        PosixSocket.SetNonBlocking(parentsStdout, true);
        Assert.That(PosixSocket.Write(parentsStdin.Fd, "from the parent\n"u8.ToArray()).Value, Is.EqualTo(16));
        Assert.That(ReadUntil(parentsStdout, "from the parent\n"), Is.EqualTo("from the parent\n"),
            "nothing queued before the fork was written by the child");
        parentsStdin.Dispose();
        int status = PosixSpawn.WaitFor(wheel.Pid);
        Assert.That(WaitStatus.Exited(status) && WaitStatus.ExitCode(status) == 0, Is.True, WaitStatus.Describe(status));
    }

    [Test]
    public void WithKeepAfterForkTheChildKeepsTheProgramAndMaySignalIt()
    {
        var heap = new Heap();
        var session = StartRun(heap, new RunOptions { Program = "/bin/cat", KeepAfterFork = true });
        var wheel = heap.Run!;
        _fake.Processes.NextForkIsChild(7071);
        Assert.That(_fake.Kernel.Fork().IsChild, Is.True);
        Assert.That(heap.Log, Is.EqualTo(new[] { "after fork" }));
        Assert.That(wheel.CanPut, Is.True);
        Assert.That(wheel.Kill("TERM"), Is.True);
        int status = PosixSpawn.WaitFor(wheel.Pid);
        Assert.That(WaitStatus.Signaled(status) && WaitStatus.TermSignal(status) == Signals.TERM, Is.True, WaitStatus.Describe(status));
        _fake.Deliver(session, "dispose");
        Assert.That(session.IsAlive, Is.False);
    }

    private Session StartTail(Heap heap, FollowTailOptions options)
    {
        var session = _fake.Create(heap, s => s
            .On("_start", c => c.Heap.Tail = new FollowTailWheel(c.Kernel, options with { InputEvent = "input", ErrorEvent = "error" }))
            .On("input", c => c.Heap.Log.Add($"input {c[0]}"))
            .On("error", c => c.Heap.Log.Add($"error {c[0]} {c[1]} wheel {c.Arg<int>(3)}"))
            .On(KnownEvents.AfterFork, c => c.Heap.Log.Add("after fork"))
            .On("dispose", c => c.Heap.Tail!.Dispose()));
        _fake.RunUntilIdle();
        _fake.ThrowIfHandlerFailed();
        return session;
    }

    [Test]
    public void AChildStopsFollowingTheParentsFileAndLeavesItsOffsetAlone()
    {
        string path = Path.Combine(_dir, "app.log");
        File.WriteAllText(path, "one\n");
        var heap = new Heap();
        var session = StartTail(heap, new FollowTailOptions { Filename = path, InputEvent = "input", Seek = 0 });
        Assert.That(heap.Log, Is.EqualTo(new[] { "input one" }));
        var wheel = heap.Tail!;
        var handle = wheel.Handle!;
        var parentsCopy = ParentsCopy(handle.Fd);

        _fake.Processes.NextForkIsChild(7072);
        Assert.That(_fake.Kernel.Fork().IsChild, Is.True);

        Assert.That(heap.Log, Is.EqualTo(new[] { "input one", $"error fork 0 wheel {wheel.Id}", "after fork" }));
        Assert.That(handle.IsClosed, Is.True);
        Assert.That(wheel.Handle, Is.Null);
        Assert.That(wheel.IsFollowing, Is.False);
        Assert.That(_fake.Timers, Is.Empty, "the poll went with it");

        File.AppendAllText(path, "two\n");
        _fake.Advance(FollowTailOptions.DefaultPollInterval * 3);
        Assert.That(heap.Log, Has.Count.EqualTo(3), "the child reads nothing");
        // The parent reads on from where it was: the record is still there for it.
        Assert.That(ReadUntil(parentsCopy, "two\n"), Is.EqualTo("two\n"));
        _fake.Deliver(session, "dispose");
        Assert.That(session.IsAlive, Is.False);
    }

    [Test]
    public void AFollowerWaitingForItsFileIsLetGoOfToo()
    {
        string path = Path.Combine(_dir, "later.log");
        var heap = new Heap();
        var session = StartTail(heap, new FollowTailOptions { Filename = path, InputEvent = "input" });
        var wheel = heap.Tail!;
        _fake.Processes.NextForkIsChild(7073);
        Assert.That(_fake.Kernel.Fork().IsChild, Is.True);
        Assert.That(heap.Log, Is.EqualTo(new[] { $"error fork 0 wheel {wheel.Id}", "after fork" }));
        File.WriteAllText(path, "new\n");
        _fake.Advance(FollowTailOptions.DefaultPollInterval * 3);
        Assert.That(heap.Log, Has.Count.EqualTo(2), "the child does not open the file");
        _fake.Deliver(session, "dispose");
        Assert.That(session.IsAlive, Is.False);
    }

    [Test]
    public void WithKeepAfterForkTheChildGoesOnFollowing()
    {
        string path = Path.Combine(_dir, "kept.log");
        File.WriteAllText(path, "");
        var heap = new Heap();
        var session = StartTail(heap, new FollowTailOptions { Filename = path, InputEvent = "input", KeepAfterFork = true });
        _fake.Processes.NextForkIsChild(7074);
        Assert.That(_fake.Kernel.Fork().IsChild, Is.True);
        Assert.That(heap.Log, Is.EqualTo(new[] { "after fork" }));
        File.AppendAllText(path, "still\n");
        _fake.Advance(FollowTailOptions.DefaultPollInterval);
        Assert.That(heap.Log, Is.EqualTo(new[] { "after fork", "input still" }));
        _fake.Deliver(session, "dispose");
        Assert.That(session.IsAlive, Is.False);
    }

    private const int FGetFl = 3;
    private const int OAccMode = 3;
    private const int OWrOnly = 1;

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    private static partial int Dup(int fd);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int cmd, int arg);
}
