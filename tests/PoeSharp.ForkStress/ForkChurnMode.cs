using System.Globalization;
using PoeSharp.Filters;
using PoeSharp.Os;
using PoeSharp.Wheels;

namespace PoeSharp.ForkStress;

/// <summary>
/// Many forks while the parent serves open connections. The parent is a line echo server that
/// serves every connection itself; a load client (this program in <c>churn-client</c> mode, run
/// with a Run wheel, so not a fork) keeps <c>--clients</c> connections open and sends numbered
/// requests on each, one at a time. Meanwhile the parent forks <c>--respawns</c> children, from a
/// timer and from inside a connection's InputEvent right after putting the reply; each child lives
/// <c>--child-life</c> ms running its kernel and exits. Each answer names the process that wrote it.
/// The client counts duplicated answers, answers from another process than the parent (a child that
/// kept a connection served it too), unexpected ones and stalled ones (no answer within 2 s): all
/// must be 0, and every child must be reaped with status 0.
/// </summary>
internal static class ForkChurnMode
{
    private sealed class Heap
    {
        public SocketFactoryWheel? Listener;
        public RunWheel? Client;
        public int Target, Life;
        public int Port, Accepted, Forks, Reaped, ChildrenOk, ForkReports, ClientStatus = -1, Requests;
        public bool IsChild, ForkFailed, ClientClosed, StopSent;
        public string ClientLine = "";
        public Session? Main;
    }

    private sealed class Connection
    {
        public ReadWriteWheel? Wheel;
    }

