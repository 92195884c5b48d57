using System.Globalization;

namespace PoeSharp.Wheels.Tests;

/// <summary>
/// What the fork stress program's accept-exhaustion mode saw: a listening wheel with a pending
/// connection while the process was out of descriptors. Lowering RLIMIT_NOFILE affects every
/// thread of a process (and a descriptor a finalizer closes meanwhile would be free again), so
/// it never happens in the test host.
/// </summary>
internal sealed record AcceptExhaustion(
    IReadOnlyList<(string Op, int Errno)> Errors, int ErrorsWhileExhausted, bool BackingOffAfterError, int Accepted)
{
    /// <summary>Runs <paramref name="scenario"/> in its own process; fails the test if it did not finish.</summary>
    public static AcceptExhaustion Run(string scenario)
    {
        // The limit only bounds a hang: a cold start with JIT on a busy machine takes seconds.
        var (code, stdout, stderr) = global::PoeSharp.Os.Tests.ForkStressProgram.Run(TimeSpan.FromSeconds(120),
            "accept-exhaustion", "--scenario", scenario);
        Assert.That(code, Is.Zero, () => $"accept-exhaustion {scenario} failed:\n{stdout}\n{stderr}");
        var errors = new List<(string, int)>();
        int whileExhausted = -1, accepted = -1;
        bool backingOff = false;
        foreach (string line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] f = line.Split(' ');
            switch (f[0])
            {
                case "error": errors.Add((f[1], int.Parse(f[2], CultureInfo.InvariantCulture))); break;
                case "errors-while-exhausted": whileExhausted = int.Parse(f[1], CultureInfo.InvariantCulture); break;
                case "backing-off-after-error": backingOff = bool.Parse(f[1]); break;
                case "accepted": accepted = int.Parse(f[1], CultureInfo.InvariantCulture); break;
            }
        }
        return new AcceptExhaustion(errors, whileExhausted, backingOff, accepted);
    }
}
