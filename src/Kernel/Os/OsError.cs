using System.Runtime.InteropServices;

namespace PoeSharp.Os;

/// <summary>
/// An errno value as data (POE reports <c>($!+0, $!)</c>): EAGAIN and EINTR are handled inside
/// the OS layer and never reach callers as errors.
/// </summary>
/// <param name="Errno">The raw errno number (0 = no error).</param>
public readonly record struct OsError(int Errno)
{
    /// <summary>No error.</summary>
    public static OsError None => default;

    /// <summary>True when this represents an error.</summary>
    public bool IsError => Errno != 0;

    /// <summary>The C library's text for the errno (strerror), e.g. "Connection refused".</summary>
    public string Message => Errno == 0 ? "" : Marshal.GetPInvokeErrorMessage(Errno);

    /// <summary>The error of the last P/Invoke marked <c>SetLastError = true</c>; read it immediately after the call.</summary>
    public static OsError Last() => new(Marshal.GetLastPInvokeError());

    /// <inheritdoc />
    public override string ToString() => Errno == 0 ? "no error" : $"{Message} (errno {Errno})";
}
