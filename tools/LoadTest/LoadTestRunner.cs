using System.Diagnostics;
using System.Globalization;

namespace Clarity.LoadTest;

/// <summary>One workload against the gateway, and the floor it is compared with.</summary>
internal sealed record Workload(string Name, string? Floor, int Items, string Unit, Func<Workloads, long, HttpRequestMessage> Request);

/// <summary>Runs every phase (embedded store, PostgreSQL, memory, many users) and writes the report.</summary>
internal static class LoadTestRunner
{
    public const string PlainJson = "floor: plain JSON (GET, no grain)";
    private static readonly string[] SeedPaths = ["/v1/signals", "/v1/floors/signals"];
    public const string RawPostgres = "floor: raw PostgreSQL INSERT, 10 rows/statement, 8 clients";

    public static async Task<Report> RunAsync(LoadTestOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        var report = new Report(options);
        log.WriteLine($"Clarity load test: {report.Machine}");
        try
        {
            if (options.Url is not null)
            {
                await MeasureGatewayAsync(report, "attached gateway", options.Url, null, options, log, cancellationToken);
            }
            else if (!options.SkipHttp)
            {
                await RunStartedGatewaysAsync(report, options, log, cancellationToken);
            }
            if (!options.SkipMemory)
            {
                log.WriteLine("Memory per active user (in-process silo)");
                report.Memory.AddRange(await MemoryProbe.RunAsync(options.MemoryUsers, log, cancellationToken));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            report.Failed = true;
            report.Notes.Add("The run failed: " + e.Message);
            log.WriteLine(e);
        }
        report.Finish();
        Directory.CreateDirectory(options.Output);
        var markdown = Path.Combine(options.Output, "report.md");
        await File.WriteAllTextAsync(markdown, report.ToMarkdown(), cancellationToken);
        log.WriteLine($"Report: {markdown}");
        return report;
    }

    private static async Task RunStartedGatewaysAsync(Report report, LoadTestOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        var dll = GatewayProcess.FindGatewayDll(options.GatewayDll);
        var scaleDone = false;
        if (!options.SkipEmbedded)
        {
            using var temp = new TempDirectory("embedded");
            log.WriteLine("Phase: embedded store (SQLite)");
            await using var gateway = await GatewayProcess.StartAsync(dll, temp.Path, null, options.GatewaySettings, log, cancellationToken);
            await MeasureGatewayAsync(report, "embedded store (SQLite)", gateway.Url, null, options, log, cancellationToken, Meter(gateway, null));
        }
        if (!options.SkipPostgres)
        {
            log.WriteLine("Phase: PostgreSQL");
            await using var server = options.Postgres is null ? await PostgresServer.StartAsync(log, cancellationToken) : null;
            var connectionString = options.Postgres ?? server!.ConnectionString;
            await PostgresFloor.PrepareAsync(connectionString, cancellationToken);
            using var temp = new TempDirectory("pg");
            var usesPostgres = false;
            await using (var gateway = await GatewayProcess.StartAsync(dll, temp.Path, connectionString, options.GatewaySettings, log, cancellationToken))
            {
                usesPostgres = await PostgresFloor.CountClarityTablesAsync(connectionString, cancellationToken) > 0;
                if (!usesPostgres)
                {
                    report.Notes.Add("This build of the gateway ignored ConnectionStrings:Clarity (it created no tables in PostgreSQL): " +
                        "the 'PostgreSQL' phase's Clarity figures are on the embedded store; its raw PostgreSQL floor is real.");
                }
                await MeasureGatewayAsync(report, usesPostgres ? "PostgreSQL" : "PostgreSQL requested (gateway on embedded store)",
                    gateway.Url, connectionString, options, log, cancellationToken, Meter(gateway, server));
            }
            if (usesPostgres && !options.SkipScale)
            {
                report.Scale = await ScaleProbe.RunAsync("PostgreSQL", connectionString, server?.PostmasterPid,
                    () => GatewayProcess.StartAsync(dll, temp.Path, connectionString, options.GatewaySettings, log, cancellationToken),
                    options, log, cancellationToken);
                scaleDone = true;
            }
        }
        if (!scaleDone && !options.SkipScale)
        {
            using var temp = new TempDirectory("scale");
            report.Notes.Add("The many-users probe ran on the embedded store because this build has no PostgreSQL storage.");
            report.Scale = await ScaleProbe.RunAsync("embedded store (SQLite)", null, null,
                () => GatewayProcess.StartAsync(dll, temp.Path, null, options.GatewaySettings, log, cancellationToken),
                options, log, cancellationToken);
        }
    }

    public static IReadOnlyList<Workload> Workloads(bool postgresFloor)
    {
        var list = new List<Workload>
        {
            new(PlainJson, null, 1, "requests", (_, _) => new HttpRequestMessage(HttpMethod.Get, "/floors/json")),
            new("floor: trivial grain read (20 records)", PlainJson, 1, "requests", (w, n) => w.Read("/v1/floors/users/{0}/read", n)),
            new("floor: trivial grain ingest, 1 signal", PlainJson, 1, "signals", (w, n) => w.Ingest("/v1/floors/signals", n, 1)),
            new("floor: trivial grain ingest, 100 signals for 100 users", PlainJson, 100, "signals", (w, n) => w.Ingest("/v1/floors/signals", n, 100)),
        };
        foreach (var n in new[] { 10, 100, 500 })
        {
            list.Add(new($"floor: trivial grain rerank {n}", PlainJson, n, "candidates", (w, i) => w.Rerank("/v1/floors/users/{0}/rerank", i, n)));
        }
        list.Add(new("ingest, 1 signal per request", "floor: trivial grain ingest, 1 signal", 1, "signals", (w, n) => w.Ingest("/v1/signals", n, 1)));
        list.Add(new("ingest, 100 signals for 100 users", postgresFloor ? RawPostgres : "floor: trivial grain ingest, 100 signals for 100 users", 100, "signals",
            (w, n) => w.Ingest("/v1/signals", n, 100)));
        list.Add(new("read self-model", "floor: trivial grain read (20 records)", 1, "requests", (w, n) => w.Read("/v1/users/{0}/self-model", n)));
        foreach (var n in new[] { 10, 100, 500 })
        {
            list.Add(new($"rerank {n} candidates", $"floor: trivial grain rerank {n}", n, "candidates", (w, i) => w.Rerank("/v1/users/{0}/rerank", i, n)));
        }
        return list;
    }

    private static CpuMeter? Meter(GatewayProcess gateway, PostgresServer? server) =>
        CpuMeter.Supported ? new CpuMeter(gateway.ProcessId, server?.PostmasterPid) : null;

    private static async Task MeasureGatewayAsync(Report report, string phase, Uri url, string? postgres, LoadTestOptions options, TextWriter log, CancellationToken cancellationToken, CpuMeter? cpu = null)
    {
        var workloads = new Workloads(options.Users, DateTimeOffset.UtcNow);
        var clients = options.Concurrency.ToDictionary(c => c, c => LoadLoop.CreateClient(url, c, "dev-key"));
        try
        {
            var seeder = clients[options.Concurrency.Max()];
            report.BeliefsPerSeededUser = await SeedAsync(seeder, workloads, options, log, cancellationToken);

            var all = Workloads(postgres is not null);
            var chosen = all.Where(w => options.Only is null || w.Name == PlainJson || w.Name.Contains(options.Only, StringComparison.Ordinal)).ToList();
            var list = all.Where(w => chosen.Contains(w) || chosen.Any(c => c.Floor == w.Name)).ToList();
            var series = new List<Series>();
            foreach (var c in options.Concurrency)
            {
                series.AddRange(list.Select(w => new Series(phase, w.Name, c, w.Items, w.Unit)));
            }
            Series? rawFloor = postgres is null ? null : new Series(phase, RawPostgres, PostgresFloor.Clients, PostgresFloor.RowsPerStatement, "rows");

            log.WriteLine($"  warm-up {options.Warmup.TotalSeconds:0} s");
            var warm = Stopwatch.StartNew();
            var slice = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond * 100, options.Warmup.Ticks / list.Count / 2));
            while (warm.Elapsed < options.Warmup)
            {
                foreach (var w in list)
                {
                    var c = options.Concurrency.Max();
                    await LoadLoop.RunAsync(clients[c], n => w.Request(workloads, n), c, slice, options.MaxRequestsPerRun, cancellationToken);
                    if (warm.Elapsed >= options.Warmup)
                    {
                        break;
                    }
                }
            }

            // Runs interleave floors and Clarity so that the machine's noise falls on both alike.
            for (var run = 1; run <= options.Runs; run++)
            {
                log.WriteLine($"  run {run}/{options.Runs}");
                foreach (var c in options.Concurrency)
                {
                    foreach (var w in list)
                    {
                        var before = cpu?.Read();
                        var result = await LoadLoop.RunAsync(clients[c], n => w.Request(workloads, n), c, options.RunTime, options.MaxRequestsPerRun, cancellationToken);
                        var figure = series.Single(s => s.Name == w.Name && s.Concurrency == c);
                        figure.Runs.Add(result);
                        var items = (double)result.Requests * w.Items;
                        if (before is { } start && cpu!.PerItemSince(start, items) is { } cost)
                        {
                            figure.Costs.Add(cost);
                            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                                $"    {w.Name}, {c} connections: {items / result.Elapsed.TotalSeconds:0} {w.Unit}/s, CPU per item: gateway {cost.Gateway:0.0} us, PostgreSQL {cost.Postgres ?? 0:0.0} us, machine {cost.Machine ?? 0:0.0} us"));
                        }
                    }
                }
                if (rawFloor is not null)
                {
                    var before = cpu?.Read();
                    var result = await PostgresFloor.RunAsync(postgres!, options.RunTime, options.MaxRequestsPerRun, cancellationToken);
                    rawFloor.Runs.Add(result);
                    var rows = (double)result.Requests * PostgresFloor.RowsPerStatement;
                    if (before is { } start && cpu!.PerItemSince(start, rows) is { } cost)
                    {
                        rawFloor.Costs.Add(cost);
                        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"    {RawPostgres}: {rows / result.Elapsed.TotalSeconds:0} rows/s, CPU per row: PostgreSQL {cost.Postgres ?? 0:0.0} us, machine {cost.Machine ?? 0:0.0} us"));
                    }
                }
            }
            report.AddPhase(phase, series, rawFloor, list);
        }
        finally
        {
            foreach (var client in clients.Values)
            {
                client.Dispose();
            }
        }
    }

    private static async Task<int> SeedAsync(HttpClient client, Workloads workloads, LoadTestOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        // Every user gets a self-model (and a floor grain its 20 records) before anything is timed.
        var perRequest = Math.Max(1, 100 / options.SignalsPerUser);
        var requests = (options.Users + perRequest - 1) / perRequest;
        var seeded = Stopwatch.StartNew();
        var next = -1;
        var failures = 0;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            int r;
            while ((r = Interlocked.Increment(ref next)) < requests && !cancellationToken.IsCancellationRequested)
            {
                var first = r * perRequest;
                var count = Math.Min(perRequest, options.Users - first);
                var body = workloads.SeedBody(first, count, options.SignalsPerUser);
                foreach (var path in SeedPaths)
                {
                    try
                    {
                        await LoadLoop.SendWithRetryAsync(client, () => global::Clarity.LoadTest.Workloads.Post(path, body), cancellationToken);
                    }
                    catch (HttpRequestException e) when (Interlocked.Increment(ref failures) == 1)
                    {
                        log.WriteLine($"  seeding failed: {e.Message}");
                    }
                }
            }
        }));
        if (failures > 0)
        {
            throw new InvalidOperationException($"Seeding the users failed ({failures} requests); is the gateway mapping Clarity:Benchmark:Floors?");
        }
        using var probe = await client.GetAsync(new Uri("/v1/users/u0/self-model", UriKind.Relative), cancellationToken);
        var beliefs = System.Text.Json.JsonDocument.Parse(await probe.Content.ReadAsStringAsync(cancellationToken)).RootElement.GetProperty("beliefs").GetArrayLength();
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  seeded {options.Users} users x {options.SignalsPerUser} signals ({beliefs} beliefs each) in {seeded.Elapsed.TotalSeconds:0.0} s"));
        return beliefs;
    }
}

/// <summary>A temporary directory deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory(string tag)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"clarity-perf-{tag}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a stopping process; the OS cleans temp eventually.
        }
    }
}
