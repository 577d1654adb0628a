using System.Diagnostics;
using System.Globalization;
using Clarity.Grains.Interfaces;
using Clarity.Grains.State;
using Clarity.Silo.Storage;
using Npgsql;

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

    /// <summary>True when the population was written straight into the signal log (PostgreSQL), not through HTTP.</summary>
    public bool SeededThroughLog { get; init; }

    /// <summary>Writes that stored the activation floor's grains.</summary>
    public RunResult? FloorWrites { get; set; }

    /// <summary>First touches of stored users after a restart (self-model reads that activate from storage).</summary>
    public RunResult? ColdActivations { get; set; }

    /// <summary>First touches of stored trivial grains after the restart: activation with one small storage read.</summary>
    public RunResult? FloorActivations { get; set; }

    public Series? Rerank { get; set; }

    public Series? PlainJson { get; set; }
}

/// <summary>
/// Many users with state in the store and a working set of active ones. On PostgreSQL the
/// population is written straight into the signal log through the production log store
/// (<see cref="PostgresSignalLogStore"/>, the same SQL and payload format the silos write), because
/// loading a million users through HTTP would measure ingest for an hour; each user's state is then
/// its log, and a first activation reads the (absent) snapshot and replays the log, the slowest
/// cold path. On the embedded store the population goes through the gateway in chunks. Then: restart
/// cold, reactivate the working set, measure the activation floor (a trivial grain whose small
/// state is read through the same storage provider) in the same gateway, and rerank over the
/// working set. Bounded by the load budget: when it runs out, the report states the smaller N.
/// </summary>
internal static class ScaleProbe
{
    public const int SignalsPerUser = 5;
    private const int UsersPerRequest = 100 / SignalsPerUser;
    private const int ChunkUsers = 250_000;
    private const int UsersPerStatement = 400;
    private const int SeedWriters = 4;

    public static async Task<ScaleResult> RunAsync(string store, string? connectionString, Func<Task<GatewayProcess>> start, LoadTestOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        var result = new ScaleResult { Store = store, UsersRequested = options.ScaleUsers, SignalsPerUser = SignalsPerUser, SeededThroughLog = connectionString is not null };
        var workloads = new Workloads(options.ScaleUsers, DateTimeOffset.UtcNow);
        log.WriteLine($"Many users ({store}): loading up to {options.ScaleUsers} users within {options.ScaleLoadBudget.TotalMinutes:0.#} min");
        var load = Stopwatch.StartNew();
        var loaded = connectionString is null
            ? await SeedThroughGatewayAsync(start, workloads, options, load, log, cancellationToken)
            : await SeedLogAsync(connectionString, options, load, log, cancellationToken);
        result.UsersLoaded = loaded;
        result.LoadTime = load.Elapsed;
        result.WorkingSet = Math.Min(options.ScaleWorkingSet, loaded);
        if (result.WorkingSet == 0)
        {
            return result;
        }
        var limit = TimeSpan.FromMinutes(options.Quick ? 0.5 : 3);

        // The activation floor's population: one stored state per member of the working set.
        {
            await using var gateway = await start();
            using var client = LoadLoop.CreateClient(gateway.Url, 64, "dev-key");
            log.WriteLine($"  storing {result.WorkingSet} floor grains");
            result.FloorWrites = await LoadLoop.RunAsync(client, n => new HttpRequestMessage(HttpMethod.Post, $"/v1/floors/stored/f{n - 1}"),
                64, limit, result.WorkingSet, cancellationToken);
        }

        // The working set: users spread over the whole population, so reads hit the whole table.
        var stride = Math.Max(1, loaded / result.WorkingSet);
        string Member(long n) => Workloads.User((int)(n % result.WorkingSet * stride));
        {
            await using var gateway = await start();
            using var client = LoadLoop.CreateClient(gateway.Url, 64, "dev-key");
            // JIT and connection warm-up on paths that do not touch the stored users or floors.
            await LoadLoop.RunAsync(client, n => new HttpRequestMessage(HttpMethod.Get, $"/v1/floors/users/warm-{n % 1000}/read"), 64, TimeSpan.FromSeconds(3), 1_000_000, cancellationToken);
            await LoadLoop.RunAsync(client, n => new HttpRequestMessage(HttpMethod.Get, $"/v1/floors/stored/warm-{n % 1000}"), 64, TimeSpan.FromSeconds(3), 1_000_000, cancellationToken);
            await LoadLoop.RunAsync(client, n => new HttpRequestMessage(HttpMethod.Get, $"/v1/users/warm-{n % 1000}/self-model"), 64, TimeSpan.FromSeconds(3), 1_000_000, cancellationToken);
            log.WriteLine($"  cold: reactivating a working set of {result.WorkingSet}");
            // n counts from 1; each member is touched once, so each read is a first activation from storage.
            result.FloorActivations = await LoadLoop.RunAsync(client, n => new HttpRequestMessage(HttpMethod.Get, $"/v1/floors/stored/f{n - 1}"),
                64, limit, result.WorkingSet, cancellationToken);
            result.ColdActivations = await LoadLoop.RunAsync(client, n => new HttpRequestMessage(HttpMethod.Get, $"/v1/users/{Member(n - 1)}/self-model"),
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

    // Through the gateway in chunks; it restarts between chunks so the loaded users do not stay active.
    private static async Task<int> SeedThroughGatewayAsync(Func<Task<GatewayProcess>> start, Workloads workloads, LoadTestOptions options, Stopwatch load, TextWriter log, CancellationToken cancellationToken)
    {
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
        return loaded;
    }

    // Straight into the signal log with the production store: multi-row statements from a few writers.
    private static async Task<int> SeedLogAsync(string connectionString, LoadTestOptions options, Stopwatch load, TextWriter log, CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var logStore = new PostgresSignalLogStore(dataSource, SeedWriters);
        var occurredAt = DateTimeOffset.UtcNow.AddMinutes(-5);
        var next = -UsersPerStatement;
        var done = 0;
        var reported = 0;
        await Task.WhenAll(Enumerable.Range(0, SeedWriters).Select(_ => Task.Run(async () =>
        {
            int first;
            while ((first = Interlocked.Add(ref next, UsersPerStatement)) < options.ScaleUsers && load.Elapsed < options.ScaleLoadBudget && !cancellationToken.IsCancellationRequested)
            {
                var count = Math.Min(UsersPerStatement, options.ScaleUsers - first);
                var rows = new LogRow[count * SignalsPerUser];
                for (var u = 0; u < count; u++)
                {
                    var user = first + u;
                    for (var k = 0; k < SignalsPerUser; k++)
                    {
                        var leaf = Workloads.LeafOf(user, k);
                        var signal = new SignalData
                        {
                            Id = $"seed-{k}",
                            Type = "purchase",
                            OccurredAt = occurredAt.AddSeconds(k),
                            Item = new ItemData { Id = $"i-{leaf}-{k}", Category = Workloads.Category(leaf), Price = 25 },
                        };
                        rows[(u * SignalsPerUser) + k] = new LogRow("dev", Workloads.User(user), signal.Id, SignalLogPayload.Serialize(signal));
                    }
                }
                await logStore.AppendAsync(rows, cancellationToken);
                var total = Interlocked.Add(ref done, count);
                if (total - Volatile.Read(ref reported) >= 100_000 && Interlocked.Exchange(ref reported, total) < total)
                {
                    log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {total} users stored in the signal log ({total / load.Elapsed.TotalSeconds:0} users/s)"));
                }
            }
        }, cancellationToken)));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {done} users stored in the signal log ({done / load.Elapsed.TotalSeconds:0} users/s)"));
        return done;
    }
}
