using System.Net;
using System.Net.Sockets;
using PoeSharp.Testing;

namespace PoeSharp.Components.Tests;

/// <summary>TcpClient's connect timeout and reconnect back-off on the fake kernel's clock.</summary>
public sealed class TcpClientFakeKernelTests
{
    /// <summary>A listener that never accepts: the OS completes connections, the manual loop never reports them.</summary>
    private static Socket SilentListener()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        s.Listen(8);
        return s;
    }

    [Test]
    public void ConnectErrorsRetryWithExponentialBackOffOnTheKernelsClockThenGiveUp()
    {
        using var fake = new FakeKernel();
        using var listener = SilentListener();
        var failures = new List<(TimeSpan At, TcpError Error, int Attempts)>();
        var client = new TcpClient(fake.Kernel, new()
        {
            RemoteAddress = "127.0.0.1",
            RemotePort = ((IPEndPoint)listener.LocalEndPoint!).Port,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            Reconnect = new() { InitialDelay = TimeSpan.FromSeconds(1), Factor = 2, Jitter = 0, MaxAttempts = 4 },
            ConnectError = (c, e) => failures.Add((fake.Time.Elapsed, e, c.FailedAttempts)),
        });
        Assert.That(client.IsConnecting, Is.True);

        fake.Run(TimeSpan.FromMinutes(5)); // virtual time: returns when the client gives up and its session ends

        // Each attempt times out after 5 s; the waits between them are 1, 2 and 4 s.
        Assert.That(failures.Select(f => f.At.TotalSeconds), Is.EqualTo(new[] { 5.0, 11, 18, 27 }));
        Assert.That(failures.Select(f => f.Attempts), Is.EqualTo(new[] { 1, 2, 3, 4 }));
        Assert.That(failures.Select(f => f.Error.Operation), Is.All.EqualTo("connect"));
        Assert.That(failures.Select(f => f.Error.Errno), Is.All.EqualTo(110), "ETIMEDOUT");
        Assert.That(fake.Kernel.SessionCount, Is.EqualTo(0));
        Assert.That(fake.FindLeaks(), Is.Empty);
    }

    [Test]
    public void ShutdownCancelsAPendingRetry()
    {
        using var fake = new FakeKernel();
        using var listener = SilentListener();
        int failures = 0;
        var client = new TcpClient(fake.Kernel, new()
        {
            RemoteAddress = "127.0.0.1",
            RemotePort = ((IPEndPoint)listener.LocalEndPoint!).Port,
            ConnectTimeout = TimeSpan.FromSeconds(1),
            Reconnect = new() { InitialDelay = TimeSpan.FromSeconds(30), Jitter = 0 },
            ConnectError = (_, _) => failures++,
        });
        fake.Advance(TimeSpan.FromSeconds(1));
        Assert.That(failures, Is.EqualTo(1));
        Assert.That(client.NextAttempt, Is.EqualTo(fake.Time.GetUtcNow() + TimeSpan.FromSeconds(30)));
        Assert.That(fake.Timers, Has.Count.EqualTo(1));

        client.Shutdown();
        fake.RunUntilIdle();
        Assert.That(fake.Timers, Is.Empty);
        Assert.That(client.NextAttempt, Is.Null);
        fake.Run(TimeSpan.FromMinutes(1));
        Assert.That(failures, Is.EqualTo(1), "no attempt after Shutdown");
    }

    [Test]
    public void WithoutAPolicyAFailedConnectEndsTheSession()
    {
        using var fake = new FakeKernel();
        using var listener = SilentListener();
        TcpError? error = null;
        _ = new TcpClient(fake.Kernel, new()
        {
            RemoteAddress = "127.0.0.1",
            RemotePort = ((IPEndPoint)listener.LocalEndPoint!).Port,
            ConnectTimeout = TimeSpan.FromSeconds(2),
            ConnectError = (_, e) => error = e,
        });
        fake.Run(TimeSpan.FromMinutes(1));
        Assert.That(error?.Errno, Is.EqualTo(110));
        Assert.That(fake.Kernel.SessionCount, Is.EqualTo(0));
    }

    [Test]
    public void DelayForGrowsByTheFactorUpToTheMaximumAndJittersWithinBounds()
    {
        var exact = new ReconnectPolicy { InitialDelay = TimeSpan.FromSeconds(1), Factor = 3, MaxDelay = TimeSpan.FromSeconds(20), Jitter = 0 };
        Assert.That(Enumerable.Range(0, 5).Select(n => exact.DelayFor(n).TotalSeconds), Is.EqualTo(new[] { 1.0, 3, 9, 20, 20 }));

        var jittered = exact with { Jitter = 0.5, Random = new Random(7) };
        var delays = Enumerable.Range(0, 200).Select(_ => jittered.DelayFor(1).TotalSeconds).ToList();
        Assert.That(delays, Is.All.InRange(1.5, 4.5));
        Assert.That(delays.Distinct().Count(), Is.GreaterThan(100), "the waits are spread");
    }
}
