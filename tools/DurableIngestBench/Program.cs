using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Clarity.DurableIngestBench;
using Npgsql;

// Usage (everything on 127.0.0.1, every loop bounded by time and count):
//   dotnet run -c Release --project tools/DurableIngestBench -- \
//     --gateway http://127.0.0.1:8080 --key <service key> --postgres "<Npgsql connection string>" \
//     [--warmup 20] [--seconds 10] [--runs 5] [--connections 64]
// Reports median and spread of: raw PostgreSQL multi-row inserts (10 rows/statement, 8 clients),
// the trivial in-memory ingest floor (one signal per POST into a co-hosted dictionary grain),
// durable ingest through the gateway with batches of 100 signals for many users, and with one
// signal per request; then each durable figure as a ratio to its floor.
var settings = Settings.Parse(args);
Console.WriteLine($"warm-up {settings.Warmup.TotalSeconds}s, {settings.Runs} runs x {settings.Duration.TotalSeconds}s, {settings.Connections} connections");

var raw = await Measure("raw PostgreSQL multi-row insert (rows/s)", () => RawPostgres.RunAsync(settings.Postgres, settings.Duration));
await using var floor = await InMemoryFloor.StartAsync();
var memory = await Measure("trivial in-memory ingest, 1 signal/POST (req/s)", () => Http.RunAsync(floor.Client, settings, 1, floor: true));
using var gateway = Http.Client(settings.Gateway, settings.Key, settings.Connections);
var batches = await Measure("durable ingest, batches of 100 (signals/s)", () => Http.RunAsync(gateway, settings, 100, floor: false));
var singles = await Measure("durable ingest, 1 signal/POST (req/s)", () => Http.RunAsync(gateway, settings, 1, floor: false));

Console.WriteLine();
Console.WriteLine($"batches of 100 vs raw insert floor: {batches / raw:F2}x (budget >= 0.5x)");
Console.WriteLine($"one signal per request vs in-memory floor: {singles / memory:F2}x (budget >= 0.8x)");

async Task<double> Measure(string name, Func<Task<double>> run)
{
    var warmupEnd = Stopwatch.StartNew();
    while (warmupEnd.Elapsed < settings.Warmup)
    {
        await run();
    }
    var results = new List<double>();
    for (var i = 0; i < settings.Runs; i++)
    {
        results.Add(await run());
    }
    results.Sort();
    var median = results[results.Count / 2];
    Console.WriteLine($"{name}: median {median:F0}, min {results[0]:F0}, max {results[^1]:F0}");
    return median;
}

namespace Clarity.DurableIngestBench
{
    internal sealed record Settings(Uri Gateway, string Key, string Postgres, TimeSpan Warmup, TimeSpan Duration, int Runs, int Connections)
    {
        public static Settings Parse(string[] args)
        {
            var values = new Dictionary<string, string>();
            for (var i = 0; i + 1 < args.Length; i += 2)
            {
                values[args[i].TrimStart('-')] = args[i + 1];
            }
            string Get(string key, string? fallback = null) =>
                values.GetValueOrDefault(key) ?? fallback ?? throw new ArgumentException($"--{key} is required");
            var gateway = new Uri(Get("gateway", "http://127.0.0.1:8080"));
            if (!IPAddress.IsLoopback(IPAddress.Parse(gateway.Host)))
            {
                throw new ArgumentException("The load tool only drives 127.0.0.1.");
            }
            return new Settings(gateway, Get("key"), Get("postgres"),
                TimeSpan.FromSeconds(int.Parse(Get("warmup", "20"), CultureInfo.InvariantCulture)),
                TimeSpan.FromSeconds(int.Parse(Get("seconds", "10"), CultureInfo.InvariantCulture)),
                int.Parse(Get("runs", "5"), CultureInfo.InvariantCulture),
                int.Parse(Get("connections", "64"), CultureInfo.InvariantCulture));
        }
    }

    internal static class RawPostgres
    {
        private const int Clients = 8;
        private const int RowsPerStatement = 10;

