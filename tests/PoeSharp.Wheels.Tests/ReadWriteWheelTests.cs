using System.Text;
using PoeSharp.Filters;
using PoeSharp.Os;
using static PoeSharp.Wheels.Tests.TestHandlers;

namespace PoeSharp.Wheels.Tests;

/// <summary>ReadWriteWheel on real socketpairs with the real kernel and epoll loop.</summary>
public sealed class ReadWriteWheelTests
{
    private sealed class Heap : IRecordsErrors
    {
        public ReadWriteWheel? Wheel;
        public ReadWriteWheel? Peer;
        public readonly List<object?> Records = [];
        public readonly List<string> Log = [];
        public List<(string Op, int Errno, string Message, int Id)> Errors { get; } = [];
        public PoeSharp.Wheels.Wheel? Subject => Wheel;
        public readonly MemoryStream PeerData = new();
        public int Ticks;
    }

    private static (FileDescriptor Ours, FileDescriptor Theirs) Pair()
    {
        var pair = PosixSocket.SocketPair().Value;
        return (pair.First, pair.Second);
    }

    private static void Send(FileDescriptor fd, string text) =>
        Assert.That(PosixSocket.Write(fd.Fd, Encoding.UTF8.GetBytes(text)).Value, Is.EqualTo(Encoding.UTF8.GetByteCount(text)));

