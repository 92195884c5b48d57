using System.Globalization;
using PoeSharp.Filters;
using PoeSharp.Os;
using PoeSharp.Wheels;

namespace PoeSharp.ForkStress;

/// <summary>
/// A pre-forking line echo server written against the public API only (this assembly sees no
/// internals): <c>ForkSafety.PrepareForChildren</c>, <c>Kernel.Fork</c>, SocketFactory, ReadWrite,
/// LineFilter. The parent forks the children, stops accepting and then acts as the client, one
/// connection per request, from sessions of the same kernel. Each child serves
/// <c>--respawns</c> requests and prints how many methods it compiled after its first one.
/// Before forking, the parent opens one connection to itself and holds both ends: each child must
/// let go of both (two "fork" reports), and the parent's "ping" on it
/// afterwards must be answered once, by the parent.
/// </summary>
internal static class PublicApiServerMode
{
    private sealed class Heap
    {
        public SocketFactoryWheel? Listener;
        public int Port, Forked, Reaped, ChildrenOk, Answered, Sent, Served;
        public long JitAfterFirst = -1;
        public bool IsChild;
        public int HeldEnds, ForkReports, HeldAnswers;
        public Session? HeldClient;
    }

    private sealed class Connection
    {
        public SocketFactoryWheel? Connector;
        public ReadWriteWheel? Wheel;
    }

