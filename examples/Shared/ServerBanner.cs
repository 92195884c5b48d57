using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace PoeSharp.Examples;

/// <summary>The start-up line an operator reads first: what runs, where to point a browser, what it bound and how many workers.</summary>
internal static class ServerBanner
{
    /// <summary>
    /// "PreforkHttpd 0.3.0 (pid 41230): http://127.0.0.1:8888/ (bound to 0.0.0.0:8888), 10 worker processes".
    /// </summary>
    public static string Text(string program, IPAddress address, int port, int pid, string workers)
    {
        string version = typeof(ServerBanner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                         ?? "unknown";
        int plus = version.IndexOf('+', StringComparison.Ordinal);   // drop the commit SourceLink appends
        if (plus >= 0) version = version[..plus];
        return $"{program} {version} (pid {pid}): http://{UrlHost(address)}:{port}/ (bound to {Bound(address, port)}), {workers}";
    }

    /// <summary>A host a client on this machine can use: the loopback address for a wildcard bind.</summary>
    private static string UrlHost(IPAddress address)
    {
        if (address.Equals(IPAddress.Any)) return "127.0.0.1";
        if (address.Equals(IPAddress.IPv6Any)) return "[::1]";
        return address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
    }

    private static string Bound(IPAddress address, int port) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";
}
