using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Clarity.LoadTest;

/// <summary>
/// The durable-write floor: raw multi-row INSERTs of signal-sized rows (10 rows per statement,
/// 8 clients, each statement its own synchronously committed transaction) through Npgsql.
/// </summary>
internal static class PostgresFloor
{
    public const int RowsPerStatement = 10;
    public const int Clients = 8;
    private static long s_nextId;

    public static async Task PrepareAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var create = new NpgsqlCommand(
            "CREATE TABLE IF NOT EXISTS perf_floor_signals (id bigint PRIMARY KEY, user_id text NOT NULL, occurred_at timestamptz NOT NULL, payload text NOT NULL)",
            connection);
        await create.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>One run; a "request" is one statement of <see cref="RowsPerStatement"/> rows.</summary>
    public static async Task<RunResult> RunAsync(string connectionString, TimeSpan duration, long maxStatements, CancellationToken cancellationToken)
    {
        var sql = "INSERT INTO perf_floor_signals (id, user_id, occurred_at, payload) VALUES " +
            string.Join(',', Enumerable.Range(0, RowsPerStatement).Select(i => $"(@i{i}, @u{i}, @t{i}, @p{i})"));
        long issued = 0;
        long errors = 0;
        string? firstError = null;
        var latencies = new List<long>[Clients];
        var start = Stopwatch.GetTimestamp();
        var deadline = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var now = DateTime.UtcNow;
        // A payload the size of a stored signal with its item (about 200 bytes of JSON).
        var payload = new string('x', 200);
        var workers = Enumerable.Range(0, Clients).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = new List<long>(4096);
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var insert = new NpgsqlCommand(sql, connection);
            var ids = new NpgsqlParameter<long>[RowsPerStatement];
            var users = new NpgsqlParameter<string>[RowsPerStatement];
            for (var i = 0; i < RowsPerStatement; i++)
            {
                insert.Parameters.Add(ids[i] = new NpgsqlParameter<long>($"i{i}", NpgsqlDbType.Bigint));
                insert.Parameters.Add(users[i] = new NpgsqlParameter<string>($"u{i}", NpgsqlDbType.Text));
                insert.Parameters.Add(new NpgsqlParameter<DateTime>($"t{i}", NpgsqlDbType.TimestampTz) { TypedValue = now });
                insert.Parameters.Add(new NpgsqlParameter<string>($"p{i}", NpgsqlDbType.Text) { TypedValue = payload });
            }
            await insert.PrepareAsync(cancellationToken);
            while (!cancellationToken.IsCancellationRequested)
            {
                var n = Interlocked.Increment(ref issued);
                if (n > maxStatements || Stopwatch.GetTimestamp() >= deadline)
                {
                    return;
                }
                var first = Interlocked.Add(ref s_nextId, RowsPerStatement) - RowsPerStatement;
                for (var i = 0; i < RowsPerStatement; i++)
                {
                    ids[i].TypedValue = first + i;
                    users[i].TypedValue = "u" + (first + i);
                }
                var t0 = Stopwatch.GetTimestamp();
                try
                {
                    await insert.ExecuteNonQueryAsync(cancellationToken);
                }
                catch (PostgresException e)
                {
                    if (Interlocked.Increment(ref errors) == 1)
                    {
                        firstError = e.MessageText;
                    }
                }
                mine.Add(Stopwatch.GetTimestamp() - t0);
            }
        }, cancellationToken)).ToArray();
        await Task.WhenAll(workers);
        return LoadLoop.Summarize(latencies.Where(l => l is not null), errors, Stopwatch.GetElapsedTime(start), firstError);
    }

    /// <summary>True when the gateway created tables in the database: its storage really is PostgreSQL.</summary>
    public static async Task<int> CountClarityTablesAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var count = new NpgsqlCommand(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog','information_schema') AND table_name <> 'perf_floor_signals'",
            connection);
        return Convert.ToInt32(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }
}
