using System.Diagnostics;
using System.Globalization;

namespace Clarity.LoadTest;

/// <summary>What the many-users probe measured.</summary>
internal sealed class ScaleResult
{
    public required string Store { get; init; }

    public int UsersRequested { get; init; }

    public int UsersLoaded { get; set; }

    public int SignalsPerUser { get; init; }

    public TimeSpan LoadTime { get; set; }

    public int WorkingSet { get; set; }

    /// <summary>First touches of stored users after a restart (self-model reads that activate from storage).</summary>
    public RunResult? ColdActivations { get; set; }

    /// <summary>First touches of never-seen trivial grains (no storage): activation without a read.</summary>
    public RunResult? FloorActivations { get; set; }

    public Series? Rerank { get; set; }

    public Series? PlainJson { get; set; }
}

/// <summary>
/// Many users with state in the store and a working set of active ones: load the population in
/// chunks (the gateway restarts between chunks so loaded users do not stay active), restart cold,
/// reactivate the working set, then rerank over it. Bounded by the load budget: when it runs out,
/// the report states the smaller N that was measured.
/// </summary>
internal static class ScaleProbe
{
    public const int SignalsPerUser = 5;
    private const int UsersPerRequest = 100 / SignalsPerUser;
    private const int ChunkUsers = 250_000;

    public static async Task<ScaleResult> RunAsync(string store, Func<Task<GatewayProcess>> start, LoadTestOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        var result = new ScaleResult { Store = store, UsersRequested = options.ScaleUsers, SignalsPerUser = SignalsPerUser };
        var workloads = new Workloads(options.ScaleUsers, DateTimeOffset.UtcNow);
        log.WriteLine($"Many users ({store}): loading up to {options.ScaleUsers} users within {options.ScaleLoadBudget.TotalMinutes:0.#} min");
        var load = Stopwatch.StartNew();
        var loaded = 0;
        while (loaded < options.ScaleUsers && load.Elapsed < options.ScaleLoadBudget)
        {
            await using var gateway = await start();
            using var client = LoadLoop.CreateClient(gateway.Url, 32, "dev-key");
            var chunkEnd = Math.Min(options.ScaleUsers, loaded + ChunkUsers);
            var next = loaded - UsersPerRequest;
            var done = 0L;
            await Task.WhenAll(Enumerable.Range(0, 32).Select(async _ =>
            {
                int first;
                while ((first = Interlocked.Add(ref next, UsersPerRequest)) < chunkEnd && load.Elapsed < options.ScaleLoadBudget && !cancellationToken.IsCancellationRequested)
                {
                    var count = Math.Min(UsersPerRequest, chunkEnd - first);
                    var body = workloads.SeedBody(first, count, SignalsPerUser);
                    await LoadLoop.SendWithRetryAsync(client, () => Workloads.Post("/v1/signals", body), cancellationToken);
                    Interlocked.Add(ref done, count);
                }
            }));
            loaded += (int)done;
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {loaded} users stored ({loaded / load.Elapsed.TotalSeconds:0} users/s)"));
        }
        result.UsersLoaded = loaded;
        result.LoadTime = load.Elapsed;
        result.WorkingSet = Math.Min(options.ScaleWorkingSet, loaded);
        if (result.WorkingSet == 0)
        {
            return result;
        }

        // The working set: users spread over the whole population, so reads hit the whole table.
        var stride = Math.Max(1, loaded / result.WorkingSet);
        string Member(long n) => Workloads.User((int)(n % result.WorkingSet * stride));
        {
            await using var gateway = await start();
            using var client = LoadLoop.CreateClient(gateway.Url, 64, "dev-key");
            var limit = TimeSpan.FromMinutes(options.Quick ? 0.5 : 3);
            // JIT and connection warm-up on paths that do not touch the stored users.
            await LoadLoop.RunAsync(client, n => new HttpRequestMessage(HttpMethod.Get, $"/v1/floors/users/warm-{n % 1000}/read"), 64, TimeSpan.FromSeconds(3), 1_000_000, cancellationToken);
            await LoadLoop.RunAsync(client, n => new HttpRequestMessage(HttpMethod.Get, $"/v1/users/warm-{n % 1000}/self-model"), 64, TimeSpan.FromSeconds(3), 1_000_000, cancellationToken);
            log.WriteLine($"  cold: reactivating a working set of {result.WorkingSet}");
            // n counts from 1; each member is touched once, so each read is a first activation from storage.
            result.ColdActivations = await LoadLoop.RunAsync(client, n => new HttpRequestMessage(HttpMethod.Get, $"/v1/users/{Member(n - 1)}/self-model"),
                64, limit, result.WorkingSet, cancellationToken);
            result.FloorActivations = await LoadLoop.RunAsync(client, n => new HttpRequestMessage(HttpMethod.Get, $"/v1/floors/users/cold-{n}/read"),
                64, limit, result.WorkingSet, cancellationToken);

            var rerankBody = Workloads.RerankBody(100);
            result.Rerank = new Series(store, "rerank 100 candidates over the working set", 64, 100, "candidates");
            result.PlainJson = new Series(store, LoadTestRunner.PlainJson, 64, 1, "requests");
            for (var run = 0; run < options.Runs; run++)
            {
                result.Rerank.Runs.Add(await LoadLoop.RunAsync(client, n => Workloads.Post($"/v1/users/{Member(n)}/rerank", rerankBody),
                    64, options.RunTime, options.MaxRequestsPerRun, cancellationToken));
                result.PlainJson.Runs.Add(await LoadLoop.RunAsync(client, _ => new HttpRequestMessage(HttpMethod.Get, "/floors/json"),
                    64, options.RunTime, options.MaxRequestsPerRun, cancellationToken));
            }
        }
        return result;
    }
}
