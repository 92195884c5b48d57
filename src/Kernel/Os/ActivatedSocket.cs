namespace PoeSharp.Os;

/// <summary>One socket a service manager passed to this process (systemd's socket activation).</summary>
/// <param name="Handle">The descriptor (3 and up); owned by whoever takes it.</param>
/// <param name="Name">Its name from LISTEN_FDNAMES (systemd's FileDescriptorName=), or "unknown".</param>
/// <param name="LocalEndPoint">The address it is bound to, when the socket has one.</param>
/// <param name="IsListening">True for a listening stream socket (Accept=no), the kind a server accepts on.</param>
public sealed record ActivatedSocket(FileDescriptor Handle, string Name, SocketEndPoint? LocalEndPoint, bool IsListening);
