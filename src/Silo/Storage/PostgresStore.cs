using System.Data.Common;
using Clarity.Grains.State;
using Npgsql;

namespace Clarity.Silo.Storage;

/// <summary>
/// The cluster store: grain state, the signal log and membership on one PostgreSQL database, with
/// the schema created or upgraded at start.
/// </summary>
public static class PostgresStore
{
    /// <summary>The ADO.NET invariant Orleans maps to Npgsql (ORLEANS-NOTES 1.1).</summary>
    public const string Invariant = "Npgsql";

    // Any constant works as long as every Clarity process uses the same one: it serializes schema
    // changes among silos that start together ("clarity" in ASCII).
    private const long SchemaLockKey = 0x636c61726974_79;

    private static readonly string[] Scripts = ["postgres-persistence.sql", "postgres-clustering.sql", "postgres-log.sql"];

    /// <summary>Validates the connection string, naming the key (not the value, which may hold a password).</summary>
    public static NpgsqlConnectionStringBuilder Parse(string connectionString)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException exception)
        {
            throw new InvalidOperationException($"ConnectionStrings:Clarity is not a valid PostgreSQL connection string: {exception.Message}", exception);
        }
    }

    /// <summary>
    /// The silo's data source for the signal log and decisions. They run a handful of statements
    /// thousands of times a second, so they are prepared on each connection after a few uses and
    /// PostgreSQL stops parsing and planning them per flush; an explicit <c>Max Auto Prepare</c> in
    /// the connection string wins.
    /// </summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var settings = Parse(connectionString);
        if (settings.MaxAutoPrepare == 0)
        {
            settings.MaxAutoPrepare = 16;
            settings.AutoPrepareMinUsages = 2;
        }
        return NpgsqlDataSource.Create(settings);
    }

    /// <summary>
    /// Creates or upgrades the schema idempotently in one transaction under an advisory lock, so
    /// several silos starting at once are safe. Throws with a clear message when PostgreSQL cannot
    /// be reached or refuses.
    /// </summary>
    public static async Task EnsureSchemaAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var settings = Parse(connectionString);
        try
        {
            await using var connection = new NpgsqlConnection(settings.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({SchemaLockKey})", connection, transaction))
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            foreach (var script in Scripts)
            {
                await using var command = new NpgsqlCommand(SqliteStore.ReadScript(script), connection, transaction);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is DbException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new InvalidOperationException(
                $"Clarity cannot prepare its PostgreSQL store at host '{settings.Host}', port {settings.Port}, database '{settings.Database}' (ConnectionStrings:Clarity): {exception.Message}",
                exception);
        }
    }

    /// <summary>True when PostgreSQL answers and the schema is in place.</summary>
    public static async Task<bool> IsReachableAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT count(*) FROM OrleansQuery");
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) >= 13;
        }
        catch (Exception exception) when (exception is DbException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}

/// <summary>
/// The signal log's SQL on PostgreSQL: one multi-row insert per append, from arrays, so the
/// statement text is the same whatever the row count and stays prepared on each connection.
/// </summary>
/// <remarks>
/// One append in flight by default (was 2, and 4 before that): while it commits, new appends queue
/// and go out together in the next. With one signal per request on two cores shared with
/// PostgreSQL a flush carries few rows and a commit's fixed cost is most of what a signal costs
/// PostgreSQL. Alternating runs (PostgreSQL phase, ingest only, two alternations of three runs, with
/// the pool defaults of ClarityHostOptions) measured PostgreSQL's CPU per one-signal request at a
/// median of 42 us with one flush in flight against 58 us with two at 64 connections (72 against
/// 91 us at 16), throughput about 8,470 against 7,960 req/s (5,420 against 5,050 at 16), p50
/// latency 2.6 against 2.8 ms at 16 connections and 6.5 against 7.0 ms at 64, and batches of 100
/// alike. <c>Clarity:SignalLog:MaxConcurrentFlushes</c> raises it for a server with the cores and
/// disks to commit several at once. Decision writes keep two in flight
/// (<see cref="MaxConcurrentDecisionWrites"/>): nothing waits for them but the write-behind.
/// </remarks>
public sealed class PostgresSignalLogStore(NpgsqlDataSource dataSource, int maxConcurrentAppends = 1) : ISignalLogStore
{
    private const string AppendSql = """
        INSERT INTO clarity_signal_log (tenant_id, user_id, signal_id, payload)
        SELECT * FROM unnest(@tenants, @users, @ids, @payloads)
        ON CONFLICT (tenant_id, user_id, signal_id) DO NOTHING
        RETURNING tenant_id, user_id, signal_id, position
        """;

    public int MaxConcurrentAppends { get; } = maxConcurrentAppends;

    public int MaxConcurrentDecisionWrites => 2;

