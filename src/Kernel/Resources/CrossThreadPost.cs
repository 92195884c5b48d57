namespace PoeSharp.Resources;

/// <summary>An event posted from another thread, waiting in the kernel's inbox.</summary>
internal readonly record struct CrossThreadPost(SessionRef Dest, string Event, object?[] Args);
