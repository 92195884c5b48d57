namespace PoeSharp.Components.Tests;

/// <summary>The assembly loads under its published name.</summary>
public sealed class ComponentsAssemblyTests
{
    [Test]
    public void TheAssemblyHasItsPublishedName() =>
        Assert.That(typeof(ComponentsAssembly).Assembly.GetName().Name, Is.EqualTo(ComponentsAssembly.Name));
}