    public async Task<IReadOnlyList<LogInserted>> AppendAsync(IReadOnlyList<LogRow> rows, CancellationToken cancellationToken)
    {
        var tenants = new string[rows.Count];
        var users = new string[rows.Count];
        var ids = new string[rows.Count];
        var payloads = new string[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            (tenants[i], users[i], ids[i], payloads[i]) = (rows[i].TenantId, rows[i].UserId, rows[i].SignalId, rows[i].Payload);
        }
        await using var command = dataSource.CreateCommand(AppendSql);
        command.Parameters.Add(new NpgsqlParameter<string[]>("tenants", tenants));
        command.Parameters.Add(new NpgsqlParameter<string[]>("users", users));
        command.Parameters.Add(new NpgsqlParameter<string[]>("ids", ids));
        command.Parameters.Add(new NpgsqlParameter<string[]>("payloads", payloads));
        // One statement is one transaction: either every new row is durable or none is.
        var inserted = new List<LogInserted>(rows.Count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            inserted.Add(new LogInserted(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3)));
        }
        return inserted;
    }

    public async Task<IReadOnlyList<Grains.State.LoggedSignal>> ReadAsync(string tenantId, string userId, long afterPosition, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT position, payload FROM clarity_signal_log
            WHERE tenant_id = @tenant AND user_id = @user AND position > @after
            ORDER BY position
            """);
        command.Parameters.Add(new NpgsqlParameter<string>("tenant", tenantId));
        command.Parameters.Add(new NpgsqlParameter<string>("user", userId));
        command.Parameters.Add(new NpgsqlParameter<long>("after", afterPosition));
        var result = new List<Grains.State.LoggedSignal>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(new Grains.State.LoggedSignal(reader.GetInt64(0), Grains.State.SignalLogPayload.Deserialize(reader.GetString(1))));
        }
        return result;
    }

    public async Task<int> DeleteAsync(string tenantId, string userId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM clarity_signal_log WHERE tenant_id = @tenant AND user_id = @user");
        command.Parameters.Add(new NpgsqlParameter<string>("tenant", tenantId));
        command.Parameters.Add(new NpgsqlParameter<string>("user", userId));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task WriteDecisionsAsync(string tenantId, string userId, IReadOnlyList<StoredDecision> decisions, int keep, CancellationToken cancellationToken) =>
        WriteDecisionsAsync([new DecisionWrite(tenantId, userId, decisions, keep)], cancellationToken);

    /// <summary>
    /// Several users' decisions in one transaction and one round trip (the silo's decision queue
    /// hands over a batch): one commit, so one WAL flush, instead of one per user. A failure fails
    /// the whole batch, as on SQLite; the grains keep their decisions and write them again.
    /// </summary>
    public async Task WriteDecisionsAsync(IReadOnlyList<DecisionWrite> writes, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var write in writes)
        {
            var insert = new NpgsqlBatchCommand("""
                INSERT INTO clarity_decisions (tenant_id, user_id, decision_id, payload)
                SELECT $1, $2, d.id, d.payload FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS d(id, payload, n) ORDER BY d.n
                ON CONFLICT (tenant_id, user_id, decision_id) DO NOTHING
                """);
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = write.TenantId });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = write.UserId });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. write.Decisions.Select(d => d.DecisionId)] });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. write.Decisions.Select(d => d.Payload)] });
            batch.BatchCommands.Add(insert);
            // Keep the user's newest decisions only.
            var prune = new NpgsqlBatchCommand("""
                DELETE FROM clarity_decisions WHERE tenant_id = $1 AND user_id = $2 AND seq < (
                    SELECT seq FROM clarity_decisions WHERE tenant_id = $1 AND user_id = $2 ORDER BY seq DESC OFFSET $3 LIMIT 1)
                """);
            prune.Parameters.Add(new NpgsqlParameter<string> { TypedValue = write.TenantId });
            prune.Parameters.Add(new NpgsqlParameter<string> { TypedValue = write.UserId });
            prune.Parameters.Add(new NpgsqlParameter<long> { TypedValue = Math.Max(0, write.Keep - 1) });
            batch.BatchCommands.Add(prune);
        }
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<StoredDecision>> ReadDecisionsAsync(string tenantId, string userId, int keep, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT decision_id, payload FROM (
                SELECT seq, decision_id, payload FROM clarity_decisions
                WHERE tenant_id = @tenant AND user_id = @user ORDER BY seq DESC LIMIT @keep) newest
            ORDER BY seq
            """);
        command.Parameters.Add(new NpgsqlParameter<string>("tenant", tenantId));
        command.Parameters.Add(new NpgsqlParameter<string>("user", userId));
        command.Parameters.Add(new NpgsqlParameter<long>("keep", Math.Max(0, keep)));
        var result = new List<StoredDecision>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(new StoredDecision(reader.GetString(0), reader.GetString(1)));
        }
        return result;
    }

    public async Task<int> DeleteDecisionsAsync(string tenantId, string userId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM clarity_decisions WHERE tenant_id = @tenant AND user_id = @user");
        command.Parameters.Add(new NpgsqlParameter<string>("tenant", tenantId));
        command.Parameters.Add(new NpgsqlParameter<string>("user", userId));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
