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

    /// <summary>
    /// First touches of stored users after a restart (self-model reads that activate from storage),
    /// one run per cold round.
    /// </summary>
    public Series? ColdActivations { get; set; }

    /// <summary>
    /// First touches of stored trivial grains after the same restart (activation with one small
    /// storage read), one run per cold round.
    /// </summary>
    public Series? FloorActivations { get; set; }

    /// <summary>Stored floor grains and users outside the working set first-read before the rounds, to compile the activation paths.</summary>
    public (int Floors, int Users) ColdWarmup { get; set; }

    /// <summary>The cold rounds in order, each with its own floor and Clarity slice.</summary>
    public List<ColdRound> ColdRounds { get; } = [];

    /// <summary>
    /// Clarity's cold reactivation over the floor's: the median of the per-round ratios. Each round's
    /// ratio compares two slices measured back to back on the same heap, so what drifts from round to
    /// round (activations piling up, the neighbours' load) falls on both sides of it.
    /// </summary>
    public double ActivationRatio => Series.Median(ColdRounds.Select(r => r.Ratio));

    public Series? Rerank { get; set; }

    public Series? PlainJson { get; set; }
}

/// <summary>One cold round: a fresh slice of floor grains and a same-sized fresh slice of users, first-read back to back.</summary>
/// <param name="Round">0-based round number.</param>
/// <param name="FloorFirst">Which side ran first in this round (the other ran on the heap the first one grew).</param>
/// <param name="Members">Slice size: floor grains and users each.</param>
/// <param name="Floor">First reads of the slice's stored trivial grains.</param>
/// <param name="Clarity">First reads of the slice's stored users.</param>
/// <param name="FloorCpu">CPU per floor activation in this round, when <c>/proc</c> can be read.</param>
/// <param name="ClarityCpu">CPU per Clarity activation in this round, when <c>/proc</c> can be read.</param>
internal sealed record ColdRound(int Round, bool FloorFirst, int Members, RunResult Floor, RunResult Clarity, CpuCost? FloorCpu, CpuCost? ClarityCpu)
{
    public double Ratio => Clarity.RequestsPerSecond / Math.Max(0.001, Floor.RequestsPerSecond);
}

/// <summary>
/// Many users with state in the store and a working set of active ones. On PostgreSQL the
/// population is written straight into the signal log through the production log store
/// (<see cref="PostgresSignalLogStore"/>, the same SQL and payload format the silos write), because
/// loading a million users through HTTP would measure ingest for an hour; each user's state is then
/// its log, and a first activation reads the (absent) snapshot and replays the log, the slowest
/// cold path. On the embedded store the population goes through the gateway in chunks.
/// <para>
/// Then the activation floor's grains are stored (a trivial grain whose small state goes through
/// the same storage provider), the gateway restarts cold, and the working set is reactivated in
/// rounds (<see cref="LoadTestOptions.Runs"/> of them): each round first-reads a fresh slice of floor
/// grains and a same-sized fresh slice of users, alternating which side goes first, after one
/// round's worth of stored floor grains and users outside the working set has been first-read to
/// compile the activation paths (the other warm-ups touch no stored state). Every member is
/// read exactly once, so every read is a first activation from storage; measured in one shot each
/// instead, whichever went second ran on the heap the first had grown and the comparison had no
/// spread (one full run gave 0.63x, a smaller one 1.18x). Then rerank over the (now active) working
/// set. Bounded by the load budget: when it runs out, the report states the smaller N.
/// </para>
/// </summary>
internal static class ScaleProbe
{
    public const int SignalsPerUser = 5;
    private const int UsersPerRequest = 100 / SignalsPerUser;
    private const int ChunkUsers = 250_000;
    private const int UsersPerStatement = 400;
    private const int SeedWriters = 4;

    public static async Task<ScaleResult> RunAsync(string store, string? connectionString, int? postmasterPid, Func<Task<GatewayProcess>> start, LoadTestOptions options, TextWriter log, CancellationToken cancellationToken)
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
        var rounds = Math.Min(options.Runs, result.WorkingSet);
        // The cold paths are warmed on one round's worth of stored members outside the working set,
        // so that round 1 does not pay for the JIT of the activation paths.
        var warmMembers = result.WorkingSet / rounds;

        // The activation floor's population: one stored state per member of the working set, and the warm-up's few.
        {
            await using var gateway = await start();
            using var client = LoadLoop.CreateClient(gateway.Url, 64, "dev-key");
            log.WriteLine($"  storing {result.WorkingSet} floor grains");
            result.FloorWrites = await LoadLoop.RunAsync(client, n => new HttpRequestMessage(HttpMethod.Post, $"/v1/floors/stored/f{n - 1}"),
                64, limit, result.WorkingSet, cancellationToken);
            await LoadLoop.RunAsync(client, n => new HttpRequestMessage(HttpMethod.Post, $"/v1/floors/stored/w{n - 1}"),
                64, limit / rounds, warmMembers, cancellationToken);
        }

