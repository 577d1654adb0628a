using Clarity.Grains;
using Clarity.Grains.Interfaces;
using Clarity.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Clarity.LoadTest;

/// <summary>
/// Managed heap per active user, from a silo hosted in this process with the production hosting
/// code: just used (<see cref="BytesPerUser"/>), and the same users once idle activations have
/// folded their models into compact bytes (<see cref="CompactedBytesPerUser"/>, with the average
/// length of that byte array and what a read costs with and without the rebuild in front of it).
/// </summary>
internal sealed record MemoryResult(string Name, int TargetBeliefs, int Users, double BeliefsPerUser, double BytesPerUser)
{
    public double? CompactedBytesPerUser { get; init; }

    public double? CompactFormBytes { get; init; }

    /// <summary>Microseconds per read of a compacted user (rebuild included), 8 concurrent callers.</summary>
    public double? ReadCompactedMicroseconds { get; init; }

    /// <summary>Microseconds per read of the same users right after, live.</summary>
    public double? ReadLiveMicroseconds { get; init; }
}

/// <summary>
/// Activates N users with realistic self-models through the grain interface, forces a full
/// compacting GC and divides the growth of the managed heap by N. The floor is the trivial grain
/// holding 20 small records. Run twice, in two silos: with compaction off (the users as just used),
/// and with a compaction delay of a second, waiting (bounded) until every user was compacted.
/// </summary>
internal static class MemoryProbe
{
    // Short enough not to hold up the probe; the users are activated by one call each.
    private static readonly TimeSpan CompactAfter = TimeSpan.FromSeconds(1);

    public static async Task<IReadOnlyList<MemoryResult>> RunAsync(int users, TextWriter log, CancellationToken cancellationToken)
    {
        var hot = await MeasureAsync(users, compact: false, log, cancellationToken);
        var compacted = await MeasureAsync(users, compact: true, log, cancellationToken);
        return [.. hot.Select(h => compacted.FirstOrDefault(c => c.TargetBeliefs == h.TargetBeliefs && h.TargetBeliefs > 0) is { } c
            ? h with
            {
                CompactedBytesPerUser = c.CompactedBytesPerUser,
                CompactFormBytes = c.CompactFormBytes,
                ReadCompactedMicroseconds = c.ReadCompactedMicroseconds,
                ReadLiveMicroseconds = c.ReadLiveMicroseconds,
            }
            : h)];
    }