        /// <summary>Rows/s of 10-row inserts from 8 clients into a table shaped like the signal log.</summary>
        public static async Task<double> RunAsync(string connectionString, TimeSpan duration)
        {
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            await using (var create = dataSource.CreateCommand("""
                CREATE TABLE IF NOT EXISTS loadtest_raw (
                    position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    tenant_id text NOT NULL, user_id text NOT NULL, signal_id text NOT NULL, payload text NOT NULL,
                    UNIQUE (tenant_id, user_id, signal_id));
                TRUNCATE loadtest_raw;
                """))
            {
                await create.ExecuteNonQueryAsync();
            }
            var sql = new StringBuilder("INSERT INTO loadtest_raw (tenant_id, user_id, signal_id, payload) VALUES ");
            for (var i = 0; i < RowsPerStatement; i++)
            {
                sql.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? "" : ",")}('t', @u{i}, @s{i}, @p{i})");
            }
            var payload = new string('x', 200);
            long rows = 0;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
            {
                for (var n = 0L; clock.Elapsed < duration; n++)
                {
                    await using var command = dataSource.CreateCommand(sql.ToString());
                    for (var i = 0; i < RowsPerStatement; i++)
                    {
                        command.Parameters.AddWithValue($"u{i}", $"u{client}-{n % 1000}");
                        command.Parameters.AddWithValue($"s{i}", $"{Guid.NewGuid():N}");
                        command.Parameters.AddWithValue($"p{i}", payload);
                    }
                    await command.ExecuteNonQueryAsync();
                    Interlocked.Add(ref rows, RowsPerStatement);
                }
            })));
            return rows / clock.Elapsed.TotalSeconds;
        }
    }

    internal static class Http
    {
        private static long _sequence;

        public static HttpClient Client(Uri baseAddress, string? key, int connections)
        {
            var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections }) { BaseAddress = baseAddress };
            if (key is not null)
            {
                client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
            return client;
        }

        /// <summary>Signals/s acknowledged (200) over the duration, from N concurrent connections.</summary>
        public static async Task<double> RunAsync(HttpClient client, Settings settings, int batchSize, bool floor)
        {
            long signals = 0, failures = 0;
            var clock = Stopwatch.StartNew();
            var path = floor ? "/floor/signals" : "/v1/signals";
            await Task.WhenAll(Enumerable.Range(0, settings.Connections).Select(_ => Task.Run(async () =>
            {
                while (clock.Elapsed < settings.Duration)
                {
                    using var content = new StringContent(Body(batchSize), Encoding.UTF8, "application/json");
                    using var response = await client.PostAsync(path, content);
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Add(ref signals, batchSize);
                    }
                    else
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
            })));
            if (failures > 0)
            {
                Console.WriteLine($"  ({failures} requests failed)");
            }
            return signals / clock.Elapsed.TotalSeconds;
        }

        // Many users: every signal of a batch goes to a different user out of 10,000.
        private static string Body(int batchSize)
        {
            var body = new StringBuilder("{\"signals\":[");
            for (var i = 0; i < batchSize; i++)
            {
                var n = Interlocked.Increment(ref _sequence);
                body.Append(CultureInfo.InvariantCulture,
                    $"{(i == 0 ? "" : ",")}{{\"id\":\"e{n}\",\"userId\":\"u{n % 10000}\",\"type\":\"click\",\"occurredAt\":\"2026-11-01T00:00:00Z\",\"item\":{{\"id\":\"sku-{n % 500}\",\"category\":\"books/fiction\"}}}}");
            }
            return body.Append("]}").ToString();
        }
    }

    /// <summary>The floor: a co-hosted silo with a trivial grain that keeps signals in a dictionary.</summary>
    internal sealed class InMemoryFloor : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private InMemoryFloor(WebApplication app, HttpClient client)
        {
            _app = app;
            Client = client;
        }

        public HttpClient Client { get; }

        public static async Task<InMemoryFloor> StartAsync()
        {
            var port = FreePort();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            builder.UseOrleans(silo => silo.UseLocalhostClustering(FreePort(), FreePort()));
            var app = builder.Build();
            app.MapPost("/floor/signals", async (FloorBatch batch, IGrainFactory grains) =>
            {
                await Task.WhenAll(batch.Signals.GroupBy(s => s.UserId).Select(g =>
                    grains.GetGrain<IFloorGrain>(g.Key).AddAsync([.. g.Select(s => s.Id)])));
                return Results.Ok();
            });
            await app.StartAsync();
            return new InMemoryFloor(app, Http.Client(new Uri($"http://127.0.0.1:{port}"), null, 64));
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }

    internal sealed record FloorBatch(List<FloorSignal> Signals);

    internal sealed record FloorSignal(string Id, string UserId);

    public interface IFloorGrain : IGrainWithStringKey
    {
        Task AddAsync(string[] ids);
    }

    /// <summary>Trivial: remembers signal ids in memory, nothing else.</summary>
    public sealed class FloorGrain : Grain, IFloorGrain
    {
        private readonly HashSet<string> _ids = [];

        public Task AddAsync(string[] ids)
        {
            _ids.UnionWith(ids);
            return Task.CompletedTask;
        }
    }
}
