using Clarity.Grains.Interfaces;
using Clarity.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Clarity.LoadTest;

/// <summary>Managed heap per active user, from a silo hosted in this process with the production hosting code.</summary>
internal sealed record MemoryResult(string Name, int TargetBeliefs, int Users, double BeliefsPerUser, double BytesPerUser);

/// <summary>
/// Activates N users with realistic self-models through the grain interface, forces a full
/// compacting GC and divides the growth of the managed heap by N. The floor is the trivial grain
/// holding 20 small records.
/// </summary>
internal static class MemoryProbe
{
    public static async Task<IReadOnlyList<MemoryResult>> RunAsync(int users, TextWriter log, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), "clarity-perf-mem-" + Guid.NewGuid().ToString("N")[..8]);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Clarity:DataDirectory"] = directory,
            ["Clarity:SiloPort"] = GatewayProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Clarity:GatewayPort"] = GatewayProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Activation here is a batch job on a shared machine, not a latency measurement.
            ["Clarity:CallTimeout"] = "00:02:00",
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddClaritySilo();
        using var host = builder.Build();
        await host.StartAsync(cancellationToken);
        try
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var now = DateTimeOffset.UtcNow;
            // Warm every code path (JIT, pools, storage connections) before the first baseline.
            await ActivateSelfModelsAsync(grains, "warm", 50, 100, now, cancellationToken);
            await ActivateFloorsAsync(grains, "warm", 50, cancellationToken);

            var results = new List<MemoryResult>();
            var before = FullHeap();
            await ActivateFloorsAsync(grains, "floor", users, cancellationToken);
            results.Add(new("trivial grain, 20 small records (floor)", 0, users, 0, (FullHeap() - before) / (double)users));
            foreach (var beliefs in new[] { 20, 100 })
            {
                var signals = await SignalsForBeliefsAsync(grains, beliefs, now);
                before = FullHeap();
                await ActivateSelfModelsAsync(grains, "b" + beliefs, users, signals, now, cancellationToken);
                var bytes = (FullHeap() - before) / (double)users;
                var sample = await Task.WhenAll(Enumerable.Range(0, Math.Min(users, 20)).Select(u =>
                    grains.GetGrain<ISelfModelGrain>(SelfModelKey.For("perf", $"b{beliefs}-{u}")).GetSelfModelAsync(null)));
                var held = sample.Average(v => v.Beliefs.Count);
                results.Add(new($"self-model, {signals} purchases on distinct leaf categories", beliefs, users, held, bytes));
                log.WriteLine($"  {users} users x {held:0} beliefs: {bytes / 1024:0.0} KB each");
            }
            return results;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    // Categories are three levels deep and a purchase supports its leaf and its ancestors, so the
    // number of signals that gives a self-model N beliefs is found by feeding one user until it has them.
    private static async Task<int> SignalsForBeliefsAsync(IGrainFactory grains, int beliefs, DateTimeOffset now)
    {
        var grain = grains.GetGrain<ISelfModelGrain>(SelfModelKey.For("perf", $"calibrate-{beliefs}"));
        for (var k = 0; k < Workloads.Leaves; k++)
        {
            var leaf = Workloads.LeafOf(0, k);
            await grain.IngestAsync([new SignalData
            {
                Id = $"c-{k}",
                Type = "purchase",
                OccurredAt = now.AddMinutes(-k),
                Item = new ItemData { Id = $"i-{leaf}", Category = Workloads.Category(leaf), Price = 25 },
            }]);
            if ((await grain.GetSelfModelAsync(null)).Beliefs.Count >= beliefs)
            {
                return k + 1;
            }
        }
        return Workloads.Leaves;
    }

    private static long FullHeap()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static async Task ActivateSelfModelsAsync(IGrainFactory grains, string prefix, int users, int signals, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await ForEachBoundedAsync(users, async u =>
        {
            var batch = new SignalData[signals];
            for (var k = 0; k < signals; k++)
            {
                var leaf = Workloads.LeafOf(u, k);
                batch[k] = new SignalData
                {
                    Id = $"m-{u}-{k}",
                    Type = "purchase",
                    OccurredAt = now.AddMinutes(-k),
                    Item = new ItemData { Id = $"i-{leaf}", Category = Workloads.Category(leaf), Price = 25 },
                };
            }
            await grains.GetGrain<ISelfModelGrain>(SelfModelKey.For("perf", $"{prefix}-{u}")).IngestAsync(batch);
        }, cancellationToken);
    }

    private static Task ActivateFloorsAsync(IGrainFactory grains, string prefix, int users, CancellationToken cancellationToken) =>
        ForEachBoundedAsync(users, async u =>
        {
            var batch = Enumerable.Range(0, 20).Select(k => new SignalData
            {
                Id = $"f-{k}",
                Type = "view",
                OccurredAt = DateTimeOffset.UnixEpoch,
                Item = new ItemData { Id = $"i-{k}", Category = Workloads.Category(Workloads.LeafOf(u, k)) },
            }).ToArray();
            await grains.GetGrain<IFloorGrain>(SelfModelKey.For("perf", $"{prefix}-{u}")).IngestAsync(batch);
        }, cancellationToken);

    private static async Task ForEachBoundedAsync(int count, Func<int, Task> action, CancellationToken cancellationToken)
    {
        var next = -1;
        var workers = Enumerable.Range(0, 8).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count && !cancellationToken.IsCancellationRequested)
            {
                await action(i);
            }
        });
        await Task.WhenAll(workers);
    }
}
