using PoeSharp.Os;

namespace PoeSharp.ForkStress;

/// <summary>
/// OS signals through the kernel, as POE handles them (POE-SEMANTICS.md §1.6). Every scenario
/// sends the signal to its own process with <c>kill(getpid())</c>, a process-directed signal like
/// one from a shell. What the program prints and how it ends is checked by tests/PoeSharp.Os.Tests.
/// <list type="bullet">
/// <item><c>default</c>: nobody watches <c>--signal</c>: the process dies of it, no <c>_stop</c>.</item>
/// <item><c>handled</c>: a watcher calls SigHandled: the process survives; then the watcher is
/// removed and a second signal kills it.</item>
/// <item><c>unhandled</c>: a watcher that does not call SigHandled: every session stops,
/// <c>Run()</c> returns, exit 0.</item>
/// <item><c>child</c>: a forked child signals itself with nobody watching: only the child dies;
/// the parent reaps it with <c>SigChild</c> and prints its wait status.</item>
/// </list>
/// </summary>
internal static class KernelSignalsMode
{
    private sealed class Counter
    {
        public int Signals;
    }

    public static int Run(StressOptions o)
    {
        string signal = o.Signal;
        int signo = Signals.Number(signal);
        if (signo == 0)
        {
            Console.Error.WriteLine($"kernel-signals: unknown signal '{signal}'");
            return 2;
        }
        Console.WriteLine($"kernel-signals: scenario={o.Scenario} mask={ForkSafety.SignalMaskActive}");
        using (var kernel = new Kernel())
        {
            kernel.Create(new Counter(), s =>
            {
                s.On("_start", ctx =>
                {
                    // Something to keep the session alive: Run() returns early only if the signal stops it.
                    ctx.Kernel.Delay("too_late", TimeSpan.FromSeconds(20));
                    switch (o.Scenario)
                    {
                        case "default":
                            Raise(signo);
                            break;
                        case "handled":
                            ctx.Kernel.Sig(signal, "got_signal");
                            Raise(signo);
                            break;
                        case "unhandled":
                            ctx.Kernel.Sig(signal, "got_signal");
                            Raise(signo);
                            break;
                        case "child":
                            ctx.Kernel.AlarmRemoveAll();
                            var r = ctx.Kernel.Fork();
                            if (r.Failed) throw new InvalidOperationException(r.Error);
                            if (r.IsChild)
                            {
                                ctx.Kernel.Delay("child_signal", TimeSpan.FromMilliseconds(20));
                                ctx.Kernel.Delay("too_late", TimeSpan.FromSeconds(20));
                            }
                            else
                            {
                                Console.WriteLine($"parent: forked {r.Pid}");
                                ctx.Kernel.SigChild(r.Pid, "reaped");
                            }
                            break;
                        default:
                            throw new ArgumentException($"unknown scenario '{o.Scenario}'");
                    }
                });
                s.On("got_signal", ctx =>
                {
                    ctx.Heap.Signals++;
                    Console.WriteLine($"got {ctx.Arg<string>(0)} #{ctx.Heap.Signals}");
                    if (o.Scenario != "handled") return;
                    ctx.Kernel.SigHandled();
                    // Survives: prove it with a timer, then drop the watcher and signal again.
                    ctx.Kernel.Delay("survived", TimeSpan.FromMilliseconds(50));
                });
                s.On("survived", ctx =>
                {
                    Console.WriteLine("survived");
                    ctx.Kernel.Sig(signal);
                    Raise(signo);
                });
                s.On("child_signal", _ =>
                {
                    Console.WriteLine($"child {Native.GetPid()}: raising {signal}");
                    Raise(signo);
                });
                s.On("reaped", ctx =>
                {
                    int status = ctx.Arg<int>(2);
                    int sig = status & 0x7f;
                    string how = sig == 0 ? $"exited {(status >> 8) & 0xff}" : $"signaled {Signals.Name(sig)}";
                    Console.WriteLine($"parent: child {ctx.Arg<int>(1)} {how}");
                });
                s.On("too_late", ctx =>
                {
                    Console.WriteLine($"too_late in {(ForkSafety.IsForkedChild ? "child" : "parent")}");
                    if (ForkSafety.IsForkedChild) ForkSafety.Exit(3);
                });
                s.On("_stop", _ => Console.WriteLine($"_stop in {(ForkSafety.IsForkedChild ? "child" : "parent")}"));
            });
            kernel.Run();
        }
        Console.WriteLine($"run returned in {(ForkSafety.IsForkedChild ? "child" : "parent")}");
        if (ForkSafety.IsForkedChild) ForkSafety.Exit(4);
        return 0;
    }

    private static void Raise(int signo)
    {
        if (Native.Kill(Native.GetPid(), signo) != 0) throw new InvalidOperationException("kill failed");
    }
}
