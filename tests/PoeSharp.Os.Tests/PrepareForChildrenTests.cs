using System.Runtime;
using System.Runtime.CompilerServices;
using PoeSharp.Os;

namespace PoeSharp.Os.Tests;

/// <summary><see cref="ForkSafety.PrepareForChildren(Type[])"/> compiles what a child would otherwise compile.</summary>
public sealed class PrepareForChildrenTests
{
    /// <summary>Never called before the test: every method here is compiled by the preparation or by its first call.</summary>
    private class Fodder
    {
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static int Static(int x) => x * 3 + 1;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public virtual int Virtual(int x) => x ^ 0x55;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public int Instance(int x) => x - 7;
    }

    [Test]
    public void PreparedMethodsAreNotCompiledAgainOnTheirFirstCall()
    {
        long before = JitInfo.GetCompiledMethodCount(currentThread: true);
        ForkSafety.PrepareForChildren(typeof(Fodder));
        long prepared = JitInfo.GetCompiledMethodCount(currentThread: true) - before;
        Assert.That(prepared, Is.GreaterThanOrEqualTo(4), "three methods and the constructor");

        var fodder = new Fodder();
        long calls = JitInfo.GetCompiledMethodCount(currentThread: true);
        int sum = Fodder.Static(1) + fodder.Virtual(2) + fodder.Instance(3);
        Assert.That(JitInfo.GetCompiledMethodCount(currentThread: true) - calls, Is.Zero);
        Assert.That(sum, Is.EqualTo(4 + (2 ^ 0x55) + (3 - 7)));
    }

    [Test]
    public void AnAssemblyCanBeNarrowedToANamespace()
    {
        // The wheels' drivers are internal: a program names them by namespace.
        var wheels = typeof(PoeSharp.Wheels.ReadWriteWheel).Assembly;
        Assert.DoesNotThrow(() => ForkSafety.PrepareForChildren(wheels, "PoeSharp.Wheels.Drivers"));
        Assert.DoesNotThrow(() => ForkSafety.PrepareForChildren(typeof(ForkSafety).Assembly));
    }
}
