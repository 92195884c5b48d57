namespace PoeSharp.Wheels.Tests.Run;

/// <summary>
/// The heap of a test session that runs one program: records every event of the wheel and the
/// CHLD event, in order, and disposes the wheel once both CloseEvent (when there are output
/// pipes) and CHLD have arrived, so the session (and the kernel) can finish.
/// </summary>
internal sealed class RunRecorder
{
    public RunWheel? Wheel;
    public int Pid;
    public int WheelId;
    public readonly List<string> Stdout = [];
    public readonly List<string> Stderr = [];
    public readonly List<(string Op, int Errno, string Message, int WheelId, string Handle)> Errors = [];
    public readonly List<string> Order = [];
    public int Closes;
    public int StdinFlushes;
    public int? ExitStatus;
    public int ChldPid;
    public bool ExpectClose = true;

    /// <summary>False: no StdoutEvent, so the child shares the test host's stdout.</summary>
    public bool PipeStdout = true;

    /// <summary>Called from the CHLD handler before the wheel is disposed.</summary>
    public Action<RunRecorder>? OnExit;

    /// <summary>Called after the wheel was disposed at the end.</summary>
    public Action<RunRecorder, Kernel>? OnFinished;

    /// <summary>Called for each stdout record after it is recorded.</summary>
    public Action<RunRecorder, EventContext<RunRecorder>>? OnStdout;

    /// <summary>Called in _start before the wheel is created.</summary>
    public Action<RunRecorder, EventContext<RunRecorder>>? BeforeStart;

    /// <summary>Called in _start after the wheel was created and the pid watched.</summary>
    public Action<RunRecorder, EventContext<RunRecorder>>? OnStart;

    /// <summary>Extra states for a test.</summary>
    public Action<SessionBuilder<RunRecorder>>? MoreStates;

    /// <summary>Starts a session that runs <paramref name="options"/> with the standard event names.</summary>
    public static RunRecorder Start(Kernel kernel, RunOptions options, Action<RunRecorder>? configure = null)
    {
        var rec = new RunRecorder();
        configure?.Invoke(rec);
        kernel.Create(rec, s =>
        {
            s.On("_start", c =>
            {
                var h = c.Heap;
                h.BeforeStart?.Invoke(h, c);
                h.Wheel = new RunWheel(c.Kernel, options with
                {
                    StdoutEvent = h.PipeStdout ? options.StdoutEvent ?? "out" : null,
                    StderrEvent = options.StderrEvent ?? "err",
                    CloseEvent = "closed",
                    ErrorEvent = "error",
                    StdinEvent = "flushed",
                });
                h.Pid = h.Wheel.Pid;
                h.WheelId = h.Wheel.Id;
                ChildProcesses.Track(h.Pid);
                if (h.Pid > 0)
                    Assert.That(c.Kernel.SigChild(h.Pid, "chld"), Is.EqualTo(KernelError.None));
                h.OnStart?.Invoke(h, c);
            });
            s.On("out", c =>
            {
                c.Heap.Stdout.Add(c.Arg<string>(0));
                Assert.That(c.Arg<int>(1), Is.EqualTo(c.Heap.WheelId));
                c.Heap.OnStdout?.Invoke(c.Heap, c);
            });
            s.On("err", c =>
            {
                c.Heap.Stderr.Add(c.Arg<string>(0));
                Assert.That(c.Arg<int>(1), Is.EqualTo(c.Heap.WheelId));
            });
            s.On("flushed", c =>
            {
                c.Heap.StdinFlushes++;
                Assert.That(c.Arg<int>(0), Is.EqualTo(c.Heap.WheelId));
            });
            s.On("error", c =>
            {
                var h = c.Heap;
                h.Errors.Add((c.Arg<string>(0), c.Arg<int>(1), c.Arg<string>(2), c.Arg<int>(3), c.Arg<string>(4)));
                h.Order.Add($"error:{c.Arg<string>(0)}:{c.Arg<string>(4)}");
                if (c.Arg<string>(0) == "spawn") h.Finish(c.Kernel);
            });
            s.On("closed", c =>
            {
                var h = c.Heap;
                h.Closes++;
                h.Order.Add("close");
                Assert.That(c.Arg<int>(0), Is.EqualTo(h.WheelId));
                h.MaybeFinish(c.Kernel);
            });
            s.On("chld", c =>
            {
                var h = c.Heap;
                Assert.That(c.Arg<string>(0), Is.EqualTo("CHLD"));
                h.ChldPid = c.Arg<int>(1);
                h.ExitStatus = c.Arg<int>(2);
                h.Order.Add("chld");
                h.OnExit?.Invoke(h);
                h.MaybeFinish(c.Kernel);
            });
            rec.MoreStates?.Invoke(s);
        });
        return rec;
    }

    private void MaybeFinish(Kernel kernel)
    {
        if (ExitStatus is null) return;
        if (ExpectClose && Closes == 0) return;
        Finish(kernel);
    }

    private void Finish(Kernel kernel)
    {
        Wheel?.Dispose();
        kernel.AlarmRemoveAll();
        kernel.Post("guard", "done");
        OnFinished?.Invoke(this, kernel);
    }
}