    public static int Run(StressOptions o)
    {
        int clients = o.Clients, forks = o.Respawns, life = o.ChildLifeMs;
        ForkSafety.PrepareForChildren(typeof(ForkChurnMode).Assembly, typeof(ForkChurnMode).Namespace);
        ForkSafety.PrepareForChildren(typeof(Kernel).Assembly);
        ForkSafety.PrepareForChildren(typeof(ReadWriteWheel).Assembly);
        ForkSafety.PrepareForChildren(typeof(LineFilter).Assembly);
        var heap = new Heap { Target = forks, Life = life };
        using (var kernel = new Kernel())
        {
            kernel.Create(heap, s => s
                .On("_start", c =>
                {
                    c.Heap.Main = c.Session;
                    c.Heap.Listener = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
                    {
                        BindAddress = "127.0.0.1", SuccessEvent = "accepted", FailureEvent = "failed",
                    });
                    c.Heap.Port = c.Heap.Listener.BoundPort;
                    c.Heap.Client = new RunWheel(c.Kernel, new RunOptions
                    {
                        Program = Environment.ProcessPath!,
                        Arguments = [typeof(ForkChurnMode).Assembly.Location, "churn-client", "--port", c.Heap.Port.ToString(CultureInfo.InvariantCulture),
                                     "--clients", clients.ToString(CultureInfo.InvariantCulture),
                                     "--server-pid", c.Kernel.ProcessId.ToString(CultureInfo.InvariantCulture)],
                        StdoutEvent = "client_line", CloseEvent = "client_closed", KillOnDispose = true,
                    });
                    c.Kernel.SigChild(c.Heap.Client.Pid, "client_exited");
                    c.Kernel.Delay("timeout", TimeSpan.FromSeconds(Math.Max(5, o.DurationSeconds)));
                })
                .On(KnownEvents.AfterFork, c =>
                {
                    // A child of this test does not serve: the listener is the parent's alone.
                    c.Heap.IsChild = true;
                    c.Heap.Listener?.Dispose();
                    c.Heap.Listener = null;
                })
                .On("accepted", c =>
                {
                    Serve(c.Kernel, c.Arg<FileDescriptor>(0), heap, forks);
                    // Every connection is open: churn until the client is done.
                    if (++c.Heap.Accepted == clients) c.Kernel.Yield("fork");
                })
                .On("failed", c => Console.Error.WriteLine($"fork-churn: {c[0]} error {c[1]}: {c[2]}"))
                .On("fork", c =>
                {
                    if (c.Heap.IsChild || c.Heap.Forks >= forks || c.Heap.ClientClosed) return;
                    Fork(c.Kernel, heap);
                    if (!c.Heap.IsChild) c.Kernel.Delay("fork", TimeSpan.FromMilliseconds(10));
                })
                .On("watch", c => c.Kernel.SigChild(c.Arg<int>(0), "reaped"))
                .On("child_life", c => c.Kernel.Delay("child_done", TimeSpan.FromMilliseconds(c.Heap.Life)))
                .On("child_done", c => ForkSafety.Exit(c.Heap.ForkFailed ? 1 : 0))
                .On("reaped", c =>
                {
                    c.Heap.Reaped++;
                    if (c.Arg<int>(2) == 0) c.Heap.ChildrenOk++;
                    else Console.Error.WriteLine($"fork-churn: child {c[1]} status {c[2]}");
                    Finish(c.Kernel, heap);
                })
                .On("client_line", c =>
                {
                    if (c.Heap.IsChild) c.Heap.ForkFailed = true;   // a child must never read the client's output
                    else c.Heap.ClientLine = c.Arg<string>(0);
                })
                .On("client_closed", c => c.Heap.ClientClosed = true)
                .On("client_exited", c =>
                {
                    c.Heap.ClientStatus = c.Arg<int>(2);
                    c.Heap.ClientClosed = true;
                    Finish(c.Kernel, heap);
                })
                .On("timeout", c =>
                {
                    if (c.Heap.IsChild) return;
                    Console.Error.WriteLine("fork-churn: timed out");
                    c.Kernel.Stop();
                }));
            kernel.Run();
        }
        if (heap.IsChild) ForkSafety.Exit(4);   // children leave through child_done
        var leftovers = ProcScan.ChildrenOf(Native.GetPid());
        bool clientOk = heap.ClientLine.Contains(" duplicated=0 foreign=0 stalled=0 unexpected=0 ", StringComparison.Ordinal)
                        && heap.ClientLine.EndsWith("result=PASS", StringComparison.Ordinal);
        bool pass = heap.Forks == forks && heap.ChildrenOk == forks && heap.ClientStatus == 0 && clientOk && leftovers.Count == 0;
        Console.WriteLine(heap.ClientLine);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fork-churn: forks={heap.Forks} children_ok={heap.ChildrenOk} served={heap.Requests} client_status={heap.ClientStatus} leftover_processes={leftovers.Count} result={(pass ? "PASS" : "FAIL")}"));
        return pass ? 0 : 1;
    }

    private static void Fork(Kernel kernel, Heap heap)
    {
        var r = kernel.Fork();
        if (r.Failed)
        {
            Console.Error.WriteLine($"fork-churn: {r.Error}");
            kernel.Stop();
            return;
        }
        if (r.IsChild)
        {
            // The inherited connections and the client's pipes are gone; the child's kernel runs
            // a while (a child that still used them would now read, write or close them).
            heap.IsChild = true;
            kernel.Post(heap.Main!, "child_life");   // a timer of the main session, whichever handler forked
            return;
        }
        heap.Forks++;
        kernel.Call(heap.Main!, "watch", r.Pid);   // reaped by the main session, whichever handler forked
    }

    private static void Finish(Kernel kernel, Heap heap)
    {
        if (!heap.IsChild && !heap.StopSent && heap.Forks == heap.Target && heap.Reaped == heap.Forks && heap.Client is { CanPut: true } client)
        {
            // The churn is over: the client stops sending, checks its last answers and reports.
            heap.StopSent = true;
            client.Put("stop");
        }
        if (heap.IsChild || heap.ClientStatus == -1 || heap.Reaped < heap.Forks) return;
        kernel.Delay("timeout");
        kernel.Delay("fork");
        heap.Listener?.Dispose();
        heap.Listener = null;
        heap.Client?.Dispose();
        heap.Client = null;
    }

    /// <summary>In the parent: echo every line; now and then fork right after putting the reply.</summary>
    private static void Serve(Kernel kernel, FileDescriptor socket, Heap main, int forks) =>
        kernel.Create(new Connection(), s => s
            .On("_start", c => c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
            {
                Handle = socket, Filter = new LineFilter(), InputEvent = "line", ErrorEvent = "error",
            }))
            .On("line", c =>
            {
                // The answer names the process that wrote it: the client accepts only the parent's.
                c.Heap.Wheel!.Put(string.Create(CultureInfo.InvariantCulture, $"{c.Arg<string>(0)} {c.Kernel.ProcessId}"));
                // Inside the readiness callback, with the reply deferred to its end: the child
                // must not write it too.
                if (++main.Requests % 25 == 0 && main.Forks < forks && !main.IsChild) Fork(c.Kernel, main);
            })
            .On("error", c =>
            {
                if (c.Arg<string>(0) == ReadWriteWheel.ForkOperation) main.ForkReports++;
                c.Heap.Wheel?.Dispose();
                c.Heap.Wheel = null;
            }));
}
