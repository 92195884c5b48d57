using System.Globalization;
using PoeSharp.Filters;
using PoeSharp.Os;
using PoeSharp.Wheels;

namespace PoeSharp.ForkStress;

/// <summary>
/// A handler that puts a reply and then forks, inside a ReadWrite wheel's InputEvent: the reply
/// is deferred to the end of the callback, which both processes reach. The peer must get it once
/// (from the parent), not once from each process.
/// </summary>
internal static class DeferredForkMode
{
    private sealed class Heap
    {
        public ReadWriteWheel? Wheel;
        public int ChildStatus = -1;
    }

    public static int Run(StressOptions o)
    {
        var pair = PosixSocket.SocketPair().Value;
        FileDescriptor ours = pair.First, theirs = pair.Second;
        PosixSocket.Write(theirs.Fd, "ping\n"u8);
        var heap = new Heap();
        using (var kernel = new Kernel())
        {
            kernel.Create(heap, s => s
                .On("_start", c => c.Heap.Wheel = new ReadWriteWheel(c.Kernel, new ReadWriteOptions
                {
                    Handle = ours, Filter = new LineFilter(), InputEvent = "got", ErrorEvent = "error",
                }))
                .On("got", c =>
                {
                    c.Heap.Wheel!.Put("pong");
                    var r = c.Kernel.Fork();
                    if (r.Failed)
                    {
                        Console.Error.WriteLine($"deferred-fork: {r.Error}");
                        c.Heap.Wheel.Dispose();
                        return;
                    }
                    // The child returns from the handler too (the end of the callback is where a
                    // deferred reply is written), then leaves a moment later.
                    if (r.IsChild) c.Kernel.Delay("child_done", TimeSpan.FromMilliseconds(o.ChildLifeMs));
                    else c.Kernel.SigChild(r.Pid, "reaped");
                })
                .On("child_done", _ => ForkSafety.Exit(0))
                .On("reaped", c =>
                {
                    c.Heap.ChildStatus = c.Arg<int>(2);
                    c.Heap.Wheel!.Dispose();
                })
                .On("error", c => c.Heap.Wheel!.Dispose()));
            kernel.Run();
        }
        ours.Dispose();

        // Whatever either process wrote is in the socket by now (the child has been reaped).
        PosixSocket.SetNonBlocking(theirs.Fd, true);
        var received = new MemoryStream();
        var buffer = new byte[4096];
        while (PosixSocket.Read(theirs.Fd, buffer) is { Ok: true, Value: > 0 } n) received.Write(buffer, 0, n.Value);
        theirs.Dispose();
        string text = System.Text.Encoding.ASCII.GetString(received.ToArray());
        int replies = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.TrimEnd('\r') == "pong");
        var leftovers = ProcScan.ChildrenOf(Native.GetPid());
        bool pass = replies == 1 && heap.ChildStatus == 0 && leftovers.Count == 0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"deferred-fork: replies={replies} child_status={heap.ChildStatus} leftover_processes={leftovers.Count} result={(pass ? "PASS" : "FAIL")}"));
        return pass ? 0 : 1;
    }
}
