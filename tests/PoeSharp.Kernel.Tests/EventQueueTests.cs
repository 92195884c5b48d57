using PoeSharp.Resources;

namespace PoeSharp.KernelTests;

/// <summary>The queue itself: merge order of FIFO and timers, removal, wrap-around.</summary>
public sealed class EventQueueTests : KernelTestBase
{
    private static QueueItem Item(Session s, string ev, long due) =>
        new() { Due = due, Dest = s, Source = s, Event = ev, Args = [], Kind = ItemKind.Post };

    [Test]
    public void MergesFifoAndTimersByDueThenSequence()
    {
        var s = Fake.Create(0, b => b.On("_start", _ => { }));
        var q = new EventQueue();
        var a = Item(s, "fifo@5", 5); q.EnqueueFifo(ref a);
        var t1 = Item(s, "timer@3", 3); q.AddTimer(ref t1);
        var t2 = Item(s, "timer@5", 5); q.AddTimer(ref t2);
        var b2 = Item(s, "fifo@6", 6); q.EnqueueFifo(ref b2);
        var t3 = Item(s, "timer@9", 9); q.AddTimer(ref t3);
        var order = new List<string>();
        while (q.TryDequeueDue(8, long.MaxValue, out var it)) order.Add(it.Event);
        Assert.That(order, Is.EqualTo(new[] { "timer@3", "fifo@5", "timer@5", "fifo@6" }));
        Assert.That(q.Count, Is.EqualTo(1));
        Assert.That(q.NextDue(), Is.EqualTo(9));
        Fake.Run();
    }

    [Test]
    public void RemovingFifoItemsKeepsOrderAcrossTheRingWrap()
    {
        var s = Fake.Create(0, b => b.On("_start", _ => { }));
        var q = new EventQueue();
        // Move the head forward so the items wrap around the end of the ring.
        for (int i = 0; i < 250; i++) { var x = Item(s, "x", 0); q.EnqueueFifo(ref x); }
        while (q.TryDequeueDue(0, long.MaxValue, out _)) { }
        for (int i = 0; i < 20; i++) { var x = Item(s, i.ToString(), 0); q.EnqueueFifo(ref x); }
        int removedCount = 0;
        q.RemoveFifoWhere(0, static (_, it) => int.Parse(it.Event) % 3 == 0, (_, _) => removedCount++);
        var rest = new List<string>();
        while (q.TryDequeueDue(0, long.MaxValue, out var it)) rest.Add(it.Event);
        Assert.That(removedCount, Is.EqualTo(7));
        Assert.That(rest, Is.EqualTo(Enumerable.Range(0, 20).Where(i => i % 3 != 0).Select(i => i.ToString())));
        Fake.Run();
    }

    [Test]
    public void AdjustAndRemoveKeepTheHeapOrdered()
    {
        var s = Fake.Create(0, b => b.On("_start", _ => { }));
        var q = new EventQueue();
        var rng = new Random(3);
        var ids = new List<int>();
        for (int i = 0; i < 500; i++) { var t = Item(s, "t", rng.Next(1000)); ids.Add(q.AddTimer(ref t)); }
        for (int i = 0; i < 200; i++) q.AdjustTimer(ids[rng.Next(ids.Count)], rng.Next(1000));
        for (int i = 0; i < 100; i++) q.TryRemoveTimer(ids[i * 5], out _);
        long last = long.MinValue;
        int n = 0;
        while (q.TryDequeueDue(long.MaxValue, long.MaxValue, out var it))
        {
            Assert.That(it.Due, Is.GreaterThanOrEqualTo(last));
            last = it.Due;
            n++;
        }
        Assert.That(n, Is.EqualTo(400));
        Fake.Run();
    }

    [Test]
    public void StoppingSessionsWithQueuedTrafficReleaseTheirPeers()
    {
        // Many sessions post to one sink then die by TERM: the sink's counts must return to zero.
        var sink = Fake.Create(0, b => b.On("_start", c => c.Kernel.AliasSet("sink")).On("e", _ => Log.Add("delivered")).On("bye", c => c.Kernel.AliasRemove("sink")));
        for (int i = 0; i < 10; i++)
            Fake.Create(0, b => b.On("_start", c => { c.Kernel.Post("sink", "e"); c.Kernel.Signal(c.Session, "TERM"); c.Kernel.Post("sink", "e"); }));
        Assert.That(K.GetLiveness(sink)!.EventsQueued, Is.EqualTo(21));
        Fake.RunUntilIdle();
        Assert.That(Log, Has.Count.EqualTo(10), "only the posts made before each TERM was queued");
        Assert.That(K.GetLiveness(sink)!.EventsQueued, Is.Zero);
        Fake.Deliver("sink", "bye");
        Assert.That(sink.IsAlive, Is.False);
    }
}
