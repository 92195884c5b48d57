using System.Runtime.InteropServices;

namespace PoeSharp.Os;

/// <summary>
/// One buffer of a gathered write (struct iovec) for <see cref="PosixSocket.WriteV"/>. It holds a
/// raw address: the memory must stay pinned (a fixed block, or an array on the pinned object heap)
/// until the call returns.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct IoVector
{
    /// <summary>iov_base: the first byte.</summary>
    public byte* Base;

    /// <summary>iov_len: the number of bytes.</summary>
    public nuint Length;
}
