using PoeSharp.Loop;
using PoeSharp.Testing;

namespace PoeSharp.KernelTests;

/// <summary>
/// The typed view of a <c>_default</c> event (<see cref="EventContext{THeap}.DefaultEvent"/>,
/// <see cref="EventContext{THeap}.DefaultArgs"/>, <see cref="EventContext{THeap}.DefaultArg{T}"/>)
/// beside POE's positional ARG0/ARG1, on the real kernel and on the fake one.
/// </summary>
public sealed class DefaultEventTests
{
    private sealed class Seen
    {
        public List<string> Lines { get; } = [];
        public object? CallResult { get; set; }
    }

    private static Session CreateSession(Kernel kernel, Seen seen) => kernel.Create(seen, b => b
        .On("_start", c =>
        {
            c.Kernel.Post(c.Session, "posted", 7, "x", null);
            c.Heap.CallResult = c.Kernel.Call(c.Session, "called", 40);
        })
        .OnDefaultCall(c =>
        {
            if (c.DefaultEvent == KnownEvents.Stop) return null;
            var positional = (object?[])c[1]!;
            c.Heap.Lines.Add($"{c.State} {c.DefaultEvent} [{string.Join(",", c.DefaultArgs.ToArray())}] " +
                             $"ARG0={c.Arg<string>(0)} ARG1.Length={positional.Length} same={ReferenceEquals(positional[0], c.DefaultArgs[0])}");
            return c.DefaultEvent == "called" ? c.DefaultArg<int>(0) + 2 : null;
        }))!;

    private static readonly string[] Expected =
    [
        "_default called [40] ARG0=called ARG1.Length=1 same=True",
        "_default posted [7,x,] ARG0=posted ARG1.Length=3 same=True",
    ];

    [Test]
    public void ADefaultHandlerReadsTheOriginalEventOnTheRealKernel()
    {
        using var kernel = new Kernel(new ManualLoop(), TimeProvider.System);
        var seen = new Seen();
        CreateSession(kernel, seen);
        kernel.Run();
        Assert.That(seen.Lines, Is.EqualTo(Expected));
        Assert.That(seen.CallResult, Is.EqualTo(42), "a _default handler's value is what Call returns");
    }

    [Test]
    public void ADefaultHandlerReadsTheOriginalEventOnTheFakeKernel()
    {
        using var fake = new FakeKernel();
        var seen = new Seen();
        CreateSession(fake.Kernel, seen);
        fake.Run();
        Assert.That(seen.Lines, Is.EqualTo(Expected));
        Assert.That(seen.CallResult, Is.EqualTo(42));
        Assert.That(fake.FindLeaks(), Is.Empty);
    }

    [Test]
    public void DefaultArgChecksPositionAndTypeAgainstTheOriginalEvent()
    {
        using var fake = new FakeKernel();
        Exception? missing = null, mistyped = null;
        string? nullable = "unset";
        fake.Create(0, b => b
            .On("_start", c => c.Kernel.Yield("orig", "text", null))
            .OnDefault(c =>
            {
                if (c.DefaultEvent != "orig") return;
                missing = Catch(() => c.DefaultArg<string>(2));
                mistyped = Catch(() => c.DefaultArg<int>(0));
                nullable = c.DefaultArg<string?>(1);
            }));
        fake.Run();
        Assert.That(missing, Is.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("Event 'orig'").And.Message.Contains("2 argument(s)"));
        Assert.That(mistyped, Is.TypeOf<InvalidCastException>().With.Message.Contains("'orig'").And.Message.Contains("String, not Int32"));
        Assert.That(nullable, Is.Null);
    }

    [Test]
    public void TheTypedAccessorsThrowOutsideADefaultHandler()
    {
        using var fake = new FakeKernel();
        var errors = new List<Exception?>();
        fake.Create(0, b => b
            .On("_start", c =>
            {
                errors.Add(Catch(() => c.DefaultEvent));
                errors.Add(Catch(() => c.DefaultArgs.Length));
                errors.Add(Catch(() => c.DefaultArg<int>(0)));
                c.Kernel.Yield(KnownEvents.Default, "not", "redirected");
            })
            .OnDefault(c => errors.Add(c.ArgCount == 2 ? Catch(() => c.DefaultEvent) : null)));
        fake.Run();
        Assert.That(errors, Has.Count.EqualTo(5));
        Assert.That(errors.Take(3), Is.All.TypeOf<InvalidOperationException>().And.Message.Contains("only valid in a _default handler")
                                                                            .And.Message.Contains("'_start'"));
        Assert.That(errors[3], Is.TypeOf<InvalidOperationException>().With.Message.Contains("sent directly"),
            "a _default event posted by name has no original event");
        Assert.That(errors[4], Is.Null, "_stop, redirected to _default, is left alone");
    }

    private static Exception? Catch<T>(Func<T> f)
    {
        try
        {
            f();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }
}
