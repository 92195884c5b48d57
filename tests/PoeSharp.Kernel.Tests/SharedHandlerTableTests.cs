using PoeSharp.Resources;

namespace PoeSharp.KernelTests;

/// <summary>
/// Sessions created from the same handlers share one handler table until one of them changes its
/// own (POE's <c>state()</c>); a session's single watched descriptor and single extra-reference
/// tag need no dictionary, and two or more behave as before.
/// </summary>
public sealed class SharedHandlerTableTests : KernelTestBase
{
    private static void Start(EventContext<LogHeap> c) => c.Heap.Lines.Add("start");

    private static void Ping(EventContext<LogHeap> c) => c.Heap.Lines.Add("ping");

    private static void AddPong(EventContext<LogHeap> c) => c.Kernel.State<LogHeap>("pong", x => x.Heap.Lines.Add("pong"));

    private static void DropPing(EventContext<LogHeap> c) => c.Kernel.State("ping");

    private static void Configure(SessionBuilder<LogHeap> s) => s
        .On("_start", Start)
        .On("ping", Ping)
        .On("add_pong", AddPong)
        .On("drop_ping", DropPing);

    [Test]
    public void A_handler_added_or_removed_in_one_session_leaves_the_others_of_the_same_handlers_alone()
    {
        var heaps = new[] { new LogHeap(), new LogHeap(), new LogHeap() };
        var sessions = heaps.Select(h => K.Create(h, Configure)!).ToArray();

        K.Call(sessions[0], "add_pong");
        K.Call(sessions[1], "drop_ping");
        foreach (var s in sessions)
        {
            K.Call(s, "ping");
            K.Call(s, "pong");
        }

        Assert.That(heaps[0].Lines, Is.EqualTo(new[] { "start", "ping", "pong" }));
        Assert.That(heaps[1].Lines, Is.EqualTo(new[] { "start" }));
        Assert.That(heaps[2].Lines, Is.EqualTo(new[] { "start", "ping" }));
        Assert.That(sessions.Select(s => s.HasHandler("pong")), Is.EqualTo(new[] { true, false, false }));
        Assert.That(sessions.Select(s => s.HasHandler("ping")), Is.EqualTo(new[] { true, false, true }));

        // A session created afterwards from the same handlers has them as declared.
        var late = new LogHeap();
        var fourth = K.Create(late, Configure)!;
        K.Call(fourth, "ping");
        K.Call(fourth, "pong");
        Assert.That(late.Lines, Is.EqualTo(new[] { "start", "ping" }));
        Fake.RunUntilIdle();
    }

    [Test]
    public void Sessions_declaring_other_handlers_for_the_same_events_get_their_own()
    {
        var a = new LogHeap();
        var b = new LogHeap();
        K.Create(a, s => s.On("_start", Start).On("ping", Ping));
        var other = K.Create(b, s => s.On("_start", Start).On("ping", c => c.Heap.Lines.Add("other ping")))!;
        K.Call(other, "ping");
        Assert.That(b.Lines, Is.EqualTo(new[] { "start", "other ping" }));
        Assert.That(a.Lines, Is.EqualTo(new[] { "start" }));
        Fake.RunUntilIdle();
    }

    [Test]
    public void Extra_reference_tags_are_counted_one_or_several_at_a_time()
    {
        var heap = new LogHeap();
        var s = K.Create(heap, Configure)!;
        Assert.That(K.RefcountIncrement(s, "a"), Is.EqualTo(1));
        Assert.That(K.RefcountIncrement(s, "a"), Is.EqualTo(2));
        Assert.That(K.RefcountIncrement(s, "b"), Is.EqualTo(1));
        Assert.That(K.GetLiveness(s)!.ExtraRefs, Is.EquivalentTo(new Dictionary<string, int> { ["a"] = 2, ["b"] = 1 }));
        Assert.That(K.RefcountDecrement(s, "a"), Is.EqualTo(1));
        Assert.That(K.RefcountDecrement(s, "a"), Is.EqualTo(0));
        Assert.That(K.RefcountDecrement(s, "a"), Is.EqualTo(0), "a tag at zero is gone");
        Assert.That(K.GetLiveness(s)!.ExtraRefs, Is.EquivalentTo(new Dictionary<string, int> { ["b"] = 1 }));
        Assert.That(K.RefcountDecrement(s, "b"), Is.EqualTo(0));
        Assert.That(K.GetLiveness(s)!.ExtraRefs, Is.Empty);
        Fake.RunUntilIdle();
    }

    [Test]
    public void A_small_map_keeps_one_entry_inline_and_every_entry_after_a_second()
    {
        var map = new SmallMap<string>();
        Assert.That(map.Count, Is.EqualTo(0));
        map.Set("x", 1);
        map.Set("x", 2);
        Assert.That(map.Count, Is.EqualTo(1));
        Assert.That(map.TryGetValue("x", out int x) ? x : -1, Is.EqualTo(2));
        Assert.That(map.TryGetValue("y", out _), Is.False);
        map.Set("y", 3);
        map.Remove("x");
        Assert.That(map.ToArray(), Is.EqualTo(new[] { new KeyValuePair<string, int>("y", 3) }));
        map.Set("z", 4);
        Assert.That(map.ToDictionary(), Is.EquivalentTo(new Dictionary<string, int> { ["y"] = 3, ["z"] = 4 }));
        map.Clear();
        Assert.That(map.Count, Is.EqualTo(0));
        Assert.That(map.TryGetValue("y", out _), Is.False);
    }

    [Test]
    public void A_small_list_keeps_one_element_inline_and_its_order_after_a_second()
    {
        var list = new SmallList<object>();
        object a = "a", b = "b", c = new List<object>();   // an element that is itself a list is an element
        Assert.That(list.Count, Is.EqualTo(0));
        Assert.That(list.Remove(a), Is.False);
        list.Add(a);
        Assert.That((list.Count, list[0]), Is.EqualTo((1, a)));
        Assert.That(() => list[1], Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(list.Remove(b), Is.False);
        Assert.That(list.Remove(a), Is.True);
        Assert.That(list.Count, Is.EqualTo(0));
        list.Add(c);
        Assert.That((list.Count, list[0]), Is.EqualTo((1, c)));
        list.Add(a);
        list.Add(b);
        Assert.That(new[] { list[0], list[1], list[2] }, Is.EqualTo(new[] { c, a, b }));
        list.RemoveAt(1);
        Assert.That(list.Take(), Is.EqualTo(new[] { c, b }));
        Assert.That(list.Count, Is.EqualTo(0));
        list.Add(b);
        list.RemoveAt(0);
        Assert.That(list.Count, Is.EqualTo(0));
        list.Add(a);
        list.Clear();
        Assert.That(list.Take(), Is.Empty);
    }
}
