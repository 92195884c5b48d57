using System.Reflection;
using PoeSharp.Loop;
using PoeSharp.Processes;
using PoeSharp.Testing;

namespace PoeSharp.KernelTests;

/// <summary>
/// Every place that copies <see cref="KernelOptions"/> keeps every setting: each public property is
/// set to a value other than its default, so a setting a copy drops shows up by name.
/// </summary>
public sealed class KernelOptionsTests
{
    private static readonly PropertyInfo[] Settings = typeof(KernelOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance);

    [Test]
    public void KernelKeepsEverySetting()
    {
        var options = NonDefaultOptions();
        using var kernel = new Kernel(new ManualLoop(), new ManualTimeProvider(), options);
        AssertCopied(options, kernel.Options);
    }

    [Test]
    public void KernelWithAProcessHostKeepsEveryOtherSetting()
    {
        var options = NonDefaultOptions();
        var host = new FakeProcessHost();
        using var kernel = new Kernel(new ManualLoop(), new ManualTimeProvider(), host, options);
        Assert.That(kernel.Options.ProcessHost, Is.SameAs(host));
        AssertCopied(options, kernel.Options, nameof(KernelOptions.ProcessHost));
    }

    [Test]
    public void FakeKernelKeepsEverySettingButItsObserverAndHost()
    {
        var options = NonDefaultOptions();
        using var fake = new FakeKernel(options);
        Assert.That(fake.Kernel.Options.ProcessHost, Is.SameAs(fake.Processes));
        AssertCopied(options, fake.Kernel.Options, nameof(KernelOptions.ProcessHost), nameof(KernelOptions.Observer));
    }

    private static KernelOptions NonDefaultOptions()
    {
        var defaults = new KernelOptions();
        var options = new KernelOptions();
        foreach (var p in Settings)
        {
            Assert.That(p.CanWrite, $"{p.Name} has no init accessor; a copy could not carry it.");
            object? value = NonDefault(p.PropertyType, p.GetValue(defaults));
            p.SetValue(options, value);
            Assert.That(p.GetValue(options), Is.Not.EqualTo(p.GetValue(defaults)), $"{p.Name} kept its default.");
        }
        return options;
    }

    private static object NonDefault(Type type, object? current)
    {
        if (type == typeof(bool)) return !(bool)current!;
        if (type == typeof(TextWriter)) return new StringWriter();
        if (type.IsInterface) return DispatchProxy.Create(type, typeof(InertProxy));
        if (type.IsEnum) return Enum.GetValues(type).Cast<object>().First(v => !v.Equals(current));
        if (type == typeof(TimeSpan?)) return current is TimeSpan t ? t + TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(1);
        if (type == typeof(long)) return (long)current! + 1;
        Assert.Fail($"No non-default value known for a setting of type {type}; add one here.");
        return null!;
    }

    private static void AssertCopied(KernelOptions given, KernelOptions used, params string[] replaced)
    {
        var dropped = Settings.Where(p => !replaced.Contains(p.Name) && !Equals(p.GetValue(given), p.GetValue(used)))
                              .Select(p => p.Name);
        Assert.That(dropped, Is.Empty, "Settings the kernel does not run with.");
    }

    /// <summary>An interface implementation that does nothing: a non-null value for interface-typed settings.</summary>
    public class InertProxy : DispatchProxy
    {
        /// <inheritdoc />
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod is { ReturnType: { IsValueType: true } t } && t != typeof(void) ? Activator.CreateInstance(t) : null;
    }
}
