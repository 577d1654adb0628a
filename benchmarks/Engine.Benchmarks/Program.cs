using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/Engine.Benchmarks -- --filter '*' [--job short]
BenchmarkSwitcher.FromAssembly(typeof(Clarity.Engine.Benchmarks.EngineBenchmarks).Assembly).Run(args);
