using PoeSharp.Filters;
using PoeSharp.Os;

namespace PoeSharp.Wheels.Tests.Run;

/// <summary>
/// POE::Wheel::Run against real programs (/bin/cat, /bin/sh, sleep, grep), started from the test
/// host with posix_spawn (no fork of the test host). Every child is reaped through
/// <see cref="Kernel.SigChild(int, string?, object?[])"/> and its wait status asserted; a guard
/// timer stops a hanging test and the tear-down kills leftovers by pid.
/// </summary>
[NonParallelizable]
public sealed class RunWheelTests
{
    [TearDown]
    public void KillLeftovers()
    {
        int left = ChildProcesses.KillLeftovers();
        Assert.That(left, Is.Zero, "a test left a child process running or unreaped");
    }

    private static (string, int, string, int, string) Eof(RunRecorder rec, string handle) => ("read", 0, "", rec.WheelId, handle);

    [Test]
    public void CatEchoesPutRecordsThenCloseAndChildExitZero()
    {
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel, seconds: 20);
        var rec = RunRecorder.Start(kernel, new RunOptions { Program = "/bin/cat" }, r => r.OnStart = (h, c) =>
        {
            h.Wheel!.Put("one");
            h.Wheel.Put("two", "three");
            Assert.That(h.Wheel.DriverOutOctets, Is.EqualTo(14));
            Assert.That(h.Wheel.DriverOutMessages, Is.EqualTo(3));
            h.Wheel.CloseStdin();
            Assert.That(h.Wheel.CanPut, Is.False);
        });

        guard.Run(kernel);