        // The working set: users spread over the whole population, so reads hit the whole table.
        var stride = Math.Max(1, loaded / result.WorkingSet);
        string Member(long n) => Workloads.User((int)(n % result.WorkingSet * stride));
        // Stored users outside the working set: half a stride from the members, or past them when the population has no gaps.
        var spareUsers = stride >= 2 ? warmMembers : Math.Min(warmMembers, loaded - result.WorkingSet);
        string Spare(long n) => Workloads.User((int)(stride >= 2 ? (n * stride) + (stride / 2) : result.WorkingSet + n));
        {
            await using var gateway = await start();
            using var client = LoadLoop.CreateClient(gateway.Url, 64, "dev-key");
            // JIT and connection warm-up on paths that do not touch the stored users or floors.
            await LoadLoop.RunAsync(client, n => new HttpRequestMessage(HttpMethod.Get, $"/v1/floors/users/warm-{n % 1000}/read"), 64, TimeSpan.FromSeconds(3), 1_000_000, cancellationToken);
            await LoadLoop.RunAsync(client, n => new HttpRequestMessage(HttpMethod.Get, $"/v1/floors/stored/warm-{n % 1000}"), 64, TimeSpan.FromSeconds(3), 1_000_000, cancellationToken);
            await LoadLoop.RunAsync(client, n => new HttpRequestMessage(HttpMethod.Get, $"/v1/users/warm-{n % 1000}/self-model"), 64, TimeSpan.FromSeconds(3), 1_000_000, cancellationToken);
            // The one-shot time bound, shared out over the slices.
            var sliceLimit = limit / rounds;
            // First activations from storage of members no round reads, so the activation paths are compiled before round 1.
            await LoadLoop.RunAsync(client, n => new HttpRequestMessage(HttpMethod.Get, $"/v1/floors/stored/w{n - 1}"), 64, sliceLimit, warmMembers, cancellationToken);
            await LoadLoop.RunAsync(client, n => new HttpRequestMessage(HttpMethod.Get, $"/v1/users/{Spare(n - 1)}/self-model"), 64, sliceLimit, spareUsers, cancellationToken);
            result.ColdWarmup = (warmMembers, spareUsers);
            log.WriteLine($"  cold: reactivating a working set of {result.WorkingSet} in {rounds} rounds (after {warmMembers} floor grains and {spareUsers} users outside it)");
            var cpu = CpuMeter.Supported ? new CpuMeter(gateway.ProcessId, postmasterPid) : null;
            async Task<(RunResult Run, CpuCost? Cpu)> FirstReadsAsync(Func<long, HttpRequestMessage> request, int count)
            {
                var before = cpu?.Read();
                var run = await LoadLoop.RunAsync(client, request, 64, sliceLimit, count, cancellationToken);
                return (run, before is { } begin ? cpu!.PerItemSince(begin, run.Requests) : null);
            }

            result.FloorActivations = new Series(store, "floor: first activation of a stored trivial grain", 64, 1, "activations");
            result.ColdActivations = new Series(store, "cold reactivation of a stored user", 64, 1, "activations");
            for (var round = 0; round < rounds; round++)
            {
                var (first, count) = ColdSlice(result.WorkingSet, rounds, round);
                // n counts from 1; each member is in one slice and read once, so each read is a first activation from storage.
                Task<(RunResult Run, CpuCost? Cpu)> ReadFloorsAsync() => FirstReadsAsync(n => new HttpRequestMessage(HttpMethod.Get, $"/v1/floors/stored/f{first + n - 1}"), count);
                Task<(RunResult Run, CpuCost? Cpu)> ReadUsersAsync() => FirstReadsAsync(n => new HttpRequestMessage(HttpMethod.Get, $"/v1/users/{Member(first + n - 1)}/self-model"), count);
                var floorFirst = FloorFirst(round);
                (RunResult Run, CpuCost? Cpu) floor, clarity;
                if (floorFirst)
                {
                    floor = await ReadFloorsAsync();
                    clarity = await ReadUsersAsync();
                }
                else
                {
                    clarity = await ReadUsersAsync();
                    floor = await ReadFloorsAsync();
                }
                var cold = new ColdRound(round, floorFirst, count, floor.Run, clarity.Run, floor.Cpu, clarity.Cpu);
                result.ColdRounds.Add(cold);
                result.FloorActivations.Runs.Add(floor.Run);
                result.ColdActivations.Runs.Add(clarity.Run);
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"    round {round + 1}/{rounds} ({(floorFirst ? "floor" : "Clarity")} first, {count} each): floor {floor.Run.RequestsPerSecond:0}/s{Cpu(floor.Cpu)}, Clarity {clarity.Run.RequestsPerSecond:0}/s{Cpu(clarity.Cpu)}: {cold.Ratio:0.00}x"));
            }

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

    /// <summary>Round <paramref name="round"/>'s slice of the working set: the slices of all rounds cover it once, in sizes that differ by at most one.</summary>
    public static (int First, int Count) ColdSlice(int workingSet, int rounds, int round)
    {
        var first = (int)((long)workingSet * round / rounds);
        var end = (int)((long)workingSet * (round + 1) / rounds);
        return (first, end - first);
    }

    /// <summary>The floor goes first in even rounds, Clarity in odd ones, so neither always runs on the bigger heap.</summary>
    public static bool FloorFirst(int round) => round % 2 == 0;

    private static string Cpu(CpuCost? cost) => cost is not { } c ? "" : string.Create(CultureInfo.InvariantCulture,
        $" (CPU per activation: gateway {c.Gateway:0} us{(c.Postgres is { } pg ? $", PostgreSQL {pg:0} us" : "")})");

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
