using PoeSharp.ForkStress;
using PoeSharp.Os;

// Fork stress program: run as its own process (never inside a test host). See docs/FORK-SAFETY.md.
StressOptions options;
try
{
    options = StressOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
if (options.Bootstrap) ForkSafety.EnsureSignalMask(args);
var readiness = ForkSafety.Check();
if (!readiness.IsReady)
{
    Console.Error.WriteLine("forkstress: " + readiness);
    return 2;
}
return options.Mode switch
{
    "measure" => new MeasureParent(options).Run(),
    "signal-probe" => SignalProbe.Run(options),
    "kernel" => KernelMode.Run(options),
    "kernel-signals" => KernelSignalsMode.Run(options),
    "deferred-fork" => DeferredForkMode.Run(options),
    "accept-exhaustion" => AcceptExhaustionMode.Run(options),
    "public-api" => PublicApiServerMode.Run(options),
    "wheels-fork" => WheelsForkMode.Run(options),
    "fork-churn" => ForkChurnMode.Run(options),
    "churn-client" => ChurnClientMode.Run(options),
    _ => new StressParent(options).Run(),
};
