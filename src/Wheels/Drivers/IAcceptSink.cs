using PoeSharp.Os;

namespace PoeSharp.Wheels.Drivers;

/// <summary>Where an <see cref="AcceptLoop"/> delivers its outcomes: the listening wheel, which turns them into events.</summary>
internal interface IAcceptSink
{
    /// <summary>One accepted connection; the sink owns <paramref name="socket"/> from here on.</summary>
    void Accepted(FileDescriptor socket, SocketEndPoint? peer);

    /// <summary>An accept error worth reporting (not EAGAIN, ECONNABORTED or EPROTO).</summary>
    void AcceptFailed(OsError error);
}
