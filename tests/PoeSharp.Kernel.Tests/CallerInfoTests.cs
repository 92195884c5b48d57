using System.Runtime.CompilerServices;

namespace PoeSharp.KernelTests;

/// <summary>CALLER_FILE / CALLER_LINE: captured by the Post/Yield/Call overloads with up to two arguments.</summary>
public sealed class CallerInfoTests : KernelTestBase
{
    private static int Line([CallerLineNumber] int line = 0) => line;

    private static string ThisFile([CallerFilePath] string file = "") => file;

    private sealed record Seen(string Event, string? File, int Line, int ArgCount, string Args);

    private List<Seen> Record(Action<EventContext<LogHeap>> start)
    {
        var seen = new List<Seen>();
        void Note(EventContext<LogHeap> c) =>
            seen.Add(new Seen(c.State, c.CallerFile, c.CallerLine, c.ArgCount, string.Join(",", Enumerable.Range(0, c.ArgCount).Select(i => c[i]))));
        Fake.Create(new LogHeap(), b => b
            .On("_start", start)
            .On("e", Note));
        Fake.Run();
        return seen;
    }

    [Test]
    public void PostYieldAndCallWithUpToTwoArgumentsRecordFileAndLine()
    {
        var lines = new int[6];
        var seen = Record(c =>
        {
            c.Kernel.Post(c.Session, "e"); lines[0] = Line();
            c.Kernel.Post(c.Session, "e", 1); lines[1] = Line();
            c.Kernel.Yield("e", "a", "b"); lines[2] = Line();
            c.Kernel.Yield("e"); lines[3] = Line();
            c.Kernel.Call(c.Session, "e", 7); lines[4] = Line();
            c.Kernel.Call(c.Session, "e"); lines[5] = Line();
        });
        // The calls run at once; the posts and yields afterwards, in order.
        Assert.That(seen.Select(s => (s.Line, s.Args)), Is.EqualTo(new[]
        {
            (lines[4], "7"), (lines[5], ""), (lines[0], ""), (lines[1], "1"), (lines[2], "a,b"), (lines[3], ""),
        }));
        Assert.That(seen.Select(s => s.File), Is.All.EqualTo(ThisFile()));
    }

    [Test]
    public void ThreeOrMoreArgumentsGoThroughParamsWithoutCallerInfo()
    {
        var seen = Record(c =>
        {
            c.Kernel.Yield("e", 1, 2, 3);
            c.Kernel.Post(c.Session, "e", new object?[] { "x", "y" });
        });
        Assert.That(seen.Select(s => (s.File, s.Line, s.Args)), Is.EqualTo(new[] { ((string?)null, 0, "1,2,3"), (null, 0, "x,y") }));
    }

    [Test]
    public void StringAndIntArgumentsNeverBindToTheCallerParameters()
    {
        int line = 0;
        var seen = Record(c =>
        {
            c.Kernel.Yield("e", "file-like", 42); line = Line();
            c.Kernel.Post(c.Session, "e", "only");
            c.Kernel.Post(c.Session, "e", "a", "b", "c");
        });
        Assert.That(seen.Select(s => (s.ArgCount, s.Args)), Is.EqualTo(new[] { (2, "file-like,42"), (1, "only"), (3, "a,b,c") }));
        Assert.That(seen[0].File, Is.EqualTo(ThisFile()));
        Assert.That(seen[0].Line, Is.EqualTo(line));
    }

    [Test]
    public void AnArrayArgumentIsStillTheArgumentList()
    {
        object?[] args = ["p", "q"];
        string[] strings = ["s", "t"];
        var seen = Record(c =>
        {
            c.Kernel.Yield("e", args);
            c.Kernel.Yield("e", strings);
            c.Kernel.Yield("e", (object?)args);
        });
        Assert.That(seen.Select(s => s.ArgCount), Is.EqualTo(new[] { 2, 2, 1 }));
        Assert.That(seen[2].Args, Is.EqualTo("System.Object[]"));
    }
}
