namespace PoeSharp;

/// <summary>
/// The error results POE reports in <c>$!</c>, returned as values. <see cref="None"/> is success.
/// </summary>
public enum KernelError
{
    /// <summary>Success.</summary>
    None = 0,

    /// <summary>No such session, alias, timer or child process (POE's ESRCH).</summary>
    NoSuchSession,

    /// <summary>The resource belongs to another session, or the operation is not allowed now (EPERM).</summary>
    NotPermitted,

    /// <summary>The name is already taken by another session (EEXIST).</summary>
    AlreadyExists,

    /// <summary>A missing or malformed argument (EINVAL).</summary>
    InvalidArgument,

    /// <summary>The event had neither a handler nor a <c>_default</c> handler (ENOSYS).</summary>
    NoHandler,
}
