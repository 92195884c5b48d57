using System.Net.Sockets;
using PoeSharp.Filters;
using PoeSharp.Os;
using PoeSharp.Testing;

namespace PoeSharp.Components.Tests;

/// <summary>An invalid option throws at construction, naming the option and what to do.</summary>
public sealed class OptionsValidationTests
{
    private sealed class NeedsArgument(string name)
    {
        public string Name { get; } = name;
    }

    private static IEnumerable<TestCaseData> BadServerOptions()
    {
        yield return new TestCaseData(new TcpServerOptions<object> { Port = 70000 }, "TcpServerOptions.Port must be 0..65535");
        yield return new TestCaseData(new TcpServerOptions<object> { Port = -1 }, "TcpServerOptions.Port");
        yield return new TestCaseData(new TcpServerOptions<object> { Concurrency = 0 }, "TcpServerOptions.Concurrency must be -1 (unlimited) or at least 1; got 0");
        yield return new TestCaseData(new TcpServerOptions<object> { Concurrency = -2 }, "TcpServerOptions.Concurrency");
        yield return new TestCaseData(new TcpServerOptions<object> { Domain = AddressFamily.AppleTalk }, "TcpServerOptions.Domain");
        yield return new TestCaseData(new TcpServerOptions<object> { Domain = AddressFamily.Unix }, "TcpServerOptions.Address is required with Domain Unix");
        yield return new TestCaseData(new TcpServerOptions<object> { ListenQueue = 0 }, "TcpServerOptions.ListenQueue");
        yield return new TestCaseData(new TcpServerOptions<object> { MaxAcceptsPerReady = 0 }, "TcpServerOptions.MaxAcceptsPerReady");
        yield return new TestCaseData(new TcpServerOptions<object> { DrainGrace = TimeSpan.FromSeconds(-1) }, "TcpServerOptions.DrainGrace");
        yield return new TestCaseData(new TcpServerOptions<object> { Alias = "" }, "TcpServerOptions.Alias");
        yield return new TestCaseData(new TcpServerOptions<object> { Workers = -1 }, "TcpServerOptions.Workers must be 0 (one process, no fork) to 1024; got -1");
        yield return new TestCaseData(new TcpServerOptions<object> { Workers = 1025 }, "TcpServerOptions.Workers must be 0 (one process, no fork) to 1024; got 1025");
        yield return new TestCaseData(new TcpServerOptions<object> { ClientFilter = new LineFilter(), ClientInputFilter = new StreamFilter() },
                                      "TcpServerOptions.ClientFilter cannot be combined with");
    }

    [TestCaseSource(nameof(BadServerOptions))]
    public void AnInvalidServerOptionIsNamed(TcpServerOptions<object> options, string message)
    {
        using var fake = new FakeKernel();
        var ex = Assert.Throws<ArgumentException>(() => _ = new TcpServer<object>(fake.Kernel, options));
        Assert.That(ex!.Message, Does.StartWith(message));
        Assert.That(ex.ParamName, Is.EqualTo("options"));
        Assert.That(fake.Kernel.SessionCount, Is.EqualTo(0), "nothing was started");
    }

    [Test]
    public void AHeapWithoutAParameterlessConstructorNeedsAFactory()
    {
        using var fake = new FakeKernel();
        var ex = Assert.Throws<ArgumentException>(() => _ = new TcpServer<NeedsArgument>(fake.Kernel, new()));
        Assert.That(ex!.Message, Does.StartWith("TcpServerOptions.ClientHeap is required because NeedsArgument has no public parameterless constructor"));
        Assert.DoesNotThrow(() => _ = new TcpServer<NeedsArgument>(fake.Kernel, new() { Address = "127.0.0.1", ClientHeap = () => new NeedsArgument("x") }));
    }

    [Test]
    public void AListenHandleExcludesAnAddressAndMustBeOpen()
    {
        using var fake = new FakeKernel();
        var socket = PosixSocket.Socket(AddressFamily.InterNetwork).Value;
        var ex = Assert.Throws<ArgumentException>(() => _ = new TcpServer<object>(fake.Kernel, new() { ListenHandle = socket, Port = 80 }));
        Assert.That(ex!.Message, Does.StartWith("TcpServerOptions.ListenHandle cannot be combined with Port, Address or Domain"));
        socket.Dispose();
        ex = Assert.Throws<ArgumentException>(() => _ = new TcpServer<object>(fake.Kernel, new() { ListenHandle = socket }));
        Assert.That(ex!.Message, Does.StartWith("TcpServerOptions.ListenHandle is closed"));
    }

    private static IEnumerable<TestCaseData> BadClientOptions()
    {
        yield return new TestCaseData(new TcpClientOptions { RemoteAddress = "" }, "TcpClientOptions.RemoteAddress is required");
        yield return new TestCaseData(new TcpClientOptions { RemoteAddress = "127.0.0.1" }, "TcpClientOptions.RemotePort must be 1..65535; got 0");
        yield return new TestCaseData(new TcpClientOptions { RemoteAddress = "/tmp/x.sock", RemotePort = 5 }, "TcpClientOptions.RemotePort must be 0 for a UNIX socket");
        yield return new TestCaseData(new TcpClientOptions { RemoteAddress = "127.0.0.1", RemotePort = 1, BindPort = 65536 }, "TcpClientOptions.BindPort");
        yield return new TestCaseData(new TcpClientOptions { RemoteAddress = "127.0.0.1", RemotePort = 1, ConnectTimeout = TimeSpan.Zero }, "TcpClientOptions.ConnectTimeout must be positive");
        yield return new TestCaseData(new TcpClientOptions { RemoteAddress = "127.0.0.1", RemotePort = 1, Reconnect = new() { Factor = 0.5 } }, "TcpClientOptions.Reconnect.Factor");
        yield return new TestCaseData(new TcpClientOptions { RemoteAddress = "127.0.0.1", RemotePort = 1, Reconnect = new() { InitialDelay = TimeSpan.Zero } }, "TcpClientOptions.Reconnect.InitialDelay");
        yield return new TestCaseData(new TcpClientOptions { RemoteAddress = "127.0.0.1", RemotePort = 1, Reconnect = new() { MaxDelay = TimeSpan.FromMilliseconds(1) } }, "TcpClientOptions.Reconnect.MaxDelay");
        yield return new TestCaseData(new TcpClientOptions { RemoteAddress = "127.0.0.1", RemotePort = 1, Reconnect = new() { Jitter = 1 } }, "TcpClientOptions.Reconnect.Jitter");
        yield return new TestCaseData(new TcpClientOptions { RemoteAddress = "127.0.0.1", RemotePort = 1, Reconnect = new() { MaxAttempts = 0 } }, "TcpClientOptions.Reconnect.MaxAttempts");
        yield return new TestCaseData(new TcpClientOptions { RemoteAddress = "127.0.0.1", RemotePort = 1, Filter = new LineFilter(), OutputFilter = new LineFilter() }, "TcpClientOptions.Filter cannot be combined with");
    }

    [TestCaseSource(nameof(BadClientOptions))]
    public void AnInvalidClientOptionIsNamed(TcpClientOptions options, string message)
    {
        using var fake = new FakeKernel();
        var ex = Assert.Throws<ArgumentException>(() => _ = new TcpClient(fake.Kernel, options));
        Assert.That(ex!.Message, Does.StartWith(message));
        Assert.That(fake.Kernel.SessionCount, Is.EqualTo(0));
    }
}