        Assert.That(rec.Pid, Is.GreaterThan(0));
        Assert.That(rec.Stdout, Is.EqualTo(new[] { "one", "two", "three" }));
        Assert.That(rec.Stderr, Is.Empty);
        Assert.That(rec.StdinFlushes, Is.EqualTo(1));
        Assert.That(rec.Errors, Is.EquivalentTo(new[] { Eof(rec, "STDOUT"), Eof(rec, "STDERR") }));
        Assert.That(rec.Closes, Is.EqualTo(1));
        Assert.That(rec.Order.IndexOf("close"), Is.GreaterThan(rec.Order.IndexOf("error:read:STDOUT")).And.GreaterThan(rec.Order.IndexOf("error:read:STDERR")),
            "CloseEvent comes after the end of file of both pipes");
        Assert.That(rec.ChldPid, Is.EqualTo(rec.Pid));
        Assert.That(WaitStatus.Exited(rec.ExitStatus!.Value), Is.True, WaitStatus.Describe(rec.ExitStatus.Value));
        Assert.That(WaitStatus.ExitCode(rec.ExitStatus.Value), Is.Zero);
        Assert.That(ChildProcesses.IsGone(rec.Pid), Is.True, "reaped by the kernel");
    }

    [Test]
    public void StdoutAndStderrAreSeparateAndTheExitCodeArrives()
    {
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel, seconds: 20);
        var rec = RunRecorder.Start(kernel, new RunOptions
        {
            Program = "/bin/sh",
            Arguments = ["-c", "echo out; echo err >&2; echo out2; exit 3"],
        });

        guard.Run(kernel);

        Assert.That(rec.Stdout, Is.EqualTo(new[] { "out", "out2" }));
        Assert.That(rec.Stderr, Is.EqualTo(new[] { "err" }));
        Assert.That(WaitStatus.Exited(rec.ExitStatus!.Value), Is.True);
        Assert.That(WaitStatus.ExitCode(rec.ExitStatus.Value), Is.EqualTo(3));
        Assert.That(rec.ExitStatus.Value, Is.EqualTo(3 << 8), "the raw wait status, POE's $?");
    }

    [Test]
    public void KillEndsTheChildWithTermAndFailsOnceItIsReaped()
    {
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel, seconds: 20);
        bool killed = false;
        bool killAfterReap = true;
        var rec = RunRecorder.Start(kernel, new RunOptions { Program = "sleep", Arguments = ["30"] }, r =>
        {
            r.OnStart = (h, c) => killed = h.Wheel!.Kill();
            r.OnExit = h => killAfterReap = h.Wheel!.Kill("KILL");
        });

        guard.Run(kernel);

        Assert.That(killed, Is.True);
        Assert.That(WaitStatus.Signaled(rec.ExitStatus!.Value), Is.True, WaitStatus.Describe(rec.ExitStatus.Value));
        Assert.That(WaitStatus.TermSignal(rec.ExitStatus.Value), Is.EqualTo(Signals.TERM));
        Assert.That(killAfterReap, Is.False, "the pidfd no longer names a process: no recycled pid can be hit");
        Assert.That(rec.Closes, Is.EqualTo(1));
    }

    [Test]
    public void KillAcceptsNamesAndNumbersAndRejectsUnknownNames()
    {
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel, seconds: 20);
        Exception? unknown = null;
        var rec = RunRecorder.Start(kernel, new RunOptions { Program = "sleep", Arguments = ["30"] }, r => r.OnStart = (h, c) =>
        {
            unknown = Assert.Catch(() => h.Wheel!.Kill("NOPE"));
            Assert.That(h.Wheel!.Kill(0), Is.True, "signal 0 only checks that the child exists");
            Assert.That(h.Wheel.Kill("SIGINT"), Is.True);
        });

        guard.Run(kernel);

        Assert.That(unknown, Is.InstanceOf<ArgumentException>().With.Message.Contains("NOPE"));
        Assert.That(WaitStatus.TermSignal(rec.ExitStatus!.Value), Is.EqualTo(Signals.INT));
    }

    [Test]
    public void AProgramThatDoesNotExistYieldsASpawnError()
    {
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel, seconds: 20);
        Exception? putError = null;
        bool errorBeforeStartReturned = false;
        var rec = RunRecorder.Start(kernel, new RunOptions { Program = "/nonexistent/poesharp-no-such-program" }, r =>
        {
            r.ExpectClose = false;
            r.OnStart = (h, c) =>
            {
                errorBeforeStartReturned = h.Errors.Count > 0;
                putError = Assert.Catch(() => h.Wheel!.Put("x"));
            };
        });

        guard.Run(kernel);

        Assert.That(rec.Pid, Is.Zero);
        Assert.That(errorBeforeStartReturned, Is.False, "the error is yielded, not called from the constructor");
        Assert.That(rec.Errors, Has.Count.EqualTo(1));
        var e = rec.Errors[0];
        Assert.That((e.Op, e.Errno, e.WheelId, e.Handle), Is.EqualTo(("spawn", 2 /*ENOENT*/, rec.WheelId, "")));
        Assert.That(e.Message, Does.Contain("/nonexistent/poesharp-no-such-program"));
        Assert.That(rec.Closes, Is.Zero);
        Assert.That(putError, Is.InstanceOf<InvalidOperationException>());
    }

    [Test]
    public void ANameIsLookedUpInPath()
    {
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel, seconds: 20);
        var rec = RunRecorder.Start(kernel, new RunOptions { Program = "echo", Arguments = ["hello", "world"] });

        guard.Run(kernel);

        Assert.That(rec.Stdout, Is.EqualTo(new[] { "hello world" }));
        Assert.That(WaitStatus.ExitCode(rec.ExitStatus!.Value), Is.Zero);
    }

    [Test]
    public void EnvironmentAndWorkingDirectoryReachTheChild()
    {
        string dir = Directory.CreateTempSubdirectory("poesharp-run-").FullName;
        string marker = Guid.NewGuid().ToString("N");
        File.WriteAllText(Path.Combine(dir, "marker"), marker + "\n");
        try
        {
            using var kernel = new Kernel();
            var guard = Guard.Start(kernel, seconds: 20);
            var rec = RunRecorder.Start(kernel, new RunOptions
            {
                Program = "/bin/sh",
                Arguments = ["-c", "echo \"$FOO|$BAR|${HOME-unset}\"; cat ./marker"],
                Environment = new Dictionary<string, string> { ["FOO"] = "foo value", ["BAR"] = "ünïcödé", ["PATH"] = "/usr/bin:/bin" },
                WorkingDirectory = dir,
            });

            guard.Run(kernel);

            Assert.That(rec.Stdout, Is.EqualTo(new[] { "foo value|ünïcödé|unset", marker }));
            Assert.That(WaitStatus.ExitCode(rec.ExitStatus!.Value), Is.Zero);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Test]
    public void WithoutEnvironmentTheChildInheritsDotNetsEnvironment()
    {
        const string name = "POESHARP_RUN_INHERIT_TEST";
        System.Environment.SetEnvironmentVariable(name, "inherited");
        try
        {
            using var kernel = new Kernel();
            var guard = Guard.Start(kernel, seconds: 20);
            var rec = RunRecorder.Start(kernel, new RunOptions { Program = "/bin/sh", Arguments = ["-c", $"echo \"${name}\""] });

            guard.Run(kernel);

            Assert.That(rec.Stdout, Is.EqualTo(new[] { "inherited" }));
        }
        finally
        {
            System.Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Test]
    public void AWorkingDirectoryThatDoesNotExistIsASpawnError()
    {
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel, seconds: 20);
        var rec = RunRecorder.Start(kernel, new RunOptions { Program = "/bin/true", WorkingDirectory = "/nonexistent/poesharp-dir" },
            r => r.ExpectClose = false);

        guard.Run(kernel);

        Assert.That(rec.Pid, Is.Zero);
        Assert.That(rec.Errors.Select(e => (e.Op, e.Errno)), Is.EqualTo(new[] { ("spawn", 2) }));
        Assert.That(rec.Errors[0].Message, Does.Contain("/nonexistent/poesharp-dir"));
    }

    [Test]
    public void TheChildStartsWithAnEmptySignalMaskAndNoIgnoredSignals()
    {
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel, seconds: 20);
        string? parentBlocked = null, parentIgnored = null;
        var rec = RunRecorder.Start(kernel, new RunOptions { Program = "/bin/grep", Arguments = ["-E", "^Sig(Blk|Ign):", "/proc/self/status"] }, r =>
        {
            r.MoreStates = s => s.On("usr1", _ => { });
            r.BeforeStart = (h, c) =>
            {
                // The kernel blocks USR1 on its thread for the signalfd; the child must not inherit that.
                c.Kernel.Sig("USR1", "usr1");
                var status = File.ReadAllLines("/proc/thread-self/status");
                parentBlocked = status.First(l => l.StartsWith("SigBlk:", StringComparison.Ordinal));
                parentIgnored = status.First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
            };
            r.OnExit = h => h.Wheel!.Kernel.Sig("USR1");
        });

        guard.Run(kernel);

        Assert.That(parentBlocked, Is.Not.EqualTo("SigBlk:\t0000000000000000"), "the parent thread really blocked a signal");
        Assert.That(parentIgnored, Is.Not.EqualTo("SigIgn:\t0000000000000000"), ".NET ignores SIGPIPE in the parent; the child must not");
        Assert.That(rec.Stdout, Is.EqualTo(new[] { "SigBlk:\t0000000000000000", "SigIgn:\t0000000000000000" }));
        Assert.That(WaitStatus.ExitCode(rec.ExitStatus!.Value), Is.Zero);
    }

    [Test]
    public void OneMegabyteOfOutputWaitsWhileStdoutIsPaused()
    {
        const int lines = 65536;   // 16 bytes each: 1 MiB
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel, seconds: 20);
        int countAtCheck = -1;
        bool runningAtCheck = false;
        var rec = RunRecorder.Start(kernel, new RunOptions
        {
            Program = "/bin/sh",
            Arguments = ["-c", "yes 0123456789abcde | head -c 1048576"],
        }, r =>
        {
            r.OnStdout = (h, c) =>
            {
                if (h.Stdout.Count != 1) return;
                h.Wheel!.PauseStdout();
                c.Kernel.Delay("check", TimeSpan.FromMilliseconds(300));
            };
            r.MoreStates = s => s.On("check", c =>
            {
                var h = c.Heap;
                countAtCheck = h.Stdout.Count;
                runningAtCheck = ChildProcesses.IsRunning(h.Pid);
                h.Wheel!.ResumeStdout();
            });
        });

        guard.Run(kernel);

        Assert.That(countAtCheck, Is.LessThan(lines / 4), "nothing more was read while paused");
        Assert.That(runningAtCheck, Is.True, "the child blocked on the full pipe instead of finishing");
        Assert.That(rec.Stdout, Has.Count.EqualTo(lines));
        Assert.That(rec.Stdout, Has.All.EqualTo("0123456789abcde"));
        Assert.That(WaitStatus.ExitCode(rec.ExitStatus!.Value), Is.Zero);
    }

    [Test]
    public void OneMegabyteThroughCatBothWays()
    {
        const int lines = 65536;
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel, seconds: 20);
        long bufferedAfterPut = 0;
        var rec = RunRecorder.Start(kernel, new RunOptions { Program = "/bin/cat" }, r => r.OnStart = (h, c) =>
        {
            for (int i = 0; i < lines; i++) h.Wheel!.Put(i.ToString("x15", System.Globalization.CultureInfo.InvariantCulture));
            bufferedAfterPut = h.Wheel!.DriverOutOctets;
            h.Wheel.CloseStdin();
        });

        guard.Run(kernel);

        Assert.That(bufferedAfterPut, Is.EqualTo(lines * 16L), "Put only queues; the pipe is written when it is writable");
        Assert.That(rec.Stdout, Has.Count.EqualTo(lines));
        Assert.That(rec.Stdout[0], Is.EqualTo("000000000000000"));
        Assert.That(rec.Stdout[^1], Is.EqualTo((lines - 1).ToString("x15", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(rec.StdinFlushes, Is.EqualTo(1));
        Assert.That(WaitStatus.ExitCode(rec.ExitStatus!.Value), Is.Zero);
    }

    [Test]
    public void ManyRunsInARowLeaveNoProcessAndNoDescriptor()
    {
        const int runs = 20;
        using var kernel = new Kernel();
        var pids = new List<int>();
        int before = -1;
        var guard = Guard.Start(kernel, sessions: runs + 1, seconds: 30);

        void StartRun(int index) =>
            RunRecorder.Start(kernel, new RunOptions { Program = "/bin/sh", Arguments = ["-c", $"echo run {index}; cat"] }, r =>
            {
                r.OnStart = (h, c) =>
                {
                    pids.Add(h.Pid);
                    h.Wheel!.Put("in " + index);
                    h.Wheel.CloseStdin();
                };
                r.OnFinished = (h, k) =>
                {
                    Assert.That(h.Stdout, Is.EqualTo(new[] { $"run {index}", $"in {index}" }));
                    Assert.That(h.ExitStatus, Is.Zero);
                    k.Post("driver", "next");
                };
            });

        kernel.Create(0, s => s
            .On("_start", c =>
            {
                c.Kernel.AliasSet("driver");
                StartRun(0);
            })
            .On("next", c =>
            {
                // The first run is a warm-up: what the kernel keeps (epoll, pidfd plumbing) exists by now.
                if (pids.Count == 1) before = ChildProcesses.OpenDescriptors();
                if (pids.Count == runs + 1) c.Kernel.AliasRemove("driver");
                else StartRun(pids.Count);
            }));

        guard.Run(kernel);

        Assert.That(pids, Has.Count.EqualTo(runs + 1));
        Assert.That(pids, Has.All.Matches<int>(ChildProcesses.IsGone), "every child was reaped");
        Assert.That(ChildProcesses.OpenDescriptors(), Is.EqualTo(before), "pipes and pidfds of all runs were closed");
    }

    [Test]
    public void NoStdinGivesTheChildDevNullAndPutThrows()
    {
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel, seconds: 20);
        Exception? putError = null;
        var rec = RunRecorder.Start(kernel, new RunOptions { Program = "/bin/sh", Arguments = ["-c", "cat; echo done"], NoStdin = true },
            r => r.OnStart = (h, c) => putError = Assert.Catch(() => h.Wheel!.Put("x")));

        guard.Run(kernel);

        Assert.That(rec.Stdout, Is.EqualTo(new[] { "done" }));
        Assert.That(putError, Is.InstanceOf<InvalidOperationException>().With.Message.Contains("NoStdin"));
        Assert.That(WaitStatus.ExitCode(rec.ExitStatus!.Value), Is.Zero);
    }

    [Test]
    public void WritingToAChildThatStoppedReadingIsAWriteErrorOnStdin()
    {
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel, seconds: 20);
        var rec = RunRecorder.Start(kernel, new RunOptions { Program = "/bin/true" }, r =>
        {
            r.OnStart = (h, c) =>
            {
                for (int i = 0; i < 20000; i++) h.Wheel!.Put("a line that nobody will read");
            };
            r.OnExit = h => h.Wheel!.Put("dropped after the write error");   // no exception
        });

        guard.Run(kernel);

        var writes = rec.Errors.Where(e => e.Op == "write").ToList();
        Assert.That(writes, Has.Count.EqualTo(1));
        Assert.That((writes[0].Errno, writes[0].Handle), Is.EqualTo((32 /*EPIPE*/, "STDIN")));
        Assert.That(WaitStatus.ExitCode(rec.ExitStatus!.Value), Is.Zero);
    }

    [Test]
    public void ShutdownStdinDropsWhatWasNotWritten()
    {
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel, seconds: 20);
        var rec = RunRecorder.Start(kernel, new RunOptions { Program = "/bin/cat" }, r => r.OnStart = (h, c) =>
        {
            h.Wheel!.Put("never written");
            h.Wheel.ShutdownStdin();
            Assert.That(h.Wheel.DriverOutOctets, Is.Zero);
        });

        guard.Run(kernel);

        Assert.That(rec.Stdout, Is.Empty);
        Assert.That(rec.StdinFlushes, Is.Zero);
        Assert.That(WaitStatus.ExitCode(rec.ExitStatus!.Value), Is.Zero);
    }

    [Test]
    public void DisposeClosesThePipesWithoutKillingByDefault()
    {
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel, seconds: 20);
        var rec = RunRecorder.Start(kernel, new RunOptions { Program = "/bin/cat" }, r =>
        {
            r.ExpectClose = false;
            r.OnStart = (h, c) => h.Wheel!.Dispose();   // cat reads end of file and exits 0
        });

        guard.Run(kernel);

        Assert.That(WaitStatus.Exited(rec.ExitStatus!.Value), Is.True, WaitStatus.Describe(rec.ExitStatus.Value));
        Assert.That(rec.Closes, Is.Zero, "a disposed wheel emits nothing");
    }

    [Test]
    public void KillOnDisposeSendsTheConfiguredSignal()
    {
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel, seconds: 20);
        var rec = RunRecorder.Start(kernel, new RunOptions { Program = "sleep", Arguments = ["30"], KillOnDispose = true, KillSignalOnDispose = "KILL" }, r =>
        {
            r.ExpectClose = false;
            r.OnStart = (h, c) => h.Wheel!.Dispose();
        });

        guard.Run(kernel);

        Assert.That(WaitStatus.Signaled(rec.ExitStatus!.Value), Is.True);
        Assert.That(WaitStatus.TermSignal(rec.ExitStatus.Value), Is.EqualTo(Signals.KILL));
    }

    [Test]
    public void CustomFiltersDecodeStdoutAndEncodeStdin()
    {
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel, seconds: 20);
        var rec = RunRecorder.Start(kernel, new RunOptions
        {
            Program = "/bin/cat",
            StdinFilter = new LineFilter(new LineFilterOptions { Literal = ";" }),
            StdoutFilter = new LineFilter(new LineFilterOptions { Literal = ";" }),
        }, r => r.OnStart = (h, c) =>
        {
            h.Wheel!.Put("a", "b c");
            h.Wheel.CloseStdin();
        });

        guard.Run(kernel);

        Assert.That(rec.Stdout, Is.EqualTo(new[] { "a", "b c" }));
    }

    [Test]
    public void BadArgumentsAreRejectedWithClearMessages()
    {
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel, seconds: 20);
        var errors = new List<Exception>();
        kernel.Create(0, s => s.On("_start", c =>
        {
            errors.Add(Assert.Catch(() => new RunWheel(c.Kernel, new RunOptions { Program = "" }))!);
            errors.Add(Assert.Catch(() => new RunWheel(c.Kernel, new RunOptions { Program = "/bin/true", Arguments = ["a\0b"] }))!);
            errors.Add(Assert.Catch(() => new RunWheel(c.Kernel, new RunOptions { Program = "/bin/true", KillSignalOnDispose = "BOGUS" }))!);
            errors.Add(Assert.Catch(() => new RunWheel(c.Kernel, new RunOptions
            {
                Program = "/bin/true", Environment = new Dictionary<string, string> { ["A=B"] = "x" },
            }))!);
            c.Kernel.Post("guard", "done");
        }));
        var outside = Assert.Catch(() => new RunWheel(kernel, new RunOptions { Program = "/bin/true" }));

        guard.Run(kernel);

        Assert.That(errors, Has.All.InstanceOf<ArgumentException>());
        Assert.That(errors[0].Message, Does.Contain("Program"));
        Assert.That(errors[1].Message, Does.Contain("NUL"));
        Assert.That(errors[2].Message, Does.Contain("BOGUS"));
        Assert.That(errors[3].Message, Does.Contain("A=B"));
        Assert.That(outside, Is.InstanceOf<InvalidOperationException>());
    }

    [Test]
    public void ADecodeErrorClosesThatPipeAndTheWriterGetsSigpipe()
    {
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel, seconds: 20);
        var rec = RunRecorder.Start(kernel, new RunOptions
        {
            Program = "/bin/sh",
            Arguments = ["-c", "echo started >&2; head -c 1048576 /dev/zero | tr '\\0' a"],
            StdoutFilter = new LineFilter(new LineFilterOptions { Literal = "\n", MaxLineLength = 1000 }),
        });

        guard.Run(kernel);

        Assert.That(rec.Stdout, Is.Empty);
        Assert.That(rec.Stderr, Is.EqualTo(new[] { "started" }));
        var decode = rec.Errors.Single(e => e.Op == "decode");
        Assert.That((decode.Errno, decode.Handle), Is.EqualTo((74 /*EBADMSG*/, "STDOUT")));
        Assert.That(rec.Errors.Where(e => e.Op == "read").Select(e => e.Handle), Is.EqualTo(new[] { "STDERR" }));
        Assert.That(rec.Closes, Is.EqualTo(1), "a failed pipe counts as closed");
        // tr writes into the closed pipe: SIGPIPE has its default action in the child (the shell reports 128+13).
        Assert.That(WaitStatus.ExitCode(rec.ExitStatus!.Value), Is.EqualTo(141), WaitStatus.Describe(rec.ExitStatus.Value));
    }

    [Test]
    public void ClearingStdoutEventStopsReadingAndSettingItResumes()
    {
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel, seconds: 20);
        bool nothingWhileCleared = false;
        var rec = RunRecorder.Start(kernel, new RunOptions { Program = "/bin/sh", Arguments = ["-c", "echo a; echo b; exec cat"] }, r =>
        {
            r.OnStdout = (h, c) =>
            {
                if (h.Stdout.Count != 1) return;
                h.Wheel!.StdoutEvent = null;   // "b" waits in the buffer or the pipe
                c.Kernel.Delay("check", TimeSpan.FromMilliseconds(100));
            };
            r.MoreStates = s => s.On("check", c =>
            {
                var h = c.Heap;
                nothingWhileCleared = h.Stdout.Count == 1;
                h.Wheel!.StdoutEvent = "out";
                h.Wheel.CloseStdin();
            });
        });

        guard.Run(kernel);

        Assert.That(nothingWhileCleared, Is.True, "no record arrived while StdoutEvent was null");
        Assert.That(rec.Stdout, Is.EqualTo(new[] { "a", "b" }));
        Assert.That(WaitStatus.ExitCode(rec.ExitStatus!.Value), Is.Zero);
    }

    [Test]
    public void ARecordLongerThanMaxInputBufferIsAReadErrorNotUnboundedMemory()
    {
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel, seconds: 20);
        var rec = RunRecorder.Start(kernel, new RunOptions
        {
            Program = "/bin/sh",
            Arguments = ["-c", "echo short; head -c 5000 /dev/zero | tr '\\0' a; echo"],
            MaxInputBuffer = 1024,
            ReadBlockSize = 256,
        });

        guard.Run(kernel);

        Assert.That(rec.Stdout, Is.EqualTo(new[] { "short" }));
        var stdoutErrors = rec.Errors.Where(e => e.Handle == "STDOUT").ToList();
        Assert.That(stdoutErrors, Has.Count.EqualTo(1));
        Assert.That((stdoutErrors[0].Op, stdoutErrors[0].Errno), Is.EqualTo(("read", 105 /*ENOBUFS*/)));
        Assert.That(stdoutErrors[0].Message, Does.Contain("1024"));
        Assert.That(rec.Closes, Is.EqualTo(1));
        Assert.That(rec.ExitStatus, Is.Not.Null);
    }

    [Test]
    public void WithoutStdoutEventOnlyStderrIsPipedAndCloseFollowsIt()
    {
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel, seconds: 20);
        var rec = RunRecorder.Start(kernel, new RunOptions { Program = "/bin/sh", Arguments = ["-c", "echo oops >&2"] },
            r => r.PipeStdout = false);

        guard.Run(kernel);

        Assert.That(rec.Stderr, Is.EqualTo(new[] { "oops" }));
        Assert.That(rec.Errors.Select(e => (e.Op, e.Errno, e.Handle)), Is.EqualTo(new[] { ("read", 0, "STDERR") }));
        Assert.That(rec.Closes, Is.EqualTo(1));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void TheChildLeadsItsOwnProcessGroupUnlessAskedNotTo(bool newGroup)
    {
        static string Pgrp(string stat) => stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[2];
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel, seconds: 20);
        var rec = RunRecorder.Start(kernel, new RunOptions
        {
            Program = "/bin/cat", Arguments = ["/proc/self/stat"], NoStdin = true, NewProcessGroup = newGroup,
        });

        guard.Run(kernel);

        Assert.That(rec.Stdout, Has.Count.EqualTo(1));
        string expected = newGroup ? rec.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture) : Pgrp(File.ReadAllText("/proc/self/stat"));
        Assert.That(Pgrp(rec.Stdout[0]), Is.EqualTo(expected));
    }
}
