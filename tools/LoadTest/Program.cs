using Clarity.LoadTest;

// Clarity's load tool: see docs/performance/README.md for what it measures and how to run it.
var options = LoadTestOptions.Parse(args, out var usage);
if (options is null)
{
    Console.Error.WriteLine(usage);
    return 2;
}
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
var report = await LoadTestRunner.RunAsync(options, Console.Out, cancel.Token);
return report.Failed ? 1 : 0;
