using System.Data;
using System.Data.Common;
using Clarity.Silo.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Clarity.Cluster.Tests;

/// <summary>
/// The persistence queries against the ADO.NET provider's contract (ORLEANS-NOTES 1.2), executed
/// the way the provider executes them: the text from OrleansQuery, one command, named parameters
/// with the contract's DbTypes, columns read by name.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PersistenceContractTests(PostgresServer postgres)
{
    [Fact]
    public async Task PostgreSQL_meets_the_persistence_contract()
    {
        var connectionString = await postgres.CreateDatabaseAsync("persistence_contract");
        await PostgresStore.EnsureSchemaAsync(connectionString);
        // Idempotent: a second start changes nothing and does not fail.
        await PostgresStore.EnsureSchemaAsync(connectionString);
        await CheckContractAsync(() => new NpgsqlConnection(connectionString));
    }

    [Fact]
    public async Task SQLite_meets_the_persistence_contract()
    {
        var directory = Path.Combine(Path.GetTempPath(), "clarity-sqlite-contract-" + Guid.NewGuid().ToString("N"));
        try
        {
            SqliteStore.EnsureSchema(directory);
            SqliteStore.EnsureSchema(directory);
            await CheckContractAsync(() => new SqliteConnection(SqliteStore.ConnectionString(directory)));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Silos_starting_at_once_create_the_schema_once_without_failing()
    {
        var connectionString = await postgres.CreateDatabaseAsync("schema_race");
        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => PostgresStore.EnsureSchemaAsync(connectionString))));
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM OrleansQuery", connection);
        Assert.Equal(4 + 9, Convert.ToInt32(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Unreachable_PostgreSQL_fails_start_with_a_message_naming_the_key()
    {
        var connectionString = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = PostgresServer.FreePort(), Username = "postgres", Timeout = 3 }.ConnectionString;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresStore.EnsureSchemaAsync(connectionString));
        Assert.Contains("ConnectionStrings:Clarity", error.Message, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", error.Message, StringComparison.Ordinal);
    }

    private static async Task CheckContractAsync(Func<DbConnection> connect)
    {
        var queries = await ReadQueriesAsync(connect);
        var key = new GrainKey("svc", "selfmodel", 0, 0, "u:t1|alice");
        var sameKeyOtherState = key with { StateName = "other" };
        var integerKey = new GrainKey("svc", "selfmodel", 0, 42, null);

        Assert.Null(await ReadAsync(connect, queries, key));

        // Insert: no ETag and no row gives version 1; a second insert without ETag lost the race.
        Assert.Equal(1, await WriteAsync(connect, queries, key, null, [1, 2, 3]));
        Assert.Null(await WriteAsync(connect, queries, key, null, [9]));

        // Update: only with the current version, which it bumps; a stale version is a conflict.
        Assert.Equal(2, await WriteAsync(connect, queries, key, 1, [4, 5]));
        Assert.Null(await WriteAsync(connect, queries, key, 1, [6]));
        AssertRow([4, 5], 2, await ReadAsync(connect, queries, key));

        // Keys are distinct by state name and by key kind.
        Assert.Null(await ReadAsync(connect, queries, sameKeyOtherState));
        Assert.Equal(1, await WriteAsync(connect, queries, integerKey, null, [7]));
        AssertRow([7], 1, await ReadAsync(connect, queries, integerKey));

        // Clear: payload NULL, version bumped, returned first.
        Assert.Null(await ScalarAsync(connect, queries["ClearStorageKey"], key, 1));
        Assert.Equal(3, await ScalarAsync(connect, queries["ClearStorageKey"], key, 2));
        var cleared = await ReadAsync(connect, queries, key);
        Assert.Equal(3, cleared!.Value.Version);
        Assert.Null(cleared.Value.Payload);

        // Delete: only with the current version; returns something other than the old version.
        Assert.Null(await ScalarAsync(connect, queries["DeleteStorageKey"], key, 2));
        Assert.Equal(4, await ScalarAsync(connect, queries["DeleteStorageKey"], key, 3));
        Assert.Null(await ReadAsync(connect, queries, key));
        Assert.Equal(1, await WriteAsync(connect, queries, key, null, [8]));
    }

    private static void AssertRow(byte[] payload, int version, (byte[]? Payload, int Version)? row)
    {
        Assert.NotNull(row);
        Assert.Equal(payload, row.Value.Payload);
        Assert.Equal(version, row.Value.Version);
    }

    private sealed record GrainKey(string ServiceId, string StateName, long N0, long N1, string? Extension);

    private static async Task<Dictionary<string, string>> ReadQueriesAsync(Func<DbConnection> connect)
    {
        await using var connection = connect();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT QueryKey, QueryText FROM OrleansQuery";
        var queries = new Dictionary<string, string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            queries[reader.GetString(0)] = reader.GetString(1);
        }
        Assert.Subset(queries.Keys.ToHashSet(), new HashSet<string> { "ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey", "DeleteStorageKey" });
        return queries;
    }

    private static async Task<(byte[]? Payload, int Version)?> ReadAsync(Func<DbConnection> connect, Dictionary<string, string> queries, GrainKey key)
    {
        await using var connection = connect();
        await connection.OpenAsync();
        await using var command = Command(connection, queries["ReadFromStorageKey"], key);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return null;
        }
        var payload = reader["PayloadBinary"] is byte[] bytes ? bytes : null;
        var version = Convert.ToInt32(reader["Version"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(await reader.ReadAsync(), "Read must return at most one row.");
        return (payload, version);
    }

    private static async Task<int?> WriteAsync(Func<DbConnection> connect, Dictionary<string, string> queries, GrainKey key, int? version, byte[] payload)
    {
        await using var connection = connect();
        await connection.OpenAsync();
        await using var command = Command(connection, queries["WriteToStorageKey"], key);
        Add(command, "GrainStateVersion", DbType.Int32, version);
        Add(command, "PayloadBinary", DbType.Binary, payload);
        var rows = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        do
        {
            while (await reader.ReadAsync())
            {
                rows.Add(Convert.ToInt32(reader["NewGrainStateVersion"], System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        while (await reader.NextResultAsync());
        Assert.True(rows.Count <= 1, "Write must return at most one row.");
        return rows.Count == 0 ? null : rows[0];
    }

    private static async Task<int?> ScalarAsync(Func<DbConnection> connect, string sql, GrainKey key, int version)
    {
        await using var connection = connect();
        await connection.OpenAsync();
        await using var command = Command(connection, sql, key);
        Add(command, "GrainStateVersion", DbType.Int32, version);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? null : Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static DbCommand Command(DbConnection connection, string sql, GrainKey key)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        Add(command, "GrainIdHash", DbType.Int32, 17);
        Add(command, "GrainIdN0", DbType.Int64, key.N0);
        Add(command, "GrainIdN1", DbType.Int64, key.N1);
        Add(command, "GrainTypeHash", DbType.Int32, 23);
        Add(command, "GrainTypeString", DbType.String, key.StateName);
        Add(command, "GrainIdExtensionString", DbType.String, key.Extension);
        Add(command, "ServiceId", DbType.String, key.ServiceId);
        return command;
    }

    internal static void Add(DbCommand command, string name, DbType type, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
