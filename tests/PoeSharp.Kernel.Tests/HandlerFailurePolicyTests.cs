using PoeSharp.Testing;

namespace PoeSharp.KernelTests;

/// <summary>
/// <see cref="HandlerFailurePolicy.StopSession"/>: a throwing handler stops its own session (and
/// what it created), is logged with the session and the event, and the rest keeps running; the
/// default stays POE's.
/// </summary>
public sealed class HandlerFailurePolicyTests
{
    private sealed class Server
    {
        public readonly List<string> Log = [];
        public readonly List<Session> Clients = [];
    }

    /// <summary>A listener with two client sessions; client "bad" throws on "work".</summary>
    private static (Session Listener, Server Heap) CreateServer(FakeKernel fake)
    {
        var server = new Server();
        Session listener = fake.Create(server, b => b
            .On("_start", c =>
            {
                c.Kernel.Delay("keepalive", TimeSpan.FromHours(1));   // stands for the listening socket
                foreach (string name in (string[])["good", "bad"])
                    c.Heap.Clients.Add(c.Kernel.Create(name, cb => cb
                        .On("_start", cc => { cc.Kernel.Delay("idle", TimeSpan.FromHours(1)); })
                        .On("work", cc =>
                        {
                            if (cc.Heap == "bad") throw new InvalidOperationException("handler bug");
                            server.Log.Add($"{cc.Heap} worked");
                        })
                        .On("_stop", cc => { server.Log.Add($"{cc.Heap} stopped"); }))!);
            })
            .OnCall("_child", c =>
            {
                server.Log.Add($"listener: _child {c.Arg<string>(0)}");
                return null;
            })
            .On("ping", c => { c.Heap.Log.Add("listener answered"); }));
        fake.RunUntilIdle();
        return (listener, server);
    }

    [Test]
    public void StopSessionStopsOnlyTheSessionThatThrewAndLogsIt()
    {
        var warnings = new StringWriter();
        using var fake = new FakeKernel(new KernelOptions { HandlerFailure = HandlerFailurePolicy.StopSession, WarningWriter = warnings });
        var (listener, server) = CreateServer(fake);
        Session good = server.Clients[0], bad = server.Clients[1];

        fake.Kernel.Post(bad, "work");
        fake.Kernel.Post(good, "work");
        fake.Kernel.Post(listener, "ping");
        fake.RunUntilIdle();

        Assert.That(bad.IsAlive, Is.False);
        Assert.That(good.IsAlive, Is.True);
        Assert.That(listener.IsAlive, Is.True);
        Assert.That(server.Log, Is.EqualTo(new[]
        {
            "listener: _child create", "listener: _child create",
            "bad stopped", "listener: _child lose", "good worked", "listener answered",
        }));
        Assert.That(warnings.ToString(), Does.Contain($"Session {bad.Id} stopped: its handler for 'work' threw InvalidOperationException: handler bug")
                                             .And.Contain("System.InvalidOperationException: handler bug"));
        Assert.That(() => fake.ThrowIfHandlerFailed(), Throws.InvalidOperationException, "the failure is still recorded for tests");
    }

    [Test]
    public void ADieWatcherStillRunsFirstAndCanKeepTheSession()
    {
        using var fake = new FakeKernel(new KernelOptions { HandlerFailure = HandlerFailurePolicy.StopSession });
        var answered = new List<string>();
        Session s = fake.Create(0, b => b
            .On("_start", c =>
            {
                c.Kernel.Sig("DIE", "die");
                c.Kernel.Delay("idle", TimeSpan.FromHours(1));
            })
            .On("work", _ => throw new InvalidOperationException("bug"))
            .On("die", c =>
            {
                answered.Add("500 for " + c.Arg<DieInfo>(1).Event);
                c.Kernel.SigHandled();
            }));
        fake.RunUntilIdle();
        fake.Kernel.Post(s, "work");
        fake.RunUntilIdle();
        Assert.That(answered, Is.EqualTo(new[] { "500 for work" }));
        Assert.That(s.IsAlive, Is.True);
    }

    [Test]
    public void TheDefaultIsPoesRuleEverySessionStopsAndRunRethrows()
    {
        using var fake = new FakeKernel();
        var (listener, server) = CreateServer(fake);
        fake.Kernel.Post(server.Clients[1], "work");
        Assert.That(() => fake.Run(), Throws.InvalidOperationException.With.Message.EqualTo("handler bug"));
        Assert.That(listener.IsAlive, Is.False);
        Assert.That(server.Clients.Select(c => c.IsAlive), Is.All.False);
    }

    [Test]
    public void OnTheRealKernelRunKeepsGoingAfterAFailure()
    {
        var warnings = new StringWriter();
        using var kernel = new Kernel(new PoeSharp.Loop.ManualLoop(), TimeProvider.System,
                                      new KernelOptions { HandlerFailure = HandlerFailurePolicy.StopSession, WarningWriter = warnings });
        var log = new List<string>();
        kernel.Create(0, b => b.On("_start", c => { c.Kernel.Yield("boom"); }).On("boom", _ => throw new InvalidOperationException("x")));
        kernel.Create(0, b => b.On("_start", c => { c.Kernel.Yield("a"); }).On("a", c => { log.Add("a"); c.Kernel.Yield("b"); }).On("b", _ => log.Add("b")));
        Assert.That(() => kernel.Run(TimeSpan.FromSeconds(30)), Throws.Nothing);
        Assert.That(log, Is.EqualTo(new[] { "a", "b" }));
        Assert.That(warnings.ToString(), Does.Contain("handler for 'boom' threw InvalidOperationException: x"));
    }

    private sealed class Resource : IDisposable
    {
        public int Disposed;

        public void Dispose() => Disposed++;
    }

    [Test]
    public void WhatAStoppedSessionStillOwnedIsDisposedAfterItsStop()
    {
        using var fake = new FakeKernel(new KernelOptions { HandlerFailure = HandlerFailurePolicy.StopSession });
        var kept = new Resource();
        var released = new Resource();
        var order = new List<string>();
        Session s = fake.Create(0, b => b
            .On("_start", c =>
            {
                c.Kernel.AddOwned(c.Session, kept);
                c.Kernel.AddOwned(c.Session, released);
                c.Kernel.RemoveOwned(c.Session, released);   // its owner disposed it already
                c.Kernel.Delay("idle", TimeSpan.FromHours(1));
            })
            .On("work", _ => throw new InvalidOperationException("bug"))
            .On("_stop", _ => order.Add($"_stop (disposed {kept.Disposed})")));
        fake.RunUntilIdle();
        fake.Kernel.Post(s, "work");
        fake.RunUntilIdle();
        Assert.That(order, Is.EqualTo(new[] { "_stop (disposed 0)" }), "disposed after _stop, which may still use it");
        Assert.That(kept.Disposed, Is.EqualTo(1));
        Assert.That(released.Disposed, Is.Zero);
    }
}
