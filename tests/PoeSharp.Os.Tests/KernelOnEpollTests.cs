using PoeSharp.Loop;

namespace PoeSharp.Os.Tests;

/// <summary>The kernel on its real back ends: the epoll loop for selects and the pidfd host for sig_child.</summary>
public sealed class KernelOnEpollTests
{
    private sealed class Heap
    {
        public List<string> Seen { get; } = new();
    }

    [Test]
    public void SelectReadAndSigChildWorkOnTheDefaultBackEnds()
    {
        var (r, w) = TestFds.Pipe();
        int child = PosixSpawn.Spawn("/bin/sh", ["sh", "-c", "exit 7"]).Value;
        var heap = new Heap();
        try
        {
            using var kernel = new Kernel();
            kernel.Create(heap, s => s
                .On("_start", ctx =>
                {
                    ctx.Kernel.SelectRead(r, "readable");
                    ctx.Kernel.SigChild(child, "child_exit");
                    ctx.Kernel.Delay("give_up", TimeSpan.FromSeconds(30));
                    TestFds.Write(w);
                })
                .On("readable", ctx =>
                {
                    ctx.Heap.Seen.Add($"read fd={ctx.Arg<int>(0)} mode={ctx.Arg<IoMode>(1)} bytes={TestFds.Drain(r)}");
                    ctx.Kernel.SelectRead(r, null);
                })
                .On("child_exit", ctx =>
                {
                    ctx.Heap.Seen.Add($"{ctx.Arg<string>(0)} pid={ctx.Arg<int>(1) == child} status={ctx.Arg<int>(2)}");
                    ctx.Kernel.Delay("give_up");
                })
                .On("give_up", ctx => ctx.Heap.Seen.Add("timed out")));
            kernel.Run();
        }
        finally
        {
            TestFds.Close(r);
            TestFds.Close(w);
        }
        Assert.That(heap.Seen, Is.EquivalentTo(new[] { $"read fd={r} mode=Read bytes=1", $"CHLD pid=True status={7 << 8}" }));
    }
}
