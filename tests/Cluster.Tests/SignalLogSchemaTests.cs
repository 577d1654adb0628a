using System.Globalization;
using Clarity.Grains.Interfaces;
using Clarity.Grains.State;
using Clarity.Silo.Storage;
using Npgsql;

namespace Clarity.Cluster.Tests;

/// <summary>
/// The shape of the signal log and decision tables on PostgreSQL: no primary key on position or
/// seq (every query names the tenant and user, and the extra index made each insert dearer), and
/// tables created by earlier releases, which had one, upgraded at start without losing a row.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SignalLogSchemaTests(PostgresServer postgres)
{
    // The tables as releases before the upgrade created them, primary keys included.
    private const string OldShape = """
        CREATE TABLE clarity_signal_log (
            position  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            tenant_id text        NOT NULL,
            user_id   text        NOT NULL,
            signal_id text        NOT NULL,
            payload   text        NOT NULL,
            logged_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT clarity_signal_log_signal UNIQUE (tenant_id, user_id, signal_id)
        );
        CREATE INDEX clarity_signal_log_user ON clarity_signal_log (tenant_id, user_id, position);
        CREATE TABLE clarity_decisions (
            seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            tenant_id   text        NOT NULL,
            user_id     text        NOT NULL,
            decision_id text        NOT NULL,
            payload     text        NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT clarity_decisions_decision UNIQUE (tenant_id, user_id, decision_id)
        );
        CREATE INDEX clarity_decisions_user ON clarity_decisions (tenant_id, user_id, seq);
        """;

    private static readonly string[] Tables = ["clarity_signal_log", "clarity_decisions"];

    [Fact]
    public async Task A_new_schema_has_no_primary_key_on_the_log_or_the_decisions()
    {
        var connectionString = await postgres.CreateDatabaseAsync("log_schema_new");
        await PostgresStore.EnsureSchemaAsync(connectionString);

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var table in Tables)
        {
            Assert.Equal(0L, await ScalarAsync(connection, $"SELECT count(*) FROM pg_index WHERE indrelid = '{table}'::regclass AND indisprimary"));
            // Two indexes each: the dedup constraint and the per-user order.
            Assert.Equal(2L, await ScalarAsync(connection, $"SELECT count(*) FROM pg_index WHERE indrelid = '{table}'::regclass"));
        }
        // The sequence column stays NOT NULL, and deletes stay publishable by logical replication.
        Assert.Equal(["position", "seq"], await ColumnsAsync(connection, "SELECT attname FROM pg_attribute WHERE attrelid IN ('clarity_signal_log'::regclass, 'clarity_decisions'::regclass) AND attname IN ('position', 'seq') AND attnotnull AND attidentity = 'a' ORDER BY attname"));
        Assert.Equal(["clarity_decisions_decision", "clarity_signal_log_signal"], await ColumnsAsync(connection, "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indisreplident ORDER BY c.relname"));
    }

    [Fact]
    public async Task A_log_with_the_old_primary_key_is_upgraded_at_start_and_keeps_its_rows()
    {
        var connectionString = await postgres.CreateDatabaseAsync("log_schema_old");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, OldShape);
        var payload = SignalLogPayload.Serialize(new SignalData { Id = "s", Type = "view", OccurredAt = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), Item = new ItemData { Id = "sku-1", Category = "home" } });
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO clarity_signal_log (tenant_id, user_id, signal_id, payload) VALUES ('t1', 'alice', 'a', @p), ('t1', 'alice', 'b', @p), ('t1', 'bob', 'a', @p);
            INSERT INTO clarity_decisions (tenant_id, user_id, decision_id, payload) VALUES ('t1', 'alice', 'd-1', '{}'), ('t1', 'alice', 'd-2', '{}');
            """, connection))
        {
            insert.Parameters.Add(new NpgsqlParameter<string>("p", payload));
            await insert.ExecuteNonQueryAsync();
        }
        Assert.Equal(2L, await ScalarAsync(connection, "SELECT count(*) FROM pg_index WHERE indisprimary AND indrelid IN ('clarity_signal_log'::regclass, 'clarity_decisions'::regclass)"));
        var lastOldPosition = await ScalarAsync(connection, "SELECT max(position) FROM clarity_signal_log");

        await PostgresStore.EnsureSchemaAsync(connectionString);

        Assert.Equal(0L, await ScalarAsync(connection, "SELECT count(*) FROM pg_index WHERE indisprimary AND indrelid IN ('clarity_signal_log'::regclass, 'clarity_decisions'::regclass)"));
        Assert.Equal(3L, await ScalarAsync(connection, "SELECT count(*) FROM clarity_signal_log"));
        Assert.Equal(2L, await ScalarAsync(connection, "SELECT count(*) FROM clarity_decisions"));
        var upgraded = await ShapeAsync(connection);

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var store = new PostgresSignalLogStore(dataSource);
        // An id logged before the upgrade is still a duplicate; a new one gets a later position.
        var inserted = await store.AppendAsync(
            [new LogRow("t1", "alice", "b", payload), new LogRow("t1", "alice", "c", payload), new LogRow("t1", "carol", "a", payload)],
            CancellationToken.None);
        Assert.Equal(["c", "a"], inserted.Select(r => r.SignalId));
        Assert.All(inserted, r => Assert.True(r.Position > lastOldPosition));
        Assert.True(inserted[1].Position > inserted[0].Position);
        // Replay reads the old rows and the new one in position order.
        var alice = await store.ReadAsync("t1", "alice", 0, CancellationToken.None);
        Assert.Equal(3, alice.Count);
        Assert.Equal(alice.Select(e => e.Position).Order(), alice.Select(e => e.Position));
        Assert.Equal(inserted[0].Position, alice[^1].Position);
        // Decisions written before and after the upgrade prune together, oldest first.
        await store.WriteDecisionsAsync("t1", "alice", [new StoredDecision("d-3", "{}")], keep: 2, CancellationToken.None);
        Assert.Equal(["d-2", "d-3"], (await store.ReadDecisionsAsync("t1", "alice", 5, CancellationToken.None)).Select(d => d.DecisionId));

        // Later starts find nothing to change.
        await PostgresStore.EnsureSchemaAsync(connectionString);
        await PostgresStore.EnsureSchemaAsync(connectionString);
        Assert.Equal(upgraded, await ShapeAsync(connection));
        Assert.Equal(5L, await ScalarAsync(connection, "SELECT count(*) FROM clarity_signal_log"));
        Assert.Equal(2L, await ScalarAsync(connection, "SELECT count(*) FROM clarity_decisions"));
    }

    [Fact]
    public async Task Silos_starting_at_once_upgrade_an_old_log_without_failing()
    {
        var connectionString = await postgres.CreateDatabaseAsync("log_schema_race");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, OldShape);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => PostgresStore.EnsureSchemaAsync(connectionString))));

        Assert.Equal(0L, await ScalarAsync(connection, "SELECT count(*) FROM pg_index WHERE indisprimary AND indrelid IN ('clarity_signal_log'::regclass, 'clarity_decisions'::regclass)"));
    }

    /// <summary>Every index, constraint and replica identity of the two tables, in a stable order.</summary>
    private static async Task<List<string>> ShapeAsync(NpgsqlConnection connection)
    {
        var indexes = await ColumnsAsync(connection, """
            SELECT indexdef FROM pg_indexes WHERE tablename IN ('clarity_signal_log', 'clarity_decisions') ORDER BY indexname
            """);
        var constraints = await ColumnsAsync(connection, """
            SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid IN ('clarity_signal_log'::regclass, 'clarity_decisions'::regclass) ORDER BY 1
            """);
        var identity = await ColumnsAsync(connection, "SELECT relname || ' ' || relreplident::text FROM pg_class WHERE relname IN ('clarity_signal_log', 'clarity_decisions') ORDER BY 1");
        return [.. indexes, .. constraints, .. identity];
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static async Task<List<string>> ColumnsAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }
        return values;
    }
}
