using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;

namespace Clarity.Cluster.Tests;

/// <summary>
/// Storage trouble as an operator meets it: PostgreSQL dies under a running gateway (co-hosted
/// silo) and comes back; PostgreSQL is not there when the process starts.
/// </summary>
public sealed class StorageOutageTests : IAsyncLifetime
{
    private const string Tenant = "t1";
    private const string Key = "outage-test-key";
    private static readonly DateTimeOffset At = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    // A server of its own: this test stops it, which must not disturb the other PostgreSQL tests.
    private readonly PostgresServer _postgres = new();

    public Task InitializeAsync() => _postgres.InitializeAsync();

    public Task DisposeAsync() => _postgres.DisposeAsync();

    [Fact]
    public async Task A_PostgreSQL_outage_answers_503_with_Retry_After_and_loses_or_doubles_nothing()
    {
        var connectionString = await _postgres.CreateDatabaseAsync("outage");
        var port = PostgresServer.FreePort();
        await using var gateway = ClarityProcess.Start("gateway", Artifacts.Gateway, Settings(connectionString), "--urls", $"http://127.0.0.1:{port}");
        await gateway.WaitStartedAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(1) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        var users = Enumerable.Range(0, 8).Select(u => $"user-{u}").ToList();
        var acknowledged = users.ToDictionary(u => u, _ => new HashSet<string>());

        // Before: every batch is acknowledged.
        foreach (var user in users)
        {
            var batch = Batch(user, "before", 4);
            var response = await http.PostAsJsonAsync("/v1/signals", batch.Body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            acknowledged[user].UnionWith(batch.Ids);
        }

        await _postgres.CrashAsync();

        // During: nothing can be made durable, so nothing is acknowledged, and the client is told
        // when to retry. Every user's grain is active, so this is the append path, not activation.
        var during = users.Select(u => Batch(u, "during", 3)).ToList();
        foreach (var batch in during)
        {
            var response = await http.PostAsJsonAsync("/v1/signals", batch.Body);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        // A user read now needs storage too (the failed append sent the grain back to storage).
        var read = await http.GetAsync($"/v1/users/{users[0]}/self-model");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, read.StatusCode);
        Assert.NotNull(read.Headers.RetryAfter);

        await _postgres.StartAsync();

        // After: the client resends what was refused, as Retry-After told it to. Connections the
        // outage broke may refuse a few more; a bounded number of resends gets every batch through.
        foreach (var batch in during)
        {
            for (var attempt = 1; ; attempt++)
            {
                var response = await http.PostAsJsonAsync("/v1/signals", batch.Body);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var result = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                    Assert.Equal(batch.Ids.Count, result["accepted"]!.GetValue<int>() + result["duplicates"]!.GetValue<int>());
                    acknowledged[batch.User].UnionWith(batch.Ids);
                    break;
                }
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.True(attempt < 40, $"still 503 after {attempt} resends:{Environment.NewLine}{gateway.Output}");
            }
        }
        // A batch resent after it was acknowledged is all duplicates.
        var again = await http.PostAsJsonAsync("/v1/signals", during[0].Body);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var duplicates = JsonNode.Parse(await again.Content.ReadAsStringAsync())!;
        Assert.Equal((0, 3), (duplicates["accepted"]!.GetValue<int>(), duplicates["duplicates"]!.GetValue<int>()));

        // Exactly what was acknowledged, once, in memory and in the log.
        foreach (var user in users)
        {
            var export = JsonNode.Parse(await (await http.GetAsync($"/v1/users/{user}/export")).Content.ReadAsStringAsync())!;
            Assert.Equal(acknowledged[user].Count, export["signals"]!["count"]!.GetValue<int>());
            Assert.Equal(acknowledged[user].Order(), export["signalLog"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()).Order());
        }
        Assert.Equal(users.Count * 7, await LoggedRowsAsync(connectionString));
    }

    [Fact]
    public async Task A_gateway_whose_PostgreSQL_is_unreachable_fails_start_naming_the_setting()
    {
        var unreachable = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = PostgresServer.FreePort(), Username = "postgres", Timeout = 3 }.ConnectionString;
        await using var gateway = ClarityProcess.Start("gateway", Artifacts.Gateway, Settings(unreachable), "--urls", $"http://127.0.0.1:{PostgresServer.FreePort()}");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(gateway.WaitStartedAsync);

        Assert.Contains("exited before it started", error.Message, StringComparison.Ordinal);
        Assert.Contains("Clarity cannot prepare its PostgreSQL store at host '127.0.0.1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("(ConnectionStrings:Clarity)", error.Message, StringComparison.Ordinal);
    }

    private static (string User, List<string> Ids, object Body) Batch(string user, string phase, int count)
    {
        var ids = Enumerable.Range(0, count).Select(i => $"{phase}-{i}").ToList();
        var signals = ids.Select((id, i) => new
        {
            id,
            userId = user,
            type = "view",
            occurredAt = At.AddMinutes(phase == "before" ? i : 10 + i),
            item = new { id = "sku-" + id, category = "home/kitchen" },
        }).ToList();
        return (user, ids, new { signals });
    }

    private static async Task<long> LoggedRowsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM clarity_signal_log", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static Dictionary<string, string> Settings(string connectionString) => new()
    {
        ["ConnectionStrings__Clarity"] = connectionString,
        ["Clarity__Role"] = "all",
        ["Clarity__ClusterId"] = "outage-" + Guid.NewGuid().ToString("N")[..8],
        ["Clarity__SiloPort"] = PostgresServer.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Clarity__GatewayPort"] = PostgresServer.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Clarity__AdvertisedAddress"] = "127.0.0.1",
        ["Clarity__CallTimeout"] = "00:00:10",
        [$"Clarity__Tenants__{Tenant}__ApiKeys__0"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Key))),
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        ["DOTNET_gcServer"] = "0",
    };
}
