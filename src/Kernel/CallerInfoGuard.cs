using System.ComponentModel;

namespace PoeSharp;

/// <summary>
/// Never passed by callers. It separates an event's explicit arguments from the optional
/// <c>[CallerFilePath]</c>/<c>[CallerLineNumber]</c> parameters of <see cref="Kernel.Post(SessionRef, string, object?, CallerInfoGuard, string?, int)"/>
/// and its siblings, so that an event argument of type string or int can never bind to them:
/// <c>Post(dest, "ev", x, "text")</c> picks the two-argument overload, not the one-argument
/// overload with "text" as the file name.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct CallerInfoGuard
{
}
