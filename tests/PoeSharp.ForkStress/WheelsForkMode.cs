using System.Globalization;
using PoeSharp.Os;
using PoeSharp.Wheels;

namespace PoeSharp.ForkStress;

/// <summary>
/// A real fork while a Run wheel (/bin/cat, KillOnDispose) and a FollowTail wheel (a polled
/// temporary file) are in use. The child must let go of both (two "fork" reports), read nothing
/// from either during its life, and neither signal nor reap the program even when it disposes
/// the Run wheel; the parent's request to cat is answered once, the line appended after the fork
/// reaches the parent's follower, and cat exits 0 on end of its input once the child is gone.
/// </summary>
internal static class WheelsForkMode
{
    private sealed class Heap
    {
        public RunWheel? Run;
        public FollowTailWheel? Tail;
        public string Path = "";
        public bool IsChild;
        public int ForkReports, ChildStatus = -1, CatStatus = -1, ChildPid;
        public bool ChildKill, TimedOut, ChildGone, StdinClosed;
        public int TimeoutId;
        public readonly List<string> Out = [], Tailed = [];
    }

    public static int Run(StressOptions o)
    {
        var heap = new Heap { Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"poesharp-wheels-fork-{Environment.ProcessId}.log") };
        File.WriteAllText(heap.Path, "one\n");
        try
        {
            using var kernel = new Kernel();
            kernel.Create(heap, s => s
                .On("_start", c =>
                {
                    c.Heap.Run = new RunWheel(c.Kernel, new RunOptions
                    {
                        Program = "/bin/cat", StdoutEvent = "out", ErrorEvent = "error", KillOnDispose = true,
                    });
                    c.Kernel.SigChild(c.Heap.Run.Pid, "cat_exited");
                    c.Heap.Tail = new FollowTailWheel(c.Kernel, new FollowTailOptions
                    {
                        Filename = c.Heap.Path, Seek = 0, PollInterval = TimeSpan.FromMilliseconds(20), InputEvent = "tail", ErrorEvent = "error",
                    });
                    c.Heap.TimeoutId = c.Kernel.DelaySet("timeout", TimeSpan.FromSeconds(15));
                })
                .On("out", c => c.Heap.Out.Add(c.Arg<string>(0)))
                .On("tail", c =>
                {
                    c.Heap.Tailed.Add(c.Arg<string>(0));
                    if (c.Heap.Tailed.Count == 1 && !c.Heap.IsChild) c.Kernel.Yield("fork");
                    c.Kernel.Yield("check");
                })
                .On("error", c =>
                {
                    if (c.Arg<string>(0) == "fork") c.Heap.ForkReports++;
                    else if (!(c.Arg<string>(0) == "read" && c.Arg<int>(1) == 0))
                        Console.Error.WriteLine($"wheels-fork: {c[0]} error {c[1]}: {c[2]}");
                })
                .On("fork", c =>
                {
                    var r = c.Kernel.Fork();
                    if (r.Failed)
                    {
                        Console.Error.WriteLine($"wheels-fork: {r.Error}");
                        c.Kernel.Stop();
                        return;
                    }
                    if (r.IsChild)
                    {
                        // The reports came during Fork(). Live a while: a child that still used
                        // the wheels would now take the parent's output and records.
                        c.Heap.IsChild = true;
                        c.Heap.ChildKill = c.Heap.Run!.Kill();
                        c.Kernel.Delay("child_done", TimeSpan.FromMilliseconds(Math.Max(100, o.ChildLifeMs)));
                        return;
                    }
                    c.Heap.ChildPid = r.Pid;
                    c.Kernel.SigChild(r.Pid, "child_reaped");
                    c.Heap.Run!.Put("ping");
                    File.AppendAllText(c.Heap.Path, "two\n");
                })
                .On("child_done", c =>
                {
                    c.Heap.Run!.Dispose();   // KillOnDispose: must send nothing from here
                    c.Heap.Tail!.Dispose();
                    bool ok = c.Heap.ForkReports == 2 && !c.Heap.ChildKill && c.Heap.Out.Count == 0 && c.Heap.Tailed.Count == 1;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"wheels-fork child: fork_reports={c.Heap.ForkReports} kill={c.Heap.ChildKill} out={c.Heap.Out.Count} tailed_after_fork={c.Heap.Tailed.Count - 1}"));
                    ForkSafety.Exit(ok ? 0 : 1);
                })
                .On("child_reaped", c =>
                {
                    c.Heap.ChildStatus = c.Arg<int>(2);
                    c.Heap.ChildGone = true;
                    c.Kernel.Yield("check");
                })
                .On("check", c =>
                {
                    // Once the child is gone and the parent has its answer and its record, cat may end.
                    if (c.Heap.IsChild || c.Heap.StdinClosed || !c.Heap.ChildGone || c.Heap.Out.Count == 0 || c.Heap.Tailed.Count < 2) return;
                    c.Heap.StdinClosed = true;
                    c.Heap.Run!.CloseStdin();
                })
                .On("cat_exited", c =>
                {
                    c.Heap.CatStatus = c.Arg<int>(2);
                    c.Kernel.AlarmRemove(c.Heap.TimeoutId);
                    c.Heap.Run!.Dispose();
                    c.Heap.Tail!.Dispose();
                })
                .On("timeout", c =>
                {
                    if (c.Heap.IsChild) ForkSafety.Exit(3);
                    c.Heap.TimedOut = true;
                    c.Kernel.Stop();
                }));
            kernel.Run();
        }
        finally
        {
            File.Delete(heap.Path);
        }
        if (heap.IsChild) ForkSafety.Exit(4);   // the child always leaves through child_done
        if (heap.Run is { Pid: > 0 } run && heap.CatStatus == -1) PosixSpawn.Kill(run.Pid, Signals.KILL);
        var leftovers = ProcScan.ChildrenOf(Native.GetPid());
        bool pass = !heap.TimedOut && heap.ChildStatus == 0 && heap.CatStatus == 0 && heap.Out.SequenceEqual(["ping"])
                    && heap.Tailed.SequenceEqual(["one", "two"]) && leftovers.Count == 0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wheels-fork: child_status={heap.ChildStatus} cat_status={heap.CatStatus} answers={heap.Out.Count} tailed={string.Join(',', heap.Tailed)} timed_out={heap.TimedOut} leftover_processes={leftovers.Count} result={(pass ? "PASS" : "FAIL")}"));
        return pass ? 0 : 1;
    }
}
