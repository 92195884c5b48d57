using System.Globalization;
using PoeSharp.Filters;
using PoeSharp.Os;
using PoeSharp.Wheels;

namespace PoeSharp.ForkStress;

/// <summary>
/// The load client of <see cref="ForkChurnMode"/> (started by it, never forks): <c>--clients</c>
/// connections to <c>--port</c>, each sending "connection:number" lines one at a time and
/// expecting each back exactly once, in order. It keeps going until "stop" arrives on its stdin,
/// then waits for the answers still due, listens 300 ms longer for late duplicates and prints one
/// line: answers, duplicated (an answer again or out of order), foreign (written by another process
/// than <c>--server-pid</c>), unexpected (anything else) and
/// stalled (a connection whose answer took more than 2 s, or that closed while one was due).
/// </summary>
internal static class ChurnClientMode
{
    private static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(2);

    private sealed class Heap
    {
        public int Connected, Answered, Duplicated, Foreign, Unexpected, Stalled, Sent;
        public bool Stopping, Reporting;
        public ReadWriteWheel? Stdin;
        public readonly List<Session> Connections = [];
    }

    private sealed class Connection
    {
        public int Index, Next;
        public bool Waiting, Done;
        public long SentAt;
        public SocketFactoryWheel? Connector;
        public ReadWriteWheel? Wheel;
    }

