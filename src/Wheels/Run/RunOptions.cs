using PoeSharp.Filters;

namespace PoeSharp.Wheels;

/// <summary>
/// Parameters of a <see cref="RunWheel"/> (POE::Wheel::Run's constructor). Only
/// <see cref="Program"/> is required. The conduit is always a set of pipes: POE's <c>pty</c>,
/// <c>pty-pipe</c> and <c>socketpair</c> conduits, coderef programs, User/Group/Priority and
/// Redirect* are not supported.
/// </summary>
public sealed record RunOptions
{
    /// <summary>
    /// The program: a path, or a name looked up in this process's PATH (<c>posix_spawnp</c>); it is
    /// also the child's argv[0]. It is never given to a shell: for a shell command use
    /// <c>Program = "/bin/sh", Arguments = ["-c", command]</c>.
    /// </summary>
    public required string Program { get; init; }

    /// <summary>The program's arguments (POE's ProgramArgs), argv[1..].</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>
    /// The child's complete environment; null (the default) = this process's environment as .NET
    /// sees it (so <see cref="System.Environment.SetEnvironmentVariable(string, string)"/> changes are
    /// included). To add a variable, copy the current environment and add to it. PATH lookup of
    /// <see cref="Program"/> always uses this process's PATH.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>The directory the child starts in; null = this process's current directory. A relative <see cref="Program"/> path is resolved from it.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>The filter for stdin and stdout unless <see cref="StdinFilter"/>/<see cref="StdoutFilter"/> is given (POE's StdioFilter). Default: a <see cref="LineFilter"/> with Literal "\n".</summary>
    public IFilter? StdioFilter { get; init; }

    /// <summary>The filter that encodes records put to the child's stdin. Default: <see cref="StdioFilter"/>.</summary>
    public IFilter? StdinFilter { get; init; }

    /// <summary>The filter that decodes the child's stdout. Default: <see cref="StdioFilter"/>.</summary>
    public IFilter? StdoutFilter { get; init; }

    /// <summary>The filter that decodes the child's stderr. Default: its own <see cref="LineFilter"/> with Literal "\n".</summary>
    public IFilter? StderrFilter { get; init; }

    /// <summary>
    /// Receives (record, wheelId) per stdout record. Null: no stdout pipe is made and the child
    /// writes to this process's stdout, as in POE.
    /// </summary>
    public string? StdoutEvent { get; init; }

    /// <summary>Receives (record, wheelId) per stderr record. Null: the child writes to this process's stderr, as in POE.</summary>
    public string? StderrEvent { get; init; }

    /// <summary>Receives (wheelId) each time everything put to stdin has been written to the pipe (POE's StdinEvent).</summary>
    public string? StdinEvent { get; init; }

    /// <summary>Receives (wheelId) once every output pipe the wheel reads (stdout, stderr) has reached end of file or failed.</summary>
    public string? CloseEvent { get; init; }

    /// <summary>
    /// Receives (operation, errno, message, wheelId, handle): "read" on "STDOUT"/"STDERR" (errno 0
    /// and message "" = end of file, once per pipe), "write" on "STDIN", "decode" (the filter
    /// rejected the bytes, errno EBADMSG), "spawn" with handle "" when the program could not be
    /// started (yielded, so it arrives after the constructor returns), or "fork" with errno 0 and
    /// handle "" in a forked child that let go of the parent's program (see <see cref="KeepAfterFork"/>).
    /// </summary>
    public string? ErrorEvent { get; init; }

    /// <summary>
    /// No stdin pipe: the child's stdin is /dev/null and <see cref="RunWheel.Put(object)"/> throws.
    /// (POE lets the child share the parent's stdin; a server's children should not read its terminal.)
    /// </summary>
    public bool NoStdin { get; init; }

    /// <summary>Make the child the leader of a new process group (default true, as POE's setpgrp; POE's NoSetPgrp = false here).</summary>
    public bool NewProcessGroup { get; init; } = true;

    /// <summary>
    /// Send <see cref="KillSignalOnDispose"/> to the child when the wheel is disposed while the child
    /// may still run (default false: as in POE, disposing only closes the pipes, and the child
    /// sees end of file on stdin and EPIPE/SIGPIPE on its output).
    /// </summary>
    public bool KillOnDispose { get; init; }

    /// <summary>The signal <see cref="KillOnDispose"/> sends; default "TERM".</summary>
    public string KillSignalOnDispose { get; init; } = "TERM";

    /// <summary>
    /// False (the default): in a forked child the wheel lets go of the program, which stays the
    /// parent's (its pipes and pidfd closed without any I/O, nothing signalled, ErrorEvent("fork",
    /// 0, message, wheelId, "")). True: the child keeps reading and writing the pipes and may
    /// signal the program, as in POE.
    /// </summary>
    public bool KeepAfterFork { get; init; }

    /// <summary>Bytes asked for per read of stdout/stderr (POE::Driver::SysRW BlockSize, default 65536).</summary>
    public int ReadBlockSize { get; init; } = ReadWriteOptions.DefaultReadBlockSize;

    /// <summary>The most unconsumed output the wheel holds for a filter that needs more bytes; beyond it the pipe is reported as "read" ENOBUFS and closed.</summary>
    public int MaxInputBuffer { get; init; } = ReadWriteOptions.DefaultMaxInputBuffer;
}
