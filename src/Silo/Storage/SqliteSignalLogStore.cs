using System.Globalization;
using System.Text;
using Clarity.Grains.State;
using Microsoft.Data.Sqlite;

namespace Clarity.Silo.Storage;

/// <summary>
/// The signal log's SQL on the embedded SQLite store: multi-row inserts in one transaction, in
/// chunks that stay under SQLite's parameter limit.
/// </summary>
public sealed class SqliteSignalLogStore(string connectionString) : ISignalLogStore
{
    private const int RowsPerStatement = 200;

    public int MaxConcurrentAppends => 1;

    public async Task<IReadOnlyList<LogInserted>> AppendAsync(IReadOnlyList<LogRow> rows, CancellationToken cancellationToken)
    {
        var inserted = new List<LogInserted>(rows.Count);
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        for (var start = 0; start < rows.Count; start += RowsPerStatement)
        {
            var count = Math.Min(RowsPerStatement, rows.Count - start);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            var sql = new StringBuilder("INSERT INTO clarity_signal_log (tenant_id, user_id, signal_id, payload) VALUES ");
            for (var i = 0; i < count; i++)
            {
                var row = rows[start + i];
                sql.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? "" : ",")}(@t{i}, @u{i}, @s{i}, @p{i})");
                command.Parameters.AddWithValue($"@t{i}", row.TenantId);
                command.Parameters.AddWithValue($"@u{i}", row.UserId);
                command.Parameters.AddWithValue($"@s{i}", row.SignalId);
                command.Parameters.AddWithValue($"@p{i}", row.Payload);
            }
            sql.Append(" ON CONFLICT (tenant_id, user_id, signal_id) DO NOTHING RETURNING tenant_id, user_id, signal_id, position");
            command.CommandText = sql.ToString();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                inserted.Add(new LogInserted(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3)));
            }
        }
        await transaction.CommitAsync(cancellationToken);
        return inserted;
    }

    public async Task<IReadOnlyList<LoggedSignal>> ReadAsync(string tenantId, string userId, long afterPosition, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT position, payload FROM clarity_signal_log
            WHERE tenant_id = @tenant AND user_id = @user AND position > @after
            ORDER BY position
            """;
        command.Parameters.AddWithValue("@tenant", tenantId);
        command.Parameters.AddWithValue("@user", userId);
        command.Parameters.AddWithValue("@after", afterPosition);
        var result = new List<LoggedSignal>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(new LoggedSignal(reader.GetInt64(0), SignalLogPayload.Deserialize(reader.GetString(1))));
        }
        return result;
    }

    public async Task<int> DeleteAsync(string tenantId, string userId, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM clarity_signal_log WHERE tenant_id = @tenant AND user_id = @user";
        command.Parameters.AddWithValue("@tenant", tenantId);
        command.Parameters.AddWithValue("@user", userId);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task WriteDecisionsAsync(string tenantId, string userId, IReadOnlyList<StoredDecision> decisions, int keep, CancellationToken cancellationToken) =>
        WriteDecisionsAsync([new DecisionWrite(tenantId, userId, decisions, keep)], cancellationToken);

    // Many users' decisions in one transaction: SQLite syncs the disk once per commit, and it has
    // one writer, so a commit per user made the writers queue on each other's syncs.
    public async Task WriteDecisionsAsync(IReadOnlyList<DecisionWrite> writes, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT INTO clarity_decisions (tenant_id, user_id, decision_id, payload) VALUES (@tenant, @user, @id, @payload)
            ON CONFLICT (tenant_id, user_id, decision_id) DO NOTHING
            """;
        var insertTenant = insert.Parameters.Add("@tenant", SqliteType.Text);
        var insertUser = insert.Parameters.Add("@user", SqliteType.Text);
        var insertId = insert.Parameters.Add("@id", SqliteType.Text);
        var insertPayload = insert.Parameters.Add("@payload", SqliteType.Text);
        await using var prune = connection.CreateCommand();
        prune.Transaction = transaction;
        prune.CommandText = """
            DELETE FROM clarity_decisions WHERE tenant_id = @tenant AND user_id = @user AND seq < (
                SELECT seq FROM clarity_decisions WHERE tenant_id = @tenant AND user_id = @user ORDER BY seq DESC LIMIT 1 OFFSET @newer)
            """;
        var pruneTenant = prune.Parameters.Add("@tenant", SqliteType.Text);
        var pruneUser = prune.Parameters.Add("@user", SqliteType.Text);
        var pruneNewer = prune.Parameters.Add("@newer", SqliteType.Integer);
        foreach (var write in writes)
        {
            insertTenant.Value = write.TenantId;
            insertUser.Value = write.UserId;
            foreach (var decision in write.Decisions)
            {
                insertId.Value = decision.DecisionId;
                insertPayload.Value = decision.Payload;
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
            pruneTenant.Value = write.TenantId;
            pruneUser.Value = write.UserId;
            pruneNewer.Value = Math.Max(0, write.Keep - 1);
            await prune.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<StoredDecision>> ReadDecisionsAsync(string tenantId, string userId, int keep, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT decision_id, payload FROM (
                SELECT seq, decision_id, payload FROM clarity_decisions
                WHERE tenant_id = @tenant AND user_id = @user ORDER BY seq DESC LIMIT @keep)
            ORDER BY seq
            """;
        command.Parameters.AddWithValue("@tenant", tenantId);
        command.Parameters.AddWithValue("@user", userId);
        command.Parameters.AddWithValue("@keep", Math.Max(0, keep));
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
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM clarity_decisions WHERE tenant_id = @tenant AND user_id = @user";
        command.Parameters.AddWithValue("@tenant", tenantId);
        command.Parameters.AddWithValue("@user", userId);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