    public static int Run(StressOptions o)
    {
        int port = o.Port, clients = o.Clients;
        string serverPid = o.ServerPid.ToString(CultureInfo.InvariantCulture);
        var heap = new Heap();
        using (var kernel = new Kernel())
        {
            kernel.Create(heap, s => s
                .On("_start", c =>
                {
                    c.Heap.Stdin = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
                    {
                        Handle = new FileDescriptor(0), OwnsHandle = false, Filter = new LineFilter(), InputEvent = "order", ErrorEvent = "stdin_error",
                    });
                    for (int i = 0; i < clients; i++) c.Heap.Connections.Add(Connect(c.Kernel, heap, port, i, serverPid));
                    c.Kernel.Delay("check", TimeSpan.FromMilliseconds(250));
                    c.Kernel.Delay("give_up", TimeSpan.FromSeconds(60));
                })
                .On("order", c =>
                {
                    if (c.Arg<string>(0) != "stop") return;
                    c.Heap.Stopping = true;
                    c.Kernel.Yield("check");
                })
                .On("stdin_error", c =>
                {
                    // The parent went away without saying stop: stop anyway.
                    c.Heap.Stdin?.Dispose();
                    c.Heap.Stdin = null;
                    c.Heap.Stopping = true;
                    c.Kernel.Yield("check");
                })
                .On("check", c =>
                {
                    long now = c.Kernel.Time.GetTimestamp();
                    foreach (var session in c.Heap.Connections)
                        if (session.Heap is Connection { Waiting: true, Done: false } conn && c.Kernel.Time.GetElapsedTime(conn.SentAt, now) > StallAfter)
                        {
                            c.Heap.Stalled++;
                            c.Kernel.Post(session, "close");
                        }
                    if (c.Heap.Stopping && !c.Heap.Reporting && c.Heap.Connections.All(x => x.Heap is Connection { Waiting: false } or Connection { Done: true }))
                    {
                        // Everything asked was answered: late duplicates would arrive now.
                        c.Heap.Reporting = true;
                        c.Kernel.Delay("report", TimeSpan.FromMilliseconds(300));
                    }
                    if (!c.Heap.Reporting) c.Kernel.Delay("check", TimeSpan.FromMilliseconds(100));
                })
                .On("report", c =>
                {
                    bool pass = c.Heap.Duplicated == 0 && c.Heap.Foreign == 0 && c.Heap.Stalled == 0 && c.Heap.Unexpected == 0 && c.Heap.Connected == clients && c.Heap.Answered > 0;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"churn-client: connections={c.Heap.Connected} sent={c.Heap.Sent} answered={c.Heap.Answered} duplicated={c.Heap.Duplicated} foreign={c.Heap.Foreign} stalled={c.Heap.Stalled} unexpected={c.Heap.Unexpected} result={(pass ? "PASS" : "FAIL")}"));
                    Console.Out.Flush();
                    c.Kernel.Delay("give_up");
                    c.Heap.Stdin?.Dispose();
                    c.Heap.Stdin = null;
                    foreach (var session in c.Heap.Connections) c.Kernel.Post(session, "close");
                })
                .On("give_up", c =>
                {
                    Console.WriteLine("churn-client: gave up result=FAIL");
                    c.Kernel.Stop();
                }));
            kernel.Run();
        }
        return heap.Reporting && heap.Duplicated == 0 && heap.Foreign == 0 && heap.Stalled == 0 && heap.Unexpected == 0 ? 0 : 1;
    }

    private static Session Connect(Kernel kernel, Heap main, int port, int index, string serverPid) =>
        kernel.Create(new Connection { Index = index }, s => s
            .On("_start", c => c.Heap.Connector = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
            {
                RemoteAddress = "127.0.0.1", RemotePort = port, SuccessEvent = "connected", FailureEvent = "failed",
            }))
            .On("connected", c =>
            {
                c.Heap.Connector!.Dispose();
                c.Heap.Connector = null;
                c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
                {
                    Handle = c.Arg<FileDescriptor>(0), Filter = new LineFilter(), InputEvent = "answer", ErrorEvent = "error",
                });
                main.Connected++;
                Send(c, main);
            })
            .On("answer", c =>
            {
                string expected = string.Create(CultureInfo.InvariantCulture, $"{c.Heap.Index}:{c.Heap.Next}");
                string line = c.Arg<string>(0);
                int space = line.LastIndexOf(' ');
                string got = space < 0 ? line : line[..space];
                if (space < 0 || line[(space + 1)..] != serverPid) main.Foreign++;
                if (c.Heap.Waiting && got == expected)
                {
                    main.Answered++;
                    c.Heap.Waiting = false;
                    c.Heap.Next++;
                    if (!main.Stopping) c.Kernel.Delay("send", TimeSpan.FromMilliseconds(2));
                    else c.Kernel.Post(c.Session.Parent!, "check");
                }
                else if (got.StartsWith(string.Create(CultureInfo.InvariantCulture, $"{c.Heap.Index}:"), StringComparison.Ordinal)) main.Duplicated++;
                else main.Unexpected++;
            })
            .On("send", c =>
            {
                if (!main.Stopping) Send(c, main);
            })
            .On("failed", c =>
            {
                Console.Error.WriteLine($"churn-client {c.Heap.Index}: {c[0]} error {c[1]}: {c[2]}");
                c.Heap.Connector?.Dispose();
                c.Heap.Connector = null;
                c.Heap.Done = true;
                main.Stalled++;
            })
            .On("error", c =>
            {
                // The server closed a connection that was still in use: its answers are lost.
                if (!main.Reporting) main.Stalled++;
                c.Kernel.Yield("close");
            })
            .On("close", c =>
            {
                c.Heap.Done = true;
                c.Kernel.Delay("send");
                c.Heap.Connector?.Dispose();
                c.Heap.Connector = null;
                c.Heap.Wheel?.Dispose();
                c.Heap.Wheel = null;
            }))!;

    private static void Send(EventContext<Connection> c, Heap main)
    {
        if (c.Heap.Wheel is null || c.Heap.Done) return;
        c.Heap.Waiting = true;
        c.Heap.SentAt = c.Kernel.Time.GetTimestamp();
        c.Heap.Wheel.Put(string.Create(CultureInfo.InvariantCulture, $"{c.Heap.Index}:{c.Heap.Next}"));
        main.Sent++;
    }
}