    public static int Run(StressOptions o)
    {
        int children = o.Children, perChild = Math.Max(2, o.Respawns), total = children * perChild;
        // What the children run and the parent may not have run yet: this program's handlers,
        // the kernel (sessions stop only after the fork here), the wheels and the filters.
        ForkSafety.PrepareForChildren(typeof(PublicApiServerMode).Assembly, typeof(PublicApiServerMode).Namespace);
        ForkSafety.PrepareForChildren(typeof(Kernel).Assembly);
        ForkSafety.PrepareForChildren(typeof(ReadWriteWheel).Assembly);
        ForkSafety.PrepareForChildren(typeof(LineFilter).Assembly);
        var heap = new Heap();
        using (var kernel = new Kernel())
        {
            kernel.Create(heap, s => s
                .On("_start", c =>
                {
                    c.Heap.Listener = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
                    {
                        BindAddress = "127.0.0.1", SuccessEvent = "accepted", FailureEvent = "failed",
                    });
                    c.Heap.Port = c.Heap.Listener.BoundPort;
                    c.Heap.HeldClient = Hold(c.Kernel, heap);
                })
                .On("held", c =>
                {
                    // Both ends of the held connection exist in the parent: fork now.
                    if (++c.Heap.HeldEnds == 2) c.Kernel.Yield("fork");
                })

                .On("fork", c =>
                {
                    for (int i = 0; i < children; i++)
                    {
                        var r = c.Kernel.Fork();
                        if (r.IsChild)
                        {
                            c.Heap.IsChild = true;
                            return;
                        }
                        if (r.Failed) throw new InvalidOperationException(r.Error);
                        c.Heap.Forked++;
                        c.Kernel.SigChild(r.Pid, "reaped");
                    }
                    // The children accept; the parent is the client.
                    c.Heap.Listener!.PauseAccept();
                    c.Kernel.Post(c.Heap.HeldClient!, "ping");
                    c.Kernel.Yield("request");
                })
                .On("accepted", c => ServeOne(c.Kernel, c.Arg<FileDescriptor>(0), heap, perChild))
                .On("failed", c => Console.Error.WriteLine($"public-api: {c[0]} error {c[1]}: {c[2]}"))
                .On("request", c =>
                {
                    if (c.Heap.Sent >= total) return;
                    c.Heap.Sent++;
                    Ask(c.Kernel, heap);
                })
                .On("answered", c =>
                {
                    c.Heap.Answered++;
                    c.Kernel.Yield("request");
                })
                .On("reaped", c =>
                {
                    c.Heap.Reaped++;
                    if (c.Arg<int>(2) == 0) c.Heap.ChildrenOk++;
                    if (c.Heap.Reaped == c.Heap.Forked)
                    {
                        c.Heap.Listener?.Dispose();
                        c.Heap.Listener = null;
                    }
                }));
            kernel.Run();
        }
        bool pass = heap.Forked == children && heap.ChildrenOk == children && heap.Answered == total && heap.HeldAnswers == 1;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"public-api: children={heap.Forked} children_ok={heap.ChildrenOk} answered={heap.Answered}/{total} held_answers={heap.HeldAnswers} result={(pass ? "PASS" : "FAIL")}"));
        return pass ? 0 : 1;
    }

    /// <summary>In a child: echo one line on <paramref name="socket"/>, then close it; exit after <paramref name="perChild"/>.</summary>
    private static void ServeOne(Kernel kernel, FileDescriptor socket, Heap main, int perChild)
    {
        kernel.Create(new Connection(), s => s
            .On("_start", c =>
            {
                c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
                {
                    Handle = socket, Filter = new LineFilter(), InputEvent = "line", FlushedEvent = "flushed", ErrorEvent = "error",
                });
                if (!main.IsChild) c.Kernel.Post(c.Session.Parent!, "held");
            })
            .On("line", c => c.Heap.Wheel!.Put(c.Arg<string>(0)))
            .On("flushed", c =>
            {
                if (!main.IsChild) return; // the parent's held connection: the client closes it
                c.Heap.Wheel!.Dispose();
                c.Heap.Wheel = null;
                main.Served++;
                if (main.Served == 1) main.JitAfterFirst = System.Runtime.JitInfo.GetCompiledMethodCount();
                if (main.Served < perChild) return;
                long after = System.Runtime.JitInfo.GetCompiledMethodCount() - main.JitAfterFirst;
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"public-api child: fork_reports={main.ForkReports} served={main.Served} jit_methods_after_first={after}"));
                ForkSafety.Exit(0);
            })
            .On("error", c =>
            {
                if (c.Arg<string>(0) == ReadWriteWheel.ForkOperation) main.ForkReports++;
                c.Heap.Wheel?.Dispose();
                c.Heap.Wheel = null;
            }));
    }

    /// <summary>In the parent, before the fork: the client end of the held connection; "ping" sends on it.</summary>
    private static Session Hold(Kernel kernel, Heap main) =>
        kernel.Create(new Connection(), s => s
            .On("_start", c => c.Heap.Connector = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
            {
                RemoteAddress = "127.0.0.1", RemotePort = main.Port, SuccessEvent = "connected", FailureEvent = "failed",
            }))
            .On("connected", c =>
            {
                c.Heap.Connector!.Dispose();
                c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
                {
                    Handle = c.Arg<FileDescriptor>(0), Filter = new LineFilter(), InputEvent = "line", ErrorEvent = "error",
                });
                c.Kernel.Post(c.Session.Parent!, "held");
            })
            .On("ping", c => c.Heap.Wheel!.Put("held"))
            .On("line", c =>
            {
                main.HeldAnswers++;
                c.Heap.Wheel!.Dispose();
                c.Heap.Wheel = null;
            })
            .On("failed", c =>
            {
                Console.Error.WriteLine($"public-api held: {c[0]} error {c[1]}: {c[2]}");
                c.Heap.Connector!.Dispose();
            })
            .On("error", c =>
            {
                if (c.Arg<string>(0) == ReadWriteWheel.ForkOperation) main.ForkReports++;
                else Console.Error.WriteLine($"public-api held: {c[0]} error {c[1]}");
                c.Heap.Wheel?.Dispose();
                c.Heap.Wheel = null;
            }))!;

    /// <summary>In the parent: one connection, one "ping", the echo, then "answered".</summary>
    private static void Ask(Kernel kernel, Heap main)
    {
        kernel.Create(new Connection(), s => s
            .On("_start", c => c.Heap.Connector = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
            {
                RemoteAddress = "127.0.0.1", RemotePort = main.Port, SuccessEvent = "connected", FailureEvent = "failed",
            }))
            .On("connected", c =>
            {
                c.Heap.Connector!.Dispose();
                c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
                {
                    Handle = c.Arg<FileDescriptor>(0), Filter = new LineFilter(), InputEvent = "line", ErrorEvent = "error",
                });
                c.Heap.Wheel.Put("ping");
            })
            .On("line", c =>
            {
                c.Heap.Wheel!.Dispose();
                c.Heap.Wheel = null;
                c.Kernel.Post(c.Session.Parent!, "answered");
            })
            .On("failed", c =>
            {
                Console.Error.WriteLine($"public-api client: {c[0]} error {c[1]}: {c[2]}");
                c.Heap.Connector!.Dispose();
            })
            .On("error", c =>
            {
                Console.Error.WriteLine($"public-api client: {c[0]} error {c[1]}");
                c.Heap.Wheel?.Dispose();
                c.Heap.Wheel = null;
            }));
    }
}
