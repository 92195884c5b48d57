using System.Text;
using PoeSharp.Os;

namespace PoeSharp.Wheels.Tests.Os;

/// <summary>
/// Both faces of the one posix_spawn implementation: the public argv/dup2 form and the Request
/// the Run wheel uses. Each child writes to a pipe mapped onto its descriptor 5 and is reaped here.
/// </summary>
public sealed class PosixSpawnTests
{
    private const string Script = "printf '%s %s' \"$0\" \"$GREETING\" >&5";

    [Test]
    public void TheArgvFormPassesArgvZeroEnvironmentAndDescriptorPairs()
    {
        string output = RunChild(write => PosixSpawn.Spawn("/bin/sh", ["probe-name", "-c", Script],
            ["GREETING=hi", "PATH=/usr/bin:/bin"], [(write, 5)]), out int status);
        Assert.That(output, Is.EqualTo("probe-name hi"));
        Assert.That(WaitStatus.Exited(status), Is.True, WaitStatus.Describe(status));
        Assert.That(WaitStatus.ExitCode(status), Is.Zero);
    }

    [Test]
    public void ARequestKeepsItsDescriptorPairsOpenWhileClosingTheRest()
    {
        string output = RunChild(write => PosixSpawn.Spawn(new PosixSpawn.Request
        {
            Program = "/bin/sh",
            Arguments = ["-c", Script],
            Environment = new Dictionary<string, string> { ["GREETING"] = "hello", ["PATH"] = "/usr/bin:/bin" },
            Dup2 = [(write, 5)],
            Stdin = PosixSpawn.DevNull,
        }), out int status);
        // Descriptors above 2 are closed from just past the highest pair target, so 5 survives.
        Assert.That(output, Is.EqualTo("/bin/sh hello"), "argv[0] is the program when none is given");
        Assert.That(WaitStatus.Exited(status), Is.True, WaitStatus.Describe(status));
        Assert.That(WaitStatus.ExitCode(status), Is.Zero);
    }

    [Test]
    public void AMissingProgramIsAnErrnoAndNoChild()
    {
        var result = PosixSpawn.Spawn("/nonexistent/poesharp-program", ["argv0-differs"]);
        Assert.That(result.Ok, Is.False);
        Assert.That(result.Error.Errno, Is.EqualTo(Errno.ENOENT));
    }

    /// <summary>Spawns with the write end of a pipe, closes it here, reads to end of file and reaps the child.</summary>
    private static string RunChild(Func<int, OsResult<int>> spawn, out int status)
    {
        var (read, write) = PosixSocket.Pipe(nonBlocking: false).Value;
        using var _ = read;
        int pid;
        using (write)
        {
            var spawned = spawn(write.Fd);
            Assert.That(spawned.Ok, Is.True, spawned.Error.ToString());
            pid = spawned.Value;
        }
        var bytes = new MemoryStream();
        var buffer = new byte[256];
        int n;
        while ((n = PosixSocket.Read(read.Fd, buffer).Value) > 0) bytes.Write(buffer, 0, n);
        status = PosixSpawn.WaitFor(pid);
        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
