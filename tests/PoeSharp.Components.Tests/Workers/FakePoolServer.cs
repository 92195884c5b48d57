using PoeSharp.Components.Workers;

namespace PoeSharp.Components.Tests.Workers;

/// <summary>
/// A server for the pool without sockets: one session, the pool's child, kept alive by a far-off
/// timer (the real one by its listening socket and connections); it records what the pool asks
/// and ends once it neither accepts nor has <see cref="Connections"/>.
/// </summary>
internal sealed class FakePoolServer : IPoolServer
{
    private readonly Kernel _kernel;
    private readonly Session _session;

    public FakePoolServer(Kernel kernel, bool listening = true)
    {
        _kernel = kernel;
        IsListening = listening;
        _session = kernel.Create(this, s => s
            .On("_start", c => c.Kernel.Delay("hold", TimeSpan.FromDays(1)))
            .On("close", c => c.Kernel.Delay("hold"))
            .On("hold", _ => { }))!;
        if (!listening) kernel.Call(_session, "close");
    }

    public List<string> Calls { get; } = [];

    /// <summary>Connections still open in this (fake) process.</summary>
    public int Connections { get; set; }

    public bool IsAccepting { get; private set; } = true;

    public bool IsListening { get; private set; }

    public bool IsDraining { get; private set; }

    public bool Ended => _session.State == SessionState.Stopped;

    public void PauseAccepting()
    {
        Calls.Add("pause");
        IsAccepting = false;
    }

    public void ResumeAccepting()
    {
        Calls.Add("resume");
        IsAccepting = true;
    }

    public void StopAccepting()
    {
        Calls.Add("stop-accepting");
        IsAccepting = false;
        IsListening = false;
        MaybeEnd();
    }

    public void Drain()
    {
        Calls.Add("drain");
        IsDraining = true;
        MaybeEnd();
    }

    public void Abort()
    {
        Calls.Add("abort");
        Connections = 0;
        MaybeEnd();
    }

    public void DropInherited() => Calls.Add("drop-inherited");

    /// <summary>The made-up listening descriptor, passed on by an upgrade.</summary>
    public const int Descriptor = 17;

    public int ListeningDescriptor => IsListening ? Descriptor : -1;

    /// <summary>The SO_REUSEPORT sockets the pool had this server open (made-up descriptors 101, 102, ...), in order.</summary>
    public List<PoeSharp.Os.FileDescriptor> Opened { get; } = [];

    /// <summary>When set, opening a SO_REUSEPORT socket fails with this message.</summary>
    public string? OpenFailsWith { get; set; }

    public PoeSharp.Os.FileDescriptor? OpenReusePortSocket(out string error)
    {
        if (OpenFailsWith is { } why)
        {
            error = why;
            return null;
        }
        error = "";
        var fd = new PoeSharp.Os.FileDescriptor(101 + Opened.Count, ownsHandle: false);
        Opened.Add(fd);
        return fd;
    }

    public void AcceptOn(PoeSharp.Os.FileDescriptor socket) => Calls.Add($"accept-on {socket.Fd}");

    /// <summary>The last connection closes.</summary>
    public void CloseConnections()
    {
        Connections = 0;
        MaybeEnd();
    }

    private void MaybeEnd()
    {
        if (!IsListening && Connections == 0 && _session.State != SessionState.Stopped) _kernel.Post(_session, "close");
    }
}