    [Test]
    public void RecordsThenEndOfFileAsReadErrorZero()
    {
        var (ours, theirs) = Pair();
        Send(theirs, "alpha\nbeta\n");
        theirs.Dispose();
        int wheelId = 0;
        var heap = GuardedSession.Run(new Heap(), s => s
            .On("_start", c =>
            {
                c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions { Handle = ours, InputEvent = "got", ErrorEvent = "error" });
                wheelId = c.Heap.Wheel.Id;
            })
            .On("got", c =>
            {
                Assert.That(c.Arg<int>(1), Is.EqualTo(wheelId));
                c.Heap.Records.Add(c[0]);
            })
            .On("error", RecordErrorThenDone));
        Assert.That(heap.Records, Is.EqualTo(new object[] { "alpha", "beta" }), "the default filter is Line");
        Assert.That(heap.Errors, Is.EqualTo(new[] { ("read", 0, "", wheelId) }));
        Assert.That(ours.IsClosed, Is.True);
    }

    [Test]
    public void WriteToAClosedPeerIsAWriteError()
    {
        var (ours, theirs) = Pair();
        theirs.Dispose();
        var heap = GuardedSession.Run(new Heap(), s => s
            .On("_start", c =>
            {
                c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions { Handle = ours, ErrorEvent = "error", FlushedEvent = "flushed" });
                c.Heap.Wheel.Put("lost");
            })
            .On("flushed", c => c.Heap.Log.Add("flushed"))
            .On("error", RecordErrorThenDone));
        Assert.That(heap.Errors.Select(e => (e.Op, e.Errno, e.Message)), Is.EqualTo(new[] { ("write", Errno.EPIPE, "Broken pipe") }));
        Assert.That(heap.Log, Is.Empty, "nothing was flushed");
    }

    [Test]
    public void DisposingInsideInputEventStillDeliversTheRestOfThatRead()
    {
        var (ours, theirs) = Pair();
        using var _ = theirs;
        Send(theirs, "a\nb\nc\n");
        var heap = GuardedSession.Run(new Heap(), s => s
            .On("_start", c => c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
            {
                Handle = ours, Filter = new LineFilter(), InputEvent = "got", ErrorEvent = "error",
            }))
            .On("got", c =>
            {
                c.Heap.Records.Add(c[0]);
                if (c.Heap.Records.Count == 1)
                {
                    Done(c);
                }
            })
            .On("error", RecordError));
        // GuardedSession.Run returned: the disposed wheel left no watcher behind.
        Assert.That(heap.Records, Is.EqualTo(new object[] { "a", "b", "c" }), "POE delivers the rest of the same read");
        Assert.That(heap.Errors, Is.Empty);
        Assert.That(ours.IsClosed, Is.True);
    }

    [Test]
    public void BadFramingIsADecodeErrorAndReadingStops()
    {
        var (ours, theirs) = Pair();
        using var _ = theirs;
        Send(theirs, new string('x', 20));
        var heap = GuardedSession.Run(new Heap(), s => s
            .On("_start", c => c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
            {
                Handle = ours, Filter = new LineFilter(new LineFilterOptions { MaxLineLength = 8 }),
                InputEvent = "got", ErrorEvent = "error",
            }))
            .On("got", c => c.Heap.Records.Add(c[0]))
            .On("error", RecordErrorThenDone));
        Assert.That(heap.Records, Is.Empty);
        Assert.That(heap.Errors, Has.Count.EqualTo(1));
        Assert.That(heap.Errors[0].Op, Is.EqualTo("decode"));
        Assert.That(heap.Errors[0].Errno, Is.EqualTo(Errno.EBADMSG));
        Assert.That(heap.Errors[0].Message, Does.StartWith("Line:").And.Contain("MaxLineLength"));
    }

    [Test]
    public void InputBufferBoundIsEnforcedWithoutACrash()
    {
        var (ours, theirs) = Pair();
        using var _ = theirs;
        Send(theirs, new string('y', 300));
        var heap = GuardedSession.Run(new Heap(), s => s
            .On("_start", c => c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
            {
                Handle = ours, Filter = new LineFilter(), InputEvent = "got", ErrorEvent = "error",
                ReadBlockSize = 64, MaxInputBuffer = 128,
            }))
            .On("got", c => c.Heap.Records.Add(c[0]))
            .On("error", RecordErrorThenDone));
        Assert.That(heap.Records, Is.Empty);
        Assert.That(heap.Errors.Select(e => (e.Op, e.Errno)), Is.EqualTo(new[] { ("read", Errno.ENOBUFS) }));
        Assert.That(heap.Errors[0].Message, Does.Contain("128 bytes"));
    }

    [Test]
    public void SwitchingFiltersInsideInputEventHandsOverThePendingBytes()
    {
        var (ours, theirs) = Pair();
        using var _ = theirs;
        Send(theirs, "hello\nRAW\nBYTES");
        var heap = GuardedSession.Run(new Heap(), s => s
            .On("_start", c => c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
            {
                Handle = ours, Filter = new LineFilter(), InputEvent = "got", ErrorEvent = "error",
            }))
            .On("got", c =>
            {
                c.Heap.Records.Add(c[0] is byte[] b ? "bytes:" + Encoding.ASCII.GetString(b) : c[0]);
                if (c.Heap.Records.Count == 1) c.Heap.Wheel!.SetInputFilter(new StreamFilter());
                else
                {
                    Done(c);
                }
            }));
        Assert.That(heap.Records, Is.EqualTo(new object[] { "hello", "bytes:RAW\nBYTES" }));
    }

    [Test]
    public void SwitchingFiltersOutsideInputEventDecodesPendingBytesAtOnce()
    {
        var (ours, theirs) = Pair();
        using var _ = theirs;
        Send(theirs, "partial");
        var heap = GuardedSession.Run(new Heap(), s => s
            .On("_start", c =>
            {
                c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions { Handle = ours, InputEvent = "got" });
                c.Kernel.Yield("check");
            })
            .On("got", c => c.Heap.Records.Add(c[0] is byte[] b ? "bytes:" + Encoding.ASCII.GetString(b) : c[0]))
            .On("check", c =>
            {
                var w = c.Heap.Wheel!;
                // The kernel polls descriptors between events, so the bytes arrive while we yield.
                if (w.PendingInputOctets < 7)
                {
                    c.Kernel.Yield("check");
                    return;
                }
                Assert.That(c.Heap.Records, Is.Empty, "the Line filter waits for a newline");
                w.SetFilter(new StreamFilter());
                c.Heap.Log.Add($"after switch: {c.Heap.Records.Count} record(s)");
                Assert.That(w.InputFilter, Is.SameAs(w.OutputFilter));
                w.Dispose();
                c.Kernel.Post("guard", "done");
            }));
        Assert.That(heap.Records, Is.EqualTo(new object[] { "bytes:partial" }));
        Assert.That(heap.Log, Is.EqualTo(new[] { "after switch: 1 record(s)" }), "decoded synchronously, as POE's set_input_filter");
    }

    [Test]
    public void SmallReadsAndLinesLongerThanTheBufferArriveIntact()
    {
        // 16-byte reads: the buffer must grow for long lines and compact after short ones.
        var (ours, theirs) = Pair();
        using var _ = theirs;
        var lines = Enumerable.Range(1, 60).Select(i => new string((char)('a' + i % 26), (i * 37) % 300 + 1)).ToArray();
        Send(theirs, string.Join("\n", lines) + "\n");
        var heap = GuardedSession.Run(new Heap(), s => s
            .On("_start", c => c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
            {
                Handle = ours, Filter = new LineFilter(), InputEvent = "got", ReadBlockSize = 16, MaxInputBuffer = 1024,
            }))
            .On("got", c =>
            {
                c.Heap.Records.Add(c[0]);
                if (c.Heap.Records.Count < lines.Length) return;
                Assert.That(c.Heap.Wheel!.PendingInputOctets, Is.Zero);
                Done(c);
            }));
        Assert.That(heap.Records, Is.EqualTo(lines));
    }

    [Test]
    public void PauseAndResumeInput()
    {
        var (ours, theirs) = Pair();
        using var _ = theirs;
        Send(theirs, "a\n");
        var heap = GuardedSession.Run(new Heap(), s => s
            .On("_start", c =>
            {
                c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions { Handle = ours, InputEvent = "got" });
                c.Heap.Wheel.PauseInput();
                c.Kernel.Yield("tick");
            })
            .On("tick", c =>
            {
                // Each event is followed by a descriptor poll: five polls with data waiting, none delivered.
                Assert.That(c.Heap.Records, Is.Empty);
                if (++c.Heap.Ticks < 5) c.Kernel.Yield("tick");
                else c.Heap.Wheel!.ResumeInput();
            })
            .On("got", c =>
            {
                c.Heap.Records.Add(c[0]);
                Done(c);
            }));
        Assert.That(heap.Ticks, Is.EqualTo(5));
        Assert.That(heap.Records, Is.EqualTo(new object[] { "a" }));
    }

    [Test]
    public void WaterMarksBulkDataAndFlushOrder()
    {
        const int lines = 100, lineLength = 10_000;
        var (ours, theirs) = Pair();
        var expected = new StringBuilder();
        for (int i = 0; i < lines; i++) expected.Append((char)('a' + i % 26), lineLength).Append("\r\n");
        bool firstPut = false, lastPut = false;
        var heap = GuardedSession.Run(new Heap(), s => s
            .On("_start", c =>
            {
                var w = c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
                {
                    Handle = ours, ErrorEvent = "error", FlushedEvent = "flushed",
                    HighMark = 4096, LowMark = 1, HighEvent = "high", LowEvent = "low",
                });
                for (int i = 0; i < lines; i++)
                {
                    bool high = w.Put(new string((char)('a' + i % 26), lineLength));
                    if (i == 0) firstPut = high;
                    lastPut = high;
                }
                Assert.That(w.DriverOutMessages, Is.EqualTo(lines));
                Assert.That(w.DriverOutOctets, Is.EqualTo((long)lines * (lineLength + 2)));
            })
            .On("high", c =>
            {
                c.Heap.Log.Add("high");
                // Only now start draining the other end, so the buffer really was full.
                c.Heap.Peer = new ReadWriteWheel(c.Kernel, new ReadWriteOptions { Handle = theirs, Filter = new StreamFilter(), InputEvent = "drained" });
            })
            .On("low", c => c.Heap.Log.Add("low"))
            .On("flushed", c => c.Heap.Log.Add("flushed"))
            .On("drained", c =>
            {
                var bytes = c.Arg<byte[]>(0);
                c.Heap.PeerData.Write(bytes);
                if (c.Heap.PeerData.Length < expected.Length) return;
                c.Heap.Peer!.Dispose();
                Done(c);
            })
            .On("error", c => Assert.Fail($"error {c[0]} {c[2]}")));
        Assert.That(firstPut, Is.True, "10002 octets is above HighMark 4096");
        Assert.That(lastPut, Is.True);
        Assert.That(heap.Log, Is.EqualTo(new[] { "high", "low", "flushed" }));
        Assert.That(Encoding.ASCII.GetString(heap.PeerData.ToArray()), Is.EqualTo(expected.ToString()), "writev kept every byte in order");
    }

    [Test]
    public void LowEventAfterHighWaterEvenWithoutHighEvent()
    {
        // POE's wheel_readwrite: HighMark 12 / LowMark 1 and a LowEvent only.
        var (ours, theirs) = Pair();
        using var _ = theirs;
        var heap = GuardedSession.Run(new Heap(), s => s
            .On("_start", c =>
            {
                var w = c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
                {
                    Handle = ours, HighMark = 12, LowMark = 1, LowEvent = "low", FlushedEvent = "flushed",
                });
                c.Heap.Log.Add("put " + w.Put("this is a test line"));
                c.Heap.Log.Add("high " + w.IsHighWater);
            })
            .On("low", c => c.Heap.Log.Add("low"))
            .On("flushed", c =>
            {
                c.Heap.Log.Add("flushed " + c.Heap.Wheel!.IsHighWater);
                Done(c);
            }));
        Assert.That(heap.Log, Is.EqualTo(new[] { "put True", "high True", "low", "flushed False" }));
    }

    [Test]
    public void PutSeveralRecordsCountsEachAsAMessage()
    {
        var (ours, theirs) = Pair();
        using var _ = theirs;
        var heap = GuardedSession.Run(new Heap(), s => s
            .On("_start", c =>
            {
                var w = c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions { Handle = ours, FlushedEvent = "flushed" });
                w.Put("a", "bc", "def");
                c.Heap.Log.Add($"{w.DriverOutMessages} messages, {w.DriverOutOctets} octets");
            })
            .On("flushed", c =>
            {
                c.Heap.Log.Add($"flushed {c.Heap.Wheel!.DriverOutMessages} {c.Heap.Wheel.DriverOutOctets}");
                Done(c);
            }));
        Assert.That(heap.Log, Is.EqualTo(new[] { "3 messages, 12 octets", "flushed 0 0" }));
        var buf = new byte[32];
        Assert.That(Encoding.ASCII.GetString(buf, 0, PosixSocket.Read(theirs.Fd, buf).Value), Is.EqualTo("a\r\nbc\r\ndef\r\n"));
    }

    [Test]
    public void AutoFlushWritesDuringPut()
    {
        var (ours, theirs) = Pair();
        using var _ = theirs;
        var heap = GuardedSession.Run(new Heap(), s => s
            .On("_start", c =>
            {
                var w = c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions { Handle = ours, AutoFlush = true, FlushedEvent = "flushed" });
                w.Put("now");
                c.Heap.Log.Add($"after put: {w.DriverOutOctets} octets");
                w.Dispose();
                c.Kernel.Post("guard", "done");
            })
            .On("flushed", c => c.Heap.Log.Add("flushed")));
        Assert.That(heap.Log, Is.EqualTo(new[] { "flushed", "after put: 0 octets" }));
        var buf = new byte[16];
        Assert.That(Encoding.ASCII.GetString(buf, 0, PosixSocket.Read(theirs.Fd, buf).Value), Is.EqualTo("now\r\n"), "the Line filter writes CRLF, as POE does");
    }

    [Test]
    public void ShutdownOutputGivesThePeerEndOfFile()
    {
        var (ours, theirs) = Pair();
        var heap = GuardedSession.Run(new Heap(), s => s
            .On("_start", c =>
            {
                c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions { Handle = ours, FlushedEvent = "flushed" });
                c.Heap.Peer = new ReadWriteWheel(c.Kernel, new ReadWriteOptions { Handle = theirs, InputEvent = "got", ErrorEvent = "error" });
                c.Heap.Wheel.Put("bye");
            })
            .On("flushed", c => c.Heap.Wheel!.ShutdownOutput())
            .On("got", c => c.Heap.Records.Add(c[0]))
            .On("error", c =>
            {
                RecordError(c);
                c.Heap.Peer!.Dispose();
                Done(c);
            }));
        Assert.That(heap.Records, Is.EqualTo(new object[] { "bye" }));
        Assert.That(heap.Errors.Select(e => (e.Op, e.Errno)), Is.EqualTo(new[] { ("read", 0) }));
    }

    [Test]
    public void SeparateInputAndOutputPipes()
    {
        var (inRead, inWrite) = PosixSocket.Pipe().Value;
        var (outRead, outWrite) = PosixSocket.Pipe().Value;
        using var a = inWrite;
        using var b = outRead;
        Assert.That(PosixSocket.Write(inWrite.Fd, "question\n"u8).Value, Is.EqualTo(9));
        var heap = GuardedSession.Run(new Heap(), s => s
            .On("_start", c => c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
            {
                Handle = inRead, OutputHandle = outWrite, InputEvent = "got", FlushedEvent = "flushed",
            }))
            .On("got", c => c.Heap.Wheel!.Put("answer to " + c.Arg<string>(0)))
            .On("flushed", c =>
            {
                Done(c);
            }));
        var buf = new byte[64];
        int n = PosixSocket.Read(outRead.Fd, buf).Value;
        Assert.That(Encoding.ASCII.GetString(buf, 0, n), Is.EqualTo("answer to question\r\n"));
        Assert.That(inRead.IsClosed && outWrite.IsClosed, Is.True, "both handles are owned and closed");
    }

    [Test]
    public void ShutdownInputStopsReading()
    {
        var (ours, theirs) = Pair();
        using var _ = theirs;
        var heap = GuardedSession.Run(new Heap(), s => s
            .On("_start", c =>
            {
                c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions { Handle = ours, InputEvent = "got", ErrorEvent = "error" });
                Send(theirs, "ignored\n");
                c.Heap.Wheel.ShutdownInput();
                c.Kernel.Yield("tick");
            })
            .On("tick", c =>
            {
                if (++c.Heap.Ticks < 5)
                {
                    c.Kernel.Yield("tick");
                    return;
                }
                Done(c);
            })
            .On("got", c => c.Heap.Records.Add(c[0]))
            .On("error", RecordError));
        Assert.That(heap.Records, Is.Empty);
        Assert.That(heap.Errors, Is.Empty);
    }

    [Test]
    public void ChangingWaterMarksFollowsPoesRules()
    {
        var (ours, theirs) = Pair();
        using var _ = theirs;
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel);
        var log = new List<string>();
        kernel.Create(new Heap(), s => s.On("_start", c =>
        {
            using var w = new ReadWriteWheel(c.Kernel, new ReadWriteOptions { Handle = ours, HighMark = 100, LowMark = 10, LowEvent = "low" });
            w.SetHighMark(50);
            w.SetLowMark(20);
            log.Add($"{w.HighMark}/{w.LowMark}");
            try { w.SetHighMark(20); } catch (ArgumentOutOfRangeException) { log.Add("high must stay above low"); }
            try { w.SetLowMark(50); } catch (ArgumentOutOfRangeException) { log.Add("low must stay below high"); }
            try { w.SetLowMark(0); } catch (ArgumentOutOfRangeException) { log.Add("low must be above 0"); }
            w.HighEvent = "high";
            log.Add(w.HighEvent);
            c.Kernel.Post("guard", "done");
        }));
        guard.Run(kernel);
        Assert.That(log, Is.EqualTo(new[] { "50/20", "high must stay above low", "low must stay below high", "low must be above 0", "high" }));
    }

    [Test]
    public void TheWheelKeepsItsSessionAliveAfterEndOfFileUntilDisposed()
    {
        var (ours, theirs) = Pair();
        theirs.Dispose();
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel);
        var heap = new Heap();
        Session? owner = null;
        kernel.Create(heap, s => s
            .On("_start", c =>
            {
                owner = c.Session;
                c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions { Handle = ours, InputEvent = "got", ErrorEvent = "error" });
            })
            .On("error", c => c.Kernel.Post("probe", "probe")) // EOF: the read watcher is gone now
            .On("dispose", c =>
            {
                Done(c);
            })
            .On("_stop", c => c.Heap.Log.Add("stopped")));
        kernel.Create(heap, s => s
            .On("_start", c => c.Kernel.AliasSet("probe"))
            .On("probe", c => c.Kernel.Yield("probe2")) // one more timeslice: a session with no references would be swept by now
            .On("probe2", c =>
            {
                c.Heap.Log.Add(owner!.State + ": " + c.Kernel.Explain(owner));
                c.Kernel.Post(owner, "dispose");
                c.Kernel.AliasRemove("probe");
            }));
        guard.Run(kernel);
        Assert.That(heap.Log, Has.Count.EqualTo(2));
        Assert.That(heap.Log[0], Does.StartWith("Alive").And.Contain(ReadWriteWheel.LivenessTag));
        Assert.That(heap.Log[1], Is.EqualTo("stopped"));
    }

    [Test]
    public void PutFromAnotherSessionIsRejected()
    {
        var (ours, theirs) = Pair();
        using var _ = theirs;
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel);
        var heap = new Heap();
        string? message = null;
        kernel.Create(heap, s => s
            .On("_start", c => c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions { Handle = ours }))
            .On("dispose", c =>
            {
                Done(c);
            }));
        kernel.Create(new Heap(), s => s.On("_start", c =>
        {
            try { heap.Wheel!.Put("x"); } catch (InvalidOperationException ex) { message = ex.Message; }
            c.Kernel.Post(heap.Wheel!.Owner, "dispose");
        }));
        guard.Run(kernel);
        Assert.That(message, Does.Contain("call Put inside that session"));
        Assert.That(heap.Wheel!.DriverOutOctets, Is.Zero);
    }

    [Test]
    public void OwnsHandleFalseLeavesTheDescriptorOpen()
    {
        var (ours, theirs) = Pair();
        using var a = ours;
        using var b = theirs;
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel);
        kernel.Create(new Heap(), s => s.On("_start", c =>
        {
            new ReadWriteWheel(c.Kernel, new ReadWriteOptions { Handle = ours, OwnsHandle = false, InputEvent = "got" }).Dispose();
            c.Kernel.Post("guard", "done");
        }));
        guard.Run(kernel);
        Assert.That(ours.IsClosed, Is.False);
    }

    [Test]
    public void CreatingAWheelOutsideASessionIsRejected()
    {
        var (ours, theirs) = Pair();
        using var a = ours;
        using var b = theirs;
        using var kernel = new Kernel();
        var ex = Assert.Throws<InvalidOperationException>(() => new ReadWriteWheel(kernel, new ReadWriteOptions { Handle = ours }));
        Assert.That(ex!.Message, Does.Contain("inside the session"));
    }

    private static IEnumerable<TestCaseData> WaterMarkCases()
    {
        // POE 1.370's real rule (ReadWrite.pm new), not the PTL test's expectations.
        yield return new TestCaseData(12, null, null, null, "HighMark and LowMark parameters require each-other").SetName("HighMarkWithoutLowMark");
        yield return new TestCaseData(null, 1, null, "low", "HighMark and LowMark parameters require each-other").SetName("LowMarkWithoutHighMark");
        yield return new TestCaseData(-1, 1, null, "low", "must be above 0").SetName("NegativeHighMark");
        yield return new TestCaseData(12, 0, null, "low", "must be above 0").SetName("ZeroLowMark");
        yield return new TestCaseData(null, null, "high", null, "HighEvent requires a corresponding HighMark").SetName("HighEventWithoutHighMark");
        yield return new TestCaseData(12, 1, null, null, "LowMark and LowEvent parameters require each-other").SetName("LowMarkWithoutLowEvent");
        yield return new TestCaseData(12, 1, "high", null, "LowMark and LowEvent parameters require each-other").SetName("MarksAndHighEventWithoutLowEvent");
        yield return new TestCaseData(null, null, null, "low", "LowMark and LowEvent parameters require each-other").SetName("LowEventWithoutLowMark");
        yield return new TestCaseData(12, 1, null, "low", null).SetName("MarksAndLowEventOnlyIsAccepted");
        yield return new TestCaseData(12, 1, "high", "low", null).SetName("EverythingIsAccepted");
        yield return new TestCaseData(null, null, null, null, null).SetName("NoMarksIsAccepted");
    }

    [TestCaseSource(nameof(WaterMarkCases))]
    public void WaterMarkValidation(int? high, int? low, string? highEvent, string? lowEvent, string? error)
    {
        var (ours, theirs) = Pair();
        using var a = ours;
        using var b = theirs;
        using var kernel = new Kernel();
        var guard = Guard.Start(kernel);
        Exception? caught = null;
        kernel.Create(new Heap(), s => s.On("_start", c =>
        {
            try
            {
                new ReadWriteWheel(c.Kernel, new ReadWriteOptions
                {
                    Handle = ours, OwnsHandle = false, HighMark = high, LowMark = low, HighEvent = highEvent, LowEvent = lowEvent,
                }).Dispose();
            }
            catch (ArgumentException ex)
            {
                caught = ex;
            }
            c.Kernel.Post("guard", "done");
        }));
        guard.Run(kernel);
        if (error is null) Assert.That(caught, Is.Null);
        else Assert.That(caught?.Message, Does.StartWith("Water mark errors:").And.Contain(error));
    }
}
