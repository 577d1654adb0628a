using System.Data;
using System.Data.Common;
using System.Globalization;
using Clarity.Silo.Storage;
using Npgsql;

namespace Clarity.Cluster.Tests;

/// <summary>The membership queries on PostgreSQL against the clustering contract (ORLEANS-NOTES 1.3).</summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusteringContractTests(PostgresServer postgres)
{
    private static readonly string[] RequiredKeys =
    [
        "InsertMembershipVersionKey", "MembershipReadAllKey", "MembershipReadRowKey", "InsertMembershipKey",
        "UpdateMembershipKey", "UpdateIAmAlivetimeKey", "GatewaysQueryKey", "DeleteMembershipTableEntriesKey",
        "CleanupDefunctSiloEntriesKey",
    ];

    [Fact]
    public async Task Membership_queries_do_compare_and_swap_on_the_table_version()
    {
        var connectionString = await postgres.CreateDatabaseAsync("clustering_contract");
        await PostgresStore.EnsureSchemaAsync(connectionString);
        var queries = await ReadQueriesAsync(connectionString);
        Assert.Subset(queries.Keys.ToHashSet(), RequiredKeys.ToHashSet());
        var now = new DateTime(2026, 11, 1, 12, 0, 0, DateTimeKind.Utc);

        Assert.Equal(1, await ScalarAsync(connectionString, queries["InsertMembershipVersionKey"], Deployment("c1")));
        Assert.Equal(0, await ScalarAsync(connectionString, queries["InsertMembershipVersionKey"], Deployment("c1")));
        var empty = await RowsAsync(connectionString, queries["MembershipReadAllKey"], Deployment("c1"));
        var versionRow = Assert.Single(empty);
        Assert.Equal(0, Convert.ToInt32(versionRow["Version"], CultureInfo.InvariantCulture));
        Assert.Null(versionRow["StartTime"]);

        // Insert with the current version succeeds once; a stale version or a repeat does not.
        Assert.Equal(1, await ScalarAsync(connectionString, queries["InsertMembershipKey"], Member("c1", "10.0.0.1", 11111, 7, version: 0, now)));
        Assert.Equal(0, await ScalarAsync(connectionString, queries["InsertMembershipKey"], Member("c1", "10.0.0.1", 11111, 7, version: 0, now)));
        Assert.Equal(0, await ScalarAsync(connectionString, queries["InsertMembershipKey"], Member("c1", "10.0.0.2", 11111, 8, version: 0, now)));
        Assert.Equal(1, await ScalarAsync(connectionString, queries["InsertMembershipKey"], Member("c1", "10.0.0.2", 11111, 8, version: 1, now)));

        var all = await RowsAsync(connectionString, queries["MembershipReadAllKey"], Deployment("c1"));
        Assert.Equal(2, all.Count);
        Assert.All(all, row => Assert.Equal(2, Convert.ToInt32(row["Version"], CultureInfo.InvariantCulture)));
        Assert.Equal(["10.0.0.1", "10.0.0.2"], all.Select(r => (string)r["Address"]!).Order());

        // Update: compare-and-swap on the version, which it bumps.
        Assert.Equal(0, await ScalarAsync(connectionString, queries["UpdateMembershipKey"], Update("c1", "10.0.0.2", 11111, 8, status: 6, version: 1, now)));
        Assert.Equal(1, await ScalarAsync(connectionString, queries["UpdateMembershipKey"], Update("c1", "10.0.0.2", 11111, 8, status: 6, version: 2, now)));
        Assert.Equal(1, await ScalarAsync(connectionString, queries["UpdateMembershipKey"], Update("c1", "10.0.0.1", 11111, 7, status: 3, version: 3, now)));

        // Heartbeat changes the liveness time only.
        await ScalarAsync(connectionString, queries["UpdateIAmAlivetimeKey"], Alive("c1", "10.0.0.1", 11111, 7, now.AddMinutes(1)));
        var row = Assert.Single(await RowsAsync(connectionString, queries["MembershipReadRowKey"], Row("c1", "10.0.0.1", 11111, 7)));
        Assert.Equal(4, Convert.ToInt32(row["Version"], CultureInfo.InvariantCulture));
        Assert.Equal(now.AddMinutes(1), ((DateTime)row["IAmAliveTime"]!).ToUniversalTime());
        Assert.Equal(3, Convert.ToInt32(row["Status"], CultureInfo.InvariantCulture));
        // Reading a member that is absent still returns the version row.
        var absent = Assert.Single(await RowsAsync(connectionString, queries["MembershipReadRowKey"], Row("c1", "10.0.0.9", 11111, 1)));
        Assert.Null(absent["StartTime"]);

        // Gateways: active members only, with their proxy port.
        var gateway = Assert.Single(await RowsAsync(connectionString, queries["GatewaysQueryKey"], [.. Deployment("c1"), ("Status", DbType.Int32, 3)]));
        Assert.Equal("10.0.0.1", gateway["Address"]);
        Assert.Equal(30000, Convert.ToInt32(gateway["ProxyPort"], CultureInfo.InvariantCulture));

        // Other clusters are invisible; cleanup removes only stale non-active members.
        Assert.Empty(await RowsAsync(connectionString, queries["MembershipReadAllKey"], Deployment("c2")));
        await ScalarAsync(connectionString, queries["CleanupDefunctSiloEntriesKey"], [.. Deployment("c1"), ("IAmAliveTime", DbType.DateTime, now.AddSeconds(30))]);
        Assert.Equal(["10.0.0.1"], (await RowsAsync(connectionString, queries["MembershipReadAllKey"], Deployment("c1"))).Select(r => (string)r["Address"]!));

        await ScalarAsync(connectionString, queries["DeleteMembershipTableEntriesKey"], Deployment("c1"));
        Assert.Empty(await RowsAsync(connectionString, queries["MembershipReadAllKey"], Deployment("c1")));
    }

    private static (string, DbType, object?)[] Deployment(string id) => [("DeploymentId", DbType.String, id)];

    private static (string, DbType, object?)[] Row(string id, string address, int port, int generation) =>
        [.. Deployment(id), ("Address", DbType.AnsiString, address), ("Port", DbType.Int32, port), ("Generation", DbType.Int32, generation)];

    private static (string, DbType, object?)[] Member(string id, string address, int port, int generation, int version, DateTime now) =>
        [.. Row(id, address, port, generation), ("SiloName", DbType.String, "silo-" + generation), ("HostName", DbType.String, "host"),
         ("Status", DbType.Int32, 2), ("ProxyPort", DbType.Int32, 30000), ("StartTime", DbType.DateTime, now),
         ("IAmAliveTime", DbType.DateTime, now), ("Version", DbType.Int32, version)];

    private static (string, DbType, object?)[] Update(string id, string address, int port, int generation, int status, int version, DateTime now) =>
        [.. Row(id, address, port, generation), ("Status", DbType.Int32, status), ("SuspectTimes", DbType.String, null),
         ("IAmAliveTime", DbType.DateTime, now), ("Version", DbType.Int32, version)];

    private static (string, DbType, object?)[] Alive(string id, string address, int port, int generation, DateTime at) =>
        [.. Row(id, address, port, generation), ("IAmAliveTime", DbType.DateTime, at)];

    private static async Task<Dictionary<string, string>> ReadQueriesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT QueryKey, QueryText FROM OrleansQuery", connection);
        var queries = new Dictionary<string, string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            queries[reader.GetString(0)] = reader.GetString(1);
        }
        return queries;
    }

    private static async Task<int?> ScalarAsync(string connectionString, string sql, (string, DbType, object?)[] parameters)
    {
        var rows = await RowsAsync(connectionString, sql, parameters);
        return rows.Count == 0 ? null : Convert.ToInt32(rows[0].Values.First(), CultureInfo.InvariantCulture);
    }

    // Rows from every result set, columns by name (case-insensitively, as the provider reads them).
    private static async Task<List<Dictionary<string, object?>>> RowsAsync(string connectionString, string sql, (string Name, DbType Type, object? Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using DbCommand command = new NpgsqlCommand(sql, connection);
        foreach (var (name, type, value) in parameters)
        {
            PersistenceContractTests.Add(command, name, type, value);
        }
        var rows = new List<Dictionary<string, object?>>();
        await using var reader = await command.ExecuteReaderAsync();
        do
        {
            while (await reader.ReadAsync())
            {
                var row = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                }
                rows.Add(row);
            }
        }
        while (await reader.NextResultAsync());
        return rows;
    }
}
