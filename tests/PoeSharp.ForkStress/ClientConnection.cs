using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using PoeSharp.Loop;

namespace PoeSharp.ForkStress;

/// <summary>One request from the parent to whichever child accepts it (non-blocking, driven by the loop).</summary>
internal sealed class ClientConnection : IReadyHandler
{
    private static readonly byte[] Request = Encoding.ASCII.GetBytes("REQ\n");
    private readonly LoopHost _loop;
    private readonly Action<ClientConnection, bool> _done;
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[128];
    private int _received;

    public ClientConnection(LoopHost loop, EndPoint server, Action<ClientConnection, bool> done)
    {
        _loop = loop;
        _done = done;
        Started = Stopwatch.GetTimestamp();
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
        Fd = (int)_socket.Handle;
        try
        {
            _socket.Connect(server);
            SendRequest();
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            _loop.Watch(Fd, IoMode.Write, this);
        }
    }

    public int Fd { get; }

    public long Started { get; }

    public void OnReady(int fd, IoMode mode)
    {
        if (mode == IoMode.Write)
        {
            _loop.Unwatch(Fd, IoMode.Write);
            if ((int)_socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)! != 0)
            {
                Finish(false);
                return;
            }
            SendRequest();
            return;
        }
        int n;
        try
        {
            n = _socket.Receive(_buffer, _received, _buffer.Length - _received, SocketFlags.None);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
        {
            return;
        }
        catch (SocketException)
        {
            n = 0;
        }
        if (n == 0)
        {
            Finish(false);   // closed without an answer
            return;
        }
        _received += n;
        if (Array.IndexOf(_buffer, (byte)'\n', 0, _received) >= 0)
            Finish(_received > 3 && _buffer[0] == 'O' && _buffer[1] == 'K');
    }

    /// <summary>Abandons the request (at shutdown or after a timeout).</summary>
    public void Abort()
    {
        _loop.Unwatch(Fd, IoMode.Read);
        _loop.Unwatch(Fd, IoMode.Write);
        _socket.Dispose();
    }

    private void SendRequest()
    {
        _socket.Send(Request);
        _loop.Watch(Fd, IoMode.Read, this);
    }

    private void Finish(bool answered)
    {
        Abort();
        _done(this, answered);
    }
}