    private static async Task<IReadOnlyList<MemoryResult>> MeasureAsync(int users, bool compact, TextWriter log, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), "clarity-perf-mem-" + Guid.NewGuid().ToString("N")[..8]);
        var ports = GatewayProcess.FreePorts(2);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Clarity:DataDirectory"] = directory,
            ["Clarity:SiloPort"] = ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Clarity:GatewayPort"] = ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Activation here is a batch job on a shared machine, not a latency measurement.
            ["Clarity:CallTimeout"] = "00:02:00",
            ["Clarity:Grains:CompactAfter"] = compact ? CompactAfter.ToString() : "00:00:00",
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddClaritySilo();
        using var host = builder.Build();
        await host.StartAsync(cancellationToken);
        var compactions = new CompactionWatch(host.Services.GetRequiredService<SelfModelEvents>());
        try
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            var now = DateTimeOffset.UtcNow;
            // Warm every code path (JIT, pools, storage connections) before the first baseline.
            await ActivateSelfModelsAsync(grains, "warm", 50, 100, now, cancellationToken);
            await ActivateFloorsAsync(grains, "warm", 50, cancellationToken);

            var results = new List<MemoryResult>();
            // Activated in both silos, so that the silo's own tables (directory, caches) have grown
            // alike when the self-models are measured: their growth is part of each figure.
            var before = FullHeap();
            await ActivateFloorsAsync(grains, "floor", users, cancellationToken);
            if (!compact)
            {
                results.Add(new("trivial grain, 20 small records (floor)", 0, users, 0, (FullHeap() - before) / (double)users));
            }
            foreach (var beliefs in new[] { 20, 100 })
            {
                var signals = await SignalsForBeliefsAsync(grains, beliefs, now);
                var prefix = "b" + beliefs;
                if (compact)
                {
                    // Users activated before the baseline (warm-up, calibration) must not shrink after it.
                    await compactions.UntilAllCompactedAsync(cancellationToken);
                }
                before = FullHeap();
                await ActivateSelfModelsAsync(grains, prefix, users, signals, now, cancellationToken);
                if (!compact)
                {
                    var bytes = (FullHeap() - before) / (double)users;
                    var sample = await Task.WhenAll(Enumerable.Range(0, Math.Min(users, 20)).Select(u =>
                        grains.GetGrain<ISelfModelGrain>(SelfModelKey.For("perf", $"{prefix}-{u}")).GetSelfModelAsync(null)));
                    var held = sample.Average(v => v.Beliefs.Count);
                    results.Add(new($"self-model, {signals} purchases on distinct leaf categories", beliefs, users, held, bytes));
                    log.WriteLine($"  {users} users x {held:0} beliefs: {bytes / 1024:0.0} KB each just used");
                    continue;
                }
                await compactions.UntilAllCompactedAsync(cancellationToken);
                var formBytes = compactions.MeanBytes(SelfModelKey.For("perf", prefix + "-"));
                var compacted = (FullHeap() - before) / (double)users;
                // A read of each compacted user rebuilds it; a second read finds it live.
                var rebuilt = await TimeReadsAsync(grains, prefix, users, cancellationToken);
                var live = await TimeReadsAsync(grains, prefix, users, cancellationToken);
                results.Add(new("compacted", beliefs, users, 0, 0)
                {
                    CompactedBytesPerUser = compacted,
                    CompactFormBytes = formBytes,
                    ReadCompactedMicroseconds = rebuilt,
                    ReadLiveMicroseconds = live,
                });
                log.WriteLine($"  {users} users x ~{beliefs} beliefs: {compacted / 1024:0.0} KB each once compacted ({formBytes:0} B of compact form); read {rebuilt:0} us compacted, {live:0} us live");
            }
            return results;
        }
        finally
        {
            compactions.Dispose();
            await host.StopAsync(CancellationToken.None);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<double> TimeReadsAsync(IGrainFactory grains, string prefix, int users, CancellationToken cancellationToken)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await ForEachBoundedAsync(users, u => grains.GetGrain<ISelfModelGrain>(SelfModelKey.For("perf", $"{prefix}-{u}")).GetSelfModelAsync(null), cancellationToken);
        return watch.Elapsed.TotalMicroseconds / users;
    }

    /// <summary>
    /// Follows which self-models are live from the silo's events (activated or rebuilt, until
    /// compacted), so the probe waits for compaction instead of for time.
    /// </summary>
    private sealed class CompactionWatch : IDisposable
    {
        // Bounded: compaction is due a second after each user's last call; this allows a slow machine plenty.
        private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

        private readonly SelfModelEvents _events;
        private readonly Lock _lock = new();
        private readonly HashSet<string> _live = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _bytes = new(StringComparer.Ordinal);
        private TaskCompletionSource? _allCompacted;

        public CompactionWatch(SelfModelEvents events)
        {
            _events = events;
            _events.Activated += OnActivated;
            _events.Rebuilt += OnLive;
            _events.Compacted += OnCompacted;
        }

        private void OnActivated(string key, long snapshot, IReadOnlyList<long> replayed) => OnLive(key);

        private void OnLive(string key)
        {
            lock (_lock)
            {
                _live.Add(key);
            }
        }

        private void OnCompacted(string key, int bytes)
        {
            lock (_lock)
            {
                _live.Remove(key);
                _bytes[key] = bytes;
                if (_live.Count == 0)
                {
                    _allCompacted?.TrySetResult();
                    _allCompacted = null;
                }
            }
        }

        /// <summary>Completes once every self-model activated or rebuilt so far is compacted.</summary>
        public Task UntilAllCompactedAsync(CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                if (_live.Count == 0)
                {
                    return Task.CompletedTask;
                }
                _allCompacted ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return _allCompacted.Task.WaitAsync(Patience, cancellationToken);
            }
        }

        /// <summary>Mean length of the compact form of the grains whose key starts with the prefix.</summary>
        public double MeanBytes(string prefix)
        {
            lock (_lock)
            {
                return _bytes.Where(b => b.Key.StartsWith(prefix, StringComparison.Ordinal)).Average(b => b.Value);
            }
        }

        public void Dispose()
        {
            _events.Activated -= OnActivated;
            _events.Rebuilt -= OnLive;
            _events.Compacted -= OnCompacted;
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
