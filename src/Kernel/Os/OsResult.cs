namespace PoeSharp.Os;

/// <summary>A value or an <see cref="OsError"/>: system calls report failure as data, not exceptions.</summary>
/// <typeparam name="T">The value of a successful call.</typeparam>
public readonly record struct OsResult<T>(T Value, OsError Error)
{
    /// <summary>True when the call succeeded.</summary>
    public bool Ok => !Error.IsError;

    /// <summary>A successful result.</summary>
    public static OsResult<T> Success(T value) => new(value, OsError.None);

    /// <summary>A failed result.</summary>
    public static OsResult<T> Fail(OsError error) => new(default!, error);
}
