using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PoeSharp.Os;

/// <summary>
/// A socket address: IPv4 or IPv6 address and port, or a UNIX socket path. Converts to and
/// from the C <c>sockaddr_in</c>, <c>sockaddr_in6</c> and <c>sockaddr_un</c> layouts.
/// </summary>
public sealed class SocketEndPoint : IEquatable<SocketEndPoint>
{
    private SocketEndPoint(AddressFamily family, IPAddress? address, int port, string? path)
    {
        Family = family;
        Address = address;
        Port = port;
        Path = path;
    }

    /// <summary><see cref="AddressFamily.InterNetwork"/>, <see cref="AddressFamily.InterNetworkV6"/> or <see cref="AddressFamily.Unix"/>.</summary>
    public AddressFamily Family { get; }

    /// <summary>The IP address (null for UNIX sockets).</summary>
    public IPAddress? Address { get; }

    /// <summary>The port (0 for UNIX sockets).</summary>
    public int Port { get; }

    /// <summary>The UNIX socket path ("" for an unnamed socket; a leading NUL means the abstract namespace); null for IP.</summary>
    public string? Path { get; }

    /// <summary>An IPv4 or IPv6 end point.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The port is not 0..65535.</exception>
    public static SocketEndPoint Inet(IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(address);
        if ((uint)port > 65535)
            throw new ArgumentOutOfRangeException(nameof(port), port, "A port is 0..65535 (0 = any free port).");
        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            throw new ArgumentException($"Only IPv4 and IPv6 addresses are supported, not {address.AddressFamily}.", nameof(address));
        return new SocketEndPoint(address.AddressFamily, address, port, null);
    }

    /// <summary>A UNIX socket path (at most 107 bytes of UTF-8).</summary>
    /// <exception cref="ArgumentException">The path is too long for <c>sun_path</c>.</exception>
    public static SocketEndPoint Unix(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Encoding.UTF8.GetByteCount(path) >= SocketConstants.UnixPathMax)
            throw new ArgumentException($"A UNIX socket path must be shorter than {SocketConstants.UnixPathMax} bytes; use a shorter directory.", nameof(path));
        return new SocketEndPoint(AddressFamily.Unix, null, 0, path);
    }

    /// <summary>The Linux address family number (AF_INET, AF_INET6, AF_UNIX).</summary>
    internal int NativeFamily => ToNativeFamily(Family);

    internal static int ToNativeFamily(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => SocketConstants.AF_INET,
        AddressFamily.InterNetworkV6 => SocketConstants.AF_INET6,
        AddressFamily.Unix => SocketConstants.AF_UNIX,
        _ => throw new ArgumentException($"Unsupported address family {family}; use InterNetwork, InterNetworkV6 or Unix.", nameof(family)),
    };

    /// <summary>Writes the C sockaddr into <paramref name="buffer"/> (at least 128 bytes) and returns its length.</summary>
    internal int Write(Span<byte> buffer)
    {
        buffer[..SocketConstants.SockAddrStorageSize].Clear();
        switch (Family)
        {
            case AddressFamily.InterNetwork:
                BinaryPrimitives.WriteUInt16LittleEndian(buffer, (ushort)SocketConstants.AF_INET);
                BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], (ushort)Port);
                Address!.TryWriteBytes(buffer.Slice(4, 4), out _);
                return 16;
            case AddressFamily.InterNetworkV6:
                BinaryPrimitives.WriteUInt16LittleEndian(buffer, (ushort)SocketConstants.AF_INET6);
                BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], (ushort)Port);
                Address!.TryWriteBytes(buffer.Slice(8, 16), out _);
                BinaryPrimitives.WriteUInt32LittleEndian(buffer[24..], (uint)Address.ScopeId);
                return 28;
            default:
                BinaryPrimitives.WriteUInt16LittleEndian(buffer, (ushort)SocketConstants.AF_UNIX);
                int n = Encoding.UTF8.GetBytes(Path!, buffer.Slice(2, SocketConstants.UnixPathMax));
                // Abstract names (leading NUL) have no terminator; ordinary paths count theirs.
                return Path!.Length > 0 && Path[0] == '\0' ? 2 + n : 2 + n + 1;
        }
    }

    /// <summary>Reads a C sockaddr of <paramref name="length"/> bytes; null for an unknown family.</summary>
    internal static SocketEndPoint? Read(ReadOnlySpan<byte> buffer, int length)
    {
        if (length < 2) return length >= 0 ? new SocketEndPoint(AddressFamily.Unix, null, 0, "") : null;
        int family = BinaryPrimitives.ReadUInt16LittleEndian(buffer);
        switch (family)
        {
            case SocketConstants.AF_INET when length >= 16:
                return new SocketEndPoint(AddressFamily.InterNetwork, new IPAddress(buffer.Slice(4, 4)),
                                          BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]), null);
            case SocketConstants.AF_INET6 when length >= 28:
                return new SocketEndPoint(AddressFamily.InterNetworkV6,
                                          new IPAddress(buffer.Slice(8, 16), BinaryPrimitives.ReadUInt32LittleEndian(buffer[24..])),
                                          BinaryPrimitives.ReadUInt16BigEndian(buffer[2..]), null);
            case SocketConstants.AF_UNIX:
                var path = buffer[2..Math.Min(length, 2 + SocketConstants.UnixPathMax)];
                if (path.Length > 0 && path[0] != 0)
                {
                    int nul = path.IndexOf((byte)0);
                    if (nul >= 0) path = path[..nul];
                }
                return new SocketEndPoint(AddressFamily.Unix, null, 0, Encoding.UTF8.GetString(path));
            default:
                return null;
        }
    }

    /// <inheritdoc />
    public bool Equals(SocketEndPoint? other) =>
        other is not null && Family == other.Family && Port == other.Port && Path == other.Path && Equals(Address, other.Address);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as SocketEndPoint);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Family, Address, Port, Path);

    /// <inheritdoc />
    public override string ToString() => Family switch
    {
        AddressFamily.InterNetwork => $"{Address}:{Port}",
        AddressFamily.InterNetworkV6 => $"[{Address}]:{Port}",
        _ => Path is { Length: > 0 } p && p[0] == '\0' ? "@" + p[1..] : Path ?? "",
    };
}
