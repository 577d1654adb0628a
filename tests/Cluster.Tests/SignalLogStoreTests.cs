using Clarity.Grains.Interfaces;
using Clarity.Grains.State;
using Clarity.Silo.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Clarity.Cluster.Tests;

/// <summary>
/// The signal log through the silo's group-committing appender on both stores: durable
/// deduplication, positions, concurrent appends from many users, read (export, replay) and
/// delete (erasure).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SignalLogStoreTests(PostgresServer postgres)
{
    private static readonly DateTimeOffset At = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task PostgreSQL_log_deduplicates_orders_reads_and_erases()
    {
        var connectionString = await postgres.CreateDatabaseAsync("signal_log");
        await PostgresStore.EnsureSchemaAsync(connectionString);
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await CheckLogAsync(new PostgresSignalLogStore(dataSource));
        await CheckDecisionsAsync(new PostgresSignalLogStore(dataSource));
    }

    [Fact]
    public async Task SQLite_log_deduplicates_orders_reads_and_erases()
    {
        var directory = Path.Combine(Path.GetTempPath(), "clarity-sqlite-log-" + Guid.NewGuid().ToString("N"));
        try
        {
            SqliteStore.EnsureSchema(directory);
            await CheckLogAsync(new SqliteSignalLogStore(SqliteStore.ConnectionString(directory)));
            await CheckDecisionsAsync(new SqliteSignalLogStore(SqliteStore.ConnectionString(directory)));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Appends_queued_before_shutdown_commit_and_later_ones_are_refused()
    {
        var directory = Path.Combine(Path.GetTempPath(), "clarity-sqlite-log-" + Guid.NewGuid().ToString("N"));
        try
        {
            SqliteStore.EnsureSchema(directory);
            var log = new GroupCommitSignalLog(new SqliteSignalLogStore(SqliteStore.ConnectionString(directory)), new SignalLogOptions { MaxRowsPerAppend = 10 }, NullLogger<GroupCommitSignalLog>.Instance);
            // More appends than one flush carries, all queued before the shutdown starts.
            var queued = Enumerable.Range(0, 100).Select(u => log.AppendAsync("t1", $"user-{u}", [Signal("x")])).ToList();
            await log.DisposeAsync();
            Assert.All(await Task.WhenAll(queued), r => Assert.NotNull(Assert.Single(r)));
            await Assert.ThrowsAsync<StorageUnavailableException>(() => log.AppendAsync("t1", "late", [Signal("y")]));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task CheckLogAsync(ISignalLogStore store)
    {
        await using var log = new GroupCommitSignalLog(store, new SignalLogOptions { MaxRowsPerAppend = 50 }, NullLogger<GroupCommitSignalLog>.Instance);

        var first = await log.AppendAsync("t1", "alice", [Signal("a"), Signal("b")]);
        Assert.All(first, p => Assert.NotNull(p));
        Assert.True(first[1] > first[0]);

        // Known ids are duplicates (null), new ones get later positions; a repeat inside one batch counts once.
        var second = await log.AppendAsync("t1", "alice", [Signal("b"), Signal("c"), Signal("c")]);
        Assert.Null(second[0]);
        Assert.True(second[1] > first[1]);
        Assert.Null(second[2]);

        // The same ids for another user or tenant are not duplicates.
        Assert.All(await log.AppendAsync("t1", "bob", [Signal("a")]), p => Assert.NotNull(p));
        Assert.All(await log.AppendAsync("t2", "alice", [Signal("a")]), p => Assert.NotNull(p));

        // Many users at once: batched together, each caller gets its own answer.
        var many = await Task.WhenAll(Enumerable.Range(0, 200).Select(u => log.AppendAsync("t1", $"user-{u}", [Signal("x"), Signal("y")])));
        Assert.All(many, r => Assert.All(r, p => Assert.NotNull(p)));

        var alice = await log.ReadAsync("t1", "alice");
        Assert.Equal(["a", "b", "c"], alice.Select(e => e.Signal.Id));
        // The stored form round-trips the whole signal (export reads it back as is).
        Assert.Equal(SignalLogPayload.Serialize(Signal("b")), SignalLogPayload.Serialize(alice[1].Signal));
        Assert.Equal(["c"], (await log.ReadAsync("t1", "alice", first[1]!.Value)).Select(e => e.Signal.Id));

        Assert.Equal(3, await log.DeleteAsync("t1", "alice"));
        Assert.Empty(await log.ReadAsync("t1", "alice"));
        Assert.Single(await log.ReadAsync("t2", "alice"));
        // After erasure the ids are new again.
        Assert.All(await log.AppendAsync("t1", "alice", [Signal("a")]), p => Assert.NotNull(p));

        // The store itself, as the scale probe writes it: a repeat within one statement counts once.
        var row = new LogRow("t3", "carol", "s", SignalLogPayload.Serialize(Signal("s")));
        Assert.Single(await store.AppendAsync([row, row], CancellationToken.None));
        Assert.Empty(await store.AppendAsync([row], CancellationToken.None));
        Assert.Single(await store.AppendAsync([row with { SignalId = "s2" }], CancellationToken.None));
    }

    private static async Task CheckDecisionsAsync(ISignalLogStore sql)
    {
        var store = new DecisionStore(sql, NullLogger<DecisionStore>.Instance);
        static StoredDecision Decision(int n) => new($"d-{n}", $"{{\"n\":{n}}}");

        await store.WriteAsync("t1", "alice", [Decision(1), Decision(2)], keep: 3);
        // A known id keeps its place and payload; beyond the bound the oldest go first.
        await store.WriteAsync("t1", "alice", [Decision(1) with { Payload = "{}" }, Decision(3), Decision(4)], keep: 3);
        await store.WriteAsync("t1", "bob", [Decision(1)], keep: 3);

        var alice = await store.ReadAsync("t1", "alice", keep: 3);
        Assert.Equal(["d-2", "d-3", "d-4"], alice.Select(d => d.DecisionId));
        Assert.Equal("{\"n\":2}", alice[0].Payload);
        Assert.Equal(["d-3", "d-4"], (await store.ReadAsync("t1", "alice", keep: 2)).Select(d => d.DecisionId));

        Assert.Equal(3, await store.DeleteAsync("t1", "alice"));
        Assert.Empty(await store.ReadAsync("t1", "alice", keep: 3));
        Assert.Single(await store.ReadAsync("t1", "bob", keep: 3));

        // A batch of several users' writes (as the silo's queue hands over) lands whole, each user
        // pruned to its own bound, the same user twice in order.
        await sql.WriteDecisionsAsync(
            [
                new DecisionWrite("t1", "carol", [Decision(1), Decision(2)], 2),
                new DecisionWrite("t1", "dave", [Decision(5)], 2),
                new DecisionWrite("t1", "carol", [Decision(3)], 2),
            ],
            CancellationToken.None);
        Assert.Equal(["d-2", "d-3"], (await sql.ReadDecisionsAsync("t1", "carol", 5, CancellationToken.None)).Select(d => d.DecisionId));
        Assert.Equal(["d-5"], (await sql.ReadDecisionsAsync("t1", "dave", 5, CancellationToken.None)).Select(d => d.DecisionId));
        Assert.Single(await store.ReadAsync("t1", "bob", keep: 3));
    }

    private static SignalData Signal(string id) => new()
    {
        Id = id,
        Type = "purchase",
        OccurredAt = At,
        Item = new ItemData { Id = "sku-" + id, Category = "home/kitchen", Price = 12.5, Tags = ["gift"] },
        Context = new SignalContextData { SessionId = "s1" },
    };
}
