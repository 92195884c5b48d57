using BenchmarkDotNet.Running;
using PoeSharp.Benchmarks.Quick;

// --quick [filter]: one line per figure, "NAME: VALUE UNIT". Anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "--quick")
    return QuickRunner.Run(args.Length > 1 ? args[1] : null);

BenchmarkSwitcher.FromAssembly(typeof(QuickRunner).Assembly).Run(args);
return 0;
