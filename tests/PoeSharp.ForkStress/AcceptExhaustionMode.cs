using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PoeSharp.Loop;
using PoeSharp.Os;
using PoeSharp.Testing;
using PoeSharp.Wheels;

namespace PoeSharp.ForkStress;

/// <summary>
/// A listening wheel out of descriptors (SocketFactoryWheelTests and ListenAcceptWheelTests run
/// it): with one connection pending, RLIMIT_NOFILE is lowered so accept fails with EMFILE; five
/// timeslices later it is restored and the clock moved past the back-off, and the connection must
/// be accepted. The limit is process-wide, so this runs in a program of its own; the clock is
/// manual, so the back-off cannot expire early on a busy machine.
/// </summary>
/// <remarks>
/// Prints one "error OP ERRNO" line per error event, then "errors-while-exhausted N",
/// "backing-off-after-error BOOL" and "accepted N"; exits 0 when the session finished.
/// Scenarios: listen-accept (50 ms back-off), socket-factory (100 ms), socket-factory-no-delay
/// (null: POE's retry on every timeslice).
/// </remarks>
internal static class AcceptExhaustionMode
{
    private sealed class Heap
    {
        public Wheel? Wheel;
        public Func<bool> IsBackingOff = () => false;
        public readonly List<(string Op, int Errno)> Errors = [];
        public readonly List<FileDescriptor> Accepted = [];
        public Socket? Client;
        public DescriptorLimit? Limit;
        public int Ticks;
        public int ErrorsWhileExhausted = -1;
        public bool BackingOffAfterError;
        public bool Finished;
    }

    public static int Run(StressOptions o)
    {
        TimeSpan? delay = o.Scenario switch
        {
            "listen-accept" => TimeSpan.FromMilliseconds(50),
            "socket-factory" => TimeSpan.FromMilliseconds(100),
            "socket-factory-no-delay" => null,
            _ => throw new ArgumentException($"accept-exhaustion: unknown scenario '{o.Scenario}'."),
        };
        var clock = new ManualTimeProvider();
        var heap = new Heap();
        FileDescriptor? listener = null;
        try
        {
            using var loop = new EpollLoop();
            using var kernel = new Kernel(loop, clock);
            kernel.Create(heap, s => s
                .On("_start", c =>
                {
                    var h = c.Heap;
                    int port;
                    if (o.Scenario == "listen-accept")
                    {
                        listener = PosixSocket.Socket(AddressFamily.InterNetwork).Value;
                        Check(PosixSocket.Bind(listener, SocketEndPoint.Inet(IPAddress.Loopback, 0)).IsError, "bind");
                        Check(PosixSocket.Listen(listener, PosixSocket.DefaultBacklog).IsError, "listen");
                        var wheel = new ListenAcceptWheel(c.Kernel, new ListenAcceptOptions
                        {
                            Handle = listener, AcceptEvent = "accepted", ErrorEvent = "error", AcceptErrorDelay = delay,
                        });
                        (h.Wheel, h.IsBackingOff, port) = (wheel, () => wheel.IsAcceptBackingOff, PosixSocket.GetSockName(listener.Fd).Value.Port);
                    }
                    else
                    {
                        var wheel = new SocketFactoryWheel(c.Kernel, new SocketFactoryOptions
                        {
                            BindAddress = "127.0.0.1", SuccessEvent = "accepted", FailureEvent = "error", AcceptErrorDelay = delay,
                        });
                        (h.Wheel, h.IsBackingOff, port) = (wheel, () => wheel.IsAcceptBackingOff, wheel.BoundPort);
                    }
                    h.Client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    h.Client.Connect(IPAddress.Loopback, port);   // completes in the backlog, waiting for accept
                    h.Limit = DescriptorLimit.Exhaust();
                })
                .On("error", c =>
                {
                    c.Heap.Errors.Add((c.Arg<string>(0), c.Arg<int>(1)));
                    if (c.Heap.Errors.Count == 1) c.Kernel.Yield("tick");
                })
                .On("tick", c =>
                {
                    if (++c.Heap.Ticks == 1) c.Heap.BackingOffAfterError = c.Heap.IsBackingOff();
                    if (c.Heap.Ticks < 5)
                    {
                        c.Kernel.Yield("tick");
                        return;
                    }
                    c.Heap.ErrorsWhileExhausted = c.Heap.Errors.Count;
                    c.Heap.Limit!.Dispose();
                    if (delay is { } d) clock.Advance(d);   // the back-off ends now, not when the machine gets round to it
                })
                .On("accepted", c =>
                {
                    c.Heap.Accepted.Add(c.Arg<FileDescriptor>(0));
                    c.Heap.Wheel!.Dispose();
                    c.Heap.Finished = true;
                }));
            kernel.Run();
        }
        finally
        {
            heap.Limit?.Dispose();
            heap.Client?.Dispose();
            foreach (var a in heap.Accepted) a.Dispose();
            listener?.Dispose();
        }

        foreach (var (op, errno) in heap.Errors) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"error {op} {errno}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"errors-while-exhausted {heap.ErrorsWhileExhausted}"));
        Console.WriteLine($"backing-off-after-error {heap.BackingOffAfterError}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accepted {heap.Accepted.Count}"));
        return heap.Finished ? 0 : 1;
    }

    private static void Check(bool failed, string what)
    {
        if (failed) throw new InvalidOperationException($"accept-exhaustion: {what} failed");
    }
}
