namespace PoeSharp.KernelTests;

/// <summary>POE-SEMANTICS.md §5.2 scenarios that span several features.</summary>
public sealed class ScenarioTests : KernelTestBase
{
    private sealed class CountHeap
    {
        public int Count;
        public int DefaultHits;
        public int SelfSenders;
    }

    [Test]
    public void SesSessionTenSessionsCountToFive()
    {
        // §5.2.1: alternate yield and post(self), an unhandled event per step to _default, and
        // call(self, next_count) whose value drives the loop; SENDER is self; _stop sees 5.
        int defaults = 0, selfSenders = 0;
        var finals = new List<int>();
        for (int i = 0; i < 10; i++)
        {
            Fake.Create(new CountHeap(), b => b
                .On("_start", c => c.Kernel.Yield("count"))
                .On("count", c =>
                {
                    if (ReferenceEquals(c.Sender, c.Session)) c.Heap.SelfSenders++;
                    c.Kernel.Yield("nonexistent");
                    int next = (int)c.Kernel.Call(c.Session, "next_count")!;
                    if (next < 5)
                    {
                        if (next % 2 == 0) c.Kernel.Yield("count");
                        else c.Kernel.Post(c.Session, "count");
                    }
                })
                .OnCall("next_count", c => ++c.Heap.Count)
                .OnDefault(c =>
                {
                    if (c.State == "_default" && c.Arg<string>(0) == "nonexistent") c.Heap.DefaultHits++;
                })
                .On("_stop", c =>
                {
                    finals.Add(c.Heap.Count);
                    defaults += c.Heap.DefaultHits;
                    selfSenders += c.Heap.SelfSenders;
                }));
        }
        Fake.Run();
        Assert.That(finals, Is.EqualTo(Enumerable.Repeat(5, 10)));
        Assert.That(defaults, Is.EqualTo(50));
        Assert.That(selfSenders, Is.EqualTo(50));
    }

    [Test]
    public void SesSessionServerAnswersThroughPostbackAndCallback()
    {
        // §5.2.1: an aliased server answers a client through a postback (posted) and a callback
        // (synchronous, must run before call() returns).
        var order = new List<string>();
        Fake.Create(0, b => b
            .On("_start", c => c.Kernel.AliasSet("server"))
            .On("query", c =>
            {
                var pb = (Postback)c[0]!;
                var cb = (Callback)c[1]!;
                cb.Invoke("via callback");
                order.Add("server returned from callback");
                pb.Invoke("via postback");
                pb.Dispose();
                cb.Dispose();
                c.Kernel.AliasRemove("server");
            }));
        Fake.Create(0, b => b
            .On("_start", c =>
            {
                c.Kernel.Call("server", "query", c.Kernel.Postback("pb_reply", "a"), c.Kernel.Callback("cb_reply", "b"));
                order.Add("call returned");
            })
            .On("pb_reply", c => order.Add($"postback {((object?[])c[0]!)[0]} {((object?[])c[1]!)[0]}"))
            .On("cb_reply", c => order.Add($"callback {((object?[])c[0]!)[0]} {((object?[])c[1]!)[0]}")));
        Fake.Run();
        Assert.That(order, Is.EqualTo(new[]
        {
            "callback b via callback", "server returned from callback", "call returned", "postback a via postback",
        }));
    }

    [Test]
    public void SelectPingPongWithPauseDelayResume()
    {
        // §5.2.6 on the manual loop: the slave pauses reading, waits 0.5 s, resumes; 5 messages.
        int received = 0;
        var slave = Fake.Create(0, b => b
            .On("_start", c => c.Kernel.SelectRead(20, "input"))
            .On("input", c =>
            {
                Fake.Loop.SetReady(20, Loop.IoMode.Read, false);
                received++;
                c.Kernel.SelectPauseRead(20);
                c.Kernel.Delay("resume", TimeSpan.FromSeconds(0.5));
            })
            .On("resume", c =>
            {
                if (received == 5) c.Kernel.SelectRead(20, null);
                else
                {
                    c.Kernel.SelectResumeRead(20);
                    Fake.Loop.SetReady(20, Loop.IoMode.Read);
                }
            }));
        Fake.Loop.SetReady(20, Loop.IoMode.Read);
        Fake.Run();
        Assert.That(received, Is.EqualTo(5));
        Assert.That(Fake.Time.Elapsed, Is.EqualTo(TimeSpan.FromSeconds(2.5)));
        Assert.That(slave.IsAlive, Is.False);
    }

    [Test]
    public void StopThatThrowsBecauseAChildExitedNonZeroFailsRunAndTheNextRunWorks()
    {
        // §5.2.11 (k_signals_rerun)
        Fake.Create(new CountHeap(), b => b
            .On("_start", c => c.Kernel.SigChild(c.Kernel.Fork().Pid, "exited"))
            .On("exited", c => c.Heap.Count = c.Arg<int>(2))
            .On("_stop", c =>
            {
                if (c.Heap.Count != 0) throw new InvalidOperationException($"child exited with status {c.Heap.Count >> 8}");
            }));
        Fake.RunUntilIdle();
        Fake.Processes.ExitChild(Fake.Processes.Children.Single(), PoeSharp.Testing.FakeProcessHost.ExitStatus(2));
        Assert.That(() => Fake.Run(), Throws.InvalidOperationException.With.Message.EqualTo("child exited with status 2"));
        Fake.Create(0, b => b.On("_start", c => c.Kernel.Delay("t", TimeSpan.FromSeconds(1))).On("t", _ => Log.Add("second run")));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "second run" }));
    }

    [Test]
    public void ForkedChildStopsTheInheritedTreeAndRunsABrandNewOne()
    {
        // §5.2.21: in the child, stop() then run() a fresh session tree that completes a 1 s delay.
        Fake.Create(0, b => b
            .On("_start", c => { c.Kernel.AliasSet("listener"); c.Kernel.Delay("accept", TimeSpan.FromHours(1)); c.Kernel.Yield("fork"); })
            .On("fork", c =>
            {
                Fake.Processes.NextForkIsChild(6001);
                if (c.Kernel.Fork().IsChild)
                {
                    c.Kernel.Stop();
                    c.Kernel.Create(0, nb => nb
                        .On("_start", nc => nc.Kernel.Delay("daemon", TimeSpan.FromSeconds(1)))
                        .On("daemon", _ => Log.Add($"daemon timer in {Fake.Kernel.ProcessId}")));
                }
            })
            .On("accept", _ => Log.Add("inherited timer fired"))
            .On("_stop", _ => Log.Add("inherited session stopped")));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "inherited session stopped" }));
        Assert.That(K.SessionCount, Is.EqualTo(1));
        Fake.Run();
        Assert.That(Log, Is.EqualTo(new[] { "inherited session stopped", "daemon timer in 6001" }));
    }
}
