using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Clarity.Grains.Interfaces;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans.Configuration;

namespace Clarity.Cluster.Tests;

/// <summary>
/// A real cluster of processes: bounded ingest load for many users through the gateway, kill -9 of
/// a silo in the middle, then a full restart. Every acknowledged signal must be reflected exactly
/// once, and clients must only ever see successes or 503s.
/// </summary>
public sealed class ClusterTests(ProcessCluster cluster, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<ProcessCluster>
{
    private const int Users = 120;
    private const int Requests = 900;
    private const int Workers = 8;
    private const int MaxAttempts = 20;
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Acknowledged_signals_survive_a_killed_silo_and_a_full_restart()
    {
        var load = new IngestLoad(cluster.Http);
        var killAt = load.AcknowledgedRequests(Requests / 3);
        var running = load.RunAsync();
        await killAt;
        await cluster.Silos[1].KillAsync();
        var acknowledgedAtKill = load.Acknowledged;
        await running;
        output.WriteLine($"acknowledged {load.Acknowledged} requests ({acknowledgedAtKill} before the kill), {load.Unavailable} answers were 503");

        // The kill really happened under load, and the load went on through the failover.
        Assert.InRange(acknowledgedAtKill, Requests / 3, Requests - 1);
        Assert.Equal(0, load.OtherOutcomes);
        Assert.Equal(Requests, load.Acknowledged);
        await AssertEveryAcknowledgedSignalOnceAsync(load);

        await cluster.StopAllAsync();
        await cluster.StartAllAsync();
        await AssertEveryAcknowledgedSignalOnceAsync(load);

        // Retrying acknowledged signals after the restart changes nothing: durable deduplication.
        var again = await cluster.Http.PostAsJsonAsync("/v1/signals", new { signals = load.SignalsOf("user-7").Take(3).Select(id => SignalBody("user-7", id)) });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(new IngestResult(0, 3), await again.Content.ReadFromJsonAsync<IngestResult>());
    }

    [Fact]
    public async Task An_internal_service_ingests_through_the_Orleans_client_with_the_same_guarantees()
    {
        // Exactly what README "From an internal service" shows: the Orleans client, ADO.NET
        // clustering on the cluster's PostgreSQL, and the grain interfaces.
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(options =>
            {
                options.ClusterId = cluster.ClusterId;
                options.ServiceId = cluster.ServiceId;
            });
            client.UseAdoNetClustering(options =>
            {
                options.Invariant = "Npgsql";
                options.ConnectionString = cluster.ConnectionString;
            });
        });
        using var host = builder.Build();
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IClusterClient>();

        var user = grains.GetGrain<ISelfModelGrain>(SelfModelKey.For(ProcessCluster.Tenant, "svc-user"));
        SignalData[] signals =
        [
            new() { Id = "svc-1", Type = "purchase", OccurredAt = Start, Item = new ItemData { Id = "sku-1", Category = "garden/tools" } },
            new() { Id = "svc-2", Type = "click", OccurredAt = Start.AddHours(1), Item = new ItemData { Id = "sku-2", Category = "garden/tools" } },
        ];
        Assert.Equal(new IngestResult(2, 0), await user.IngestAsync(signals));
        Assert.Equal(new IngestResult(0, 2), await user.IngestAsync(signals));

        // Acknowledged means in the log, whichever way the signals came in.
        var logged = await LoggedSignalsAsync();
        Assert.Equal(["svc-1", "svc-2"], logged.GetValueOrDefault("svc-user", []).Order());
        var model = await user.GetSelfModelAsync(Start.AddDays(1));
        Assert.Equal(2, model.Beliefs.Single(b => b.Subject == "garden/tools").Observations);
        await host.StopAsync();

        // Each silo-only process exposes Orleans' and Clarity's instruments on its own /metrics
        // (API.md); the silo that hosted this user counted the two accepted signals.
        var scrapes = new List<string>();
        for (var i = 0; i < ProcessCluster.SiloCount; i++)
        {
            using var response = await cluster.Http.GetAsync(new Uri(cluster.SiloHttp(i), "/metrics"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            var text = await response.Content.ReadAsStringAsync();
            Assert.Contains(text.Split('\n'), line => line.StartsWith("orleans_", StringComparison.Ordinal));
            scrapes.Add(text);
        }
        Assert.Contains(scrapes.SelectMany(s => s.Split('\n')), line => line.StartsWith("clarity_signals_accepted_total", StringComparison.Ordinal));
    }

    private async Task AssertEveryAcknowledgedSignalOnceAsync(IngestLoad load)
    {
        // The log (what export reads) holds each acknowledged signal exactly once...
        var logged = await LoggedSignalsAsync();
        foreach (var (user, ids) in load.AcknowledgedByUser)
        {
            Assert.Equal(ids.Order(), logged.GetValueOrDefault(user, []).Order());
        }
        // ...and every self-model, wherever it reactivated, counted each of them once.
        await Parallel.ForEachAsync(load.AcknowledgedByUser, new ParallelOptions { MaxDegreeOfParallelism = Workers }, async (pair, cancellationToken) =>
        {
            var response = await cluster.Http.GetAsync($"/v1/users/{pair.Key}/self-model", cancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var view = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
            var books = view.GetProperty("beliefs").EnumerateArray().Single(b => b.GetProperty("subject").GetString() == "books");
            Assert.Equal(pair.Value.Count, books.GetProperty("observations").GetInt32());
        });
    }

    private async Task<Dictionary<string, List<string>>> LoggedSignalsAsync()
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT user_id, signal_id FROM clarity_signal_log WHERE tenant_id = @tenant", connection);
        command.Parameters.AddWithValue("tenant", ProcessCluster.Tenant);
        var logged = new Dictionary<string, List<string>>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var user = reader.GetString(0);
            if (!logged.TryGetValue(user, out var ids))
            {
                logged[user] = ids = [];
            }
            ids.Add(reader.GetString(1));
        }
        return logged;
    }

    private static object SignalBody(string user, string id) => new
    {
        id,
        userId = user,
        type = "click",
        occurredAt = Start.AddMinutes(int.Parse(id[(id.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture)),
        item = new { id = "sku-" + id, category = "books" },
    };

    /// <summary>
    /// A bounded ingest load: a fixed number of requests of 1-4 signals, round-robin over many
    /// users, from a few concurrent workers. Like a well-behaved client it resends a request that
    /// got 503 (same signal ids), a bounded number of times; anything else is recorded as wrong.
    /// </summary>
    private sealed class IngestLoad(HttpClient http)
    {
        private readonly ConcurrentDictionary<string, ConcurrentBag<string>> _acknowledged = new();
        private readonly ConcurrentDictionary<int, TaskCompletionSource> _milestones = new();
        private int _next = -1;
        private int _acknowledgedRequests;
        private int _other;
        private int _unavailable;

        public int Unavailable => _unavailable;

        public int Acknowledged => _acknowledgedRequests;

        public int OtherOutcomes => _other;

        public IEnumerable<KeyValuePair<string, HashSet<string>>> AcknowledgedByUser =>
            _acknowledged.Select(p => KeyValuePair.Create(p.Key, p.Value.ToHashSet()));

        public IEnumerable<string> SignalsOf(string user) => _acknowledged[user].Order();

        /// <summary>Completes once <paramref name="count"/> requests were acknowledged.</summary>
        public Task AcknowledgedRequests(int count) =>
            _milestones.GetOrAdd(count, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

        public Task RunAsync() => Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(WorkAsync)));

        private async Task WorkAsync()
        {
            int request;
            while ((request = Interlocked.Increment(ref _next)) < Requests)
            {
                var user = $"user-{request % Users}";
                var ids = Enumerable.Range(0, request % 4 + 1).Select(k => $"{user}-{request * 4 + k}").ToList();
                var body = new { signals = ids.Select(id => SignalBody(user, id)) };
                for (var attempt = 1; attempt <= MaxAttempts; attempt++)
                {
                    HttpStatusCode status;
                    try
                    {
                        using var response = await http.PostAsJsonAsync("/v1/signals", body);
                        status = response.StatusCode;
                    }
                    catch (HttpRequestException)
                    {
                        Interlocked.Increment(ref _other);
                        break;
                    }
                    if (status == HttpStatusCode.OK)
                    {
                        var bag = _acknowledged.GetOrAdd(user, _ => []);
                        foreach (var id in ids)
                        {
                            bag.Add(id);
                        }
                        var done = Interlocked.Increment(ref _acknowledgedRequests);
                        if (_milestones.TryGetValue(done, out var milestone))
                        {
                            milestone.TrySetResult();
                        }
                        break;
                    }
                    if (status != HttpStatusCode.ServiceUnavailable)
                    {
                        Interlocked.Increment(ref _other);
                        break;
                    }
                    Interlocked.Increment(ref _unavailable);
                }
            }
        }
    }
}
