using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using PoeSharp.Loop;

namespace PoeSharp.ForkStress;

/// <summary>Accepts one connection and answers "OK pid fork-to-accept-µs", then stops listening.</summary>
internal sealed class OneShotServer : IReadyHandler
{
    private readonly LoopHost _loop;
    private readonly Socket _listener;
    private readonly long _forkStart;
    private readonly int _pid;
    private readonly long _childStart;

    public OneShotServer(LoopHost loop, Socket listener, long forkStart, long childStart, int pid)
    {
        _childStart = childStart;
        _loop = loop;
        _listener = listener;
        _forkStart = forkStart;
        _pid = pid;
    }

    public void OnReady(int fd, IoMode mode)
    {
        Socket s;
        try
        {
            s = _listener.Accept();
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
        {
            return;
        }
        long now = Stopwatch.GetTimestamp();
        long us = (now - _forkStart) * 1_000_000 / Stopwatch.Frequency;
        long childUs = (now - _childStart) * 1_000_000 / Stopwatch.Frequency;
        _loop.Unwatch(fd, IoMode.Read);
        using (s)
        {
            s.ReceiveTimeout = 5000;
            var buf = new byte[64];
            s.Receive(buf);
            s.Send(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"OK {_pid} {us} {childUs}\n")));
        }
    }
}
