using System.Diagnostics;
using System.Reflection;

namespace PoeSharp.Os.Tests;

/// <summary>Runs tests/PoeSharp.ForkStress as its own process and captures what it prints.</summary>
internal static class ForkStressProgram
{
    public static string DllPath => Path.GetFullPath(typeof(ForkStressProgram).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "ForkStressDll").Value!);

    public static (int ExitCode, string Stdout, string Stderr) Run(TimeSpan limit, params string[] args) =>
        Run(limit, new Dictionary<string, string>(), args);

    public static (int ExitCode, string Stdout, string Stderr) Run(TimeSpan limit, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet";
        var psi = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(DllPath);
        foreach (string a in args) psi.ArgumentList.Add(a);
        foreach (var (name, value) in environment) psi.Environment[name] = value;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(limit))
        {
            p.Kill();   // by pid; its children die with it (parent-death signal)
            p.WaitForExit();
            Assert.Fail($"fork stress program did not finish within {limit}: {stderr.Result}");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
