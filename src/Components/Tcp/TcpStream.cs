using PoeSharp.Filters;
using PoeSharp.Os;
using PoeSharp.Wheels;

namespace PoeSharp.Components;

/// <summary>The ReadWrite wheel of one TCP connection, server side or client side, on the TCP components' events.</summary>
internal static class TcpStream
{
    /// <summary>Opens <paramref name="socket"/> in the active session with its filters.</summary>
    public static ReadWriteWheel Open(Kernel kernel, FileDescriptor socket, IFilter input, IFilter output) =>
        new(kernel, new ReadWriteOptions
        {
            Handle = socket,
            InputFilter = input,
            OutputFilter = output,
            InputEvent = TcpEvents.Input,
            ErrorEvent = TcpEvents.Error,
            FlushedEvent = TcpEvents.Flushed,
        });
}
