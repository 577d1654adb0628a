using Clarity.Grains.Interfaces;
using Clarity.Grains.State;
using Clarity.Silo.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Clarity.Grains.Tests;

/// <summary>Decision writes from many grains are committed together, and each caller learns the outcome of its own commit.</summary>
public sealed class DecisionGroupCommitTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "clarity-decision-commit-" + Guid.NewGuid().ToString("N"));
    private SqliteSignalLogStore _sqlite = null!;

    public Task InitializeAsync()
    {
        SqliteStore.EnsureSchema(_directory);
        _sqlite = new SqliteSignalLogStore(SqliteStore.ConnectionString(_directory));
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    private static StoredDecision Decision(string id) => new(id, $"{{\"n\":\"{id}\"}}");

    [Fact]
    public async Task Writes_queued_behind_a_commit_go_out_together_in_the_next_one()
    {
        var gated = new GatedStore(_sqlite);
        await using var store = new DecisionStore(gated, NullLogger<DecisionStore>.Instance);

        var first = store.WriteAsync("t1", "u0", [Decision("d-0")], keep: 2);
        await gated.FirstCommitStarted.Task;
        var queued = Enumerable.Range(1, 10).Select(u => store.WriteAsync("t1", $"u{u}", [Decision("d-a"), Decision("d-b"), Decision("d-c")], keep: 2)).ToList();
        Assert.False(first.IsCompleted);
        gated.Release.SetResult();
        await Task.WhenAll(queued.Append(first));

        Assert.Equal([1, 10], gated.BatchSizes);
        Assert.Equal(["d-0"], (await store.ReadAsync("t1", "u0", keep: 2)).Select(d => d.DecisionId));
        for (var u = 1; u <= 10; u++)
        {
            // Each user's bound applies within the shared commit.
            Assert.Equal(["d-b", "d-c"], (await store.ReadAsync("t1", $"u{u}", keep: 10)).Select(d => d.DecisionId));
        }
    }

    [Fact]
    public async Task A_failed_commit_fails_every_write_in_it_and_the_next_one_succeeds()
    {
        var failing = new FailingOnceStore(_sqlite);
        await using var store = new DecisionStore(failing, NullLogger<DecisionStore>.Instance);

        await Assert.ThrowsAsync<StorageUnavailableException>(() => store.WriteAsync("t1", "alice", [Decision("d-1")], keep: 5));
        Assert.Empty(await store.ReadAsync("t1", "alice", keep: 5));

        await store.WriteAsync("t1", "alice", [Decision("d-1")], keep: 5);
        Assert.Equal(["d-1"], (await store.ReadAsync("t1", "alice", keep: 5)).Select(d => d.DecisionId));
    }

    [Fact]
    public async Task After_disposal_a_write_is_refused_as_storage_trouble()
    {
        var store = new DecisionStore(_sqlite, NullLogger<DecisionStore>.Instance);
        await store.WriteAsync("t1", "bob", [Decision("d-1")], keep: 5);
        await store.DisposeAsync();

        Assert.Throws<StorageUnavailableException>(() => { _ = store.WriteAsync("t1", "bob", [Decision("d-2")], keep: 5); });
        Assert.Equal(["d-1"], (await _sqlite.ReadDecisionsAsync("t1", "bob", 5, CancellationToken.None)).Select(d => d.DecisionId));
    }

    /// <summary>Holds the first commit until released, and records how many users' writes each commit carried.</summary>
    private sealed class GatedStore(ISignalLogStore inner) : DelegatingStore(inner)
    {
        public TaskCompletionSource FirstCommitStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<int> BatchSizes { get; } = [];

        public override async Task WriteDecisionsAsync(IReadOnlyList<DecisionWrite> writes, CancellationToken cancellationToken)
        {
            lock (BatchSizes)
            {
                BatchSizes.Add(writes.Count);
            }
            if (FirstCommitStarted.TrySetResult())
            {
                await Release.Task;
            }
            await Inner.WriteDecisionsAsync(writes, cancellationToken);
        }
    }

    private sealed class FailingOnceStore(ISignalLogStore inner) : DelegatingStore(inner)
    {
        private int _calls;

        public override Task WriteDecisionsAsync(IReadOnlyList<DecisionWrite> writes, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _calls) == 1
                ? throw new IOException("disk full")
                : Inner.WriteDecisionsAsync(writes, cancellationToken);
    }

    private abstract class DelegatingStore(ISignalLogStore inner) : ISignalLogStore
    {
        protected ISignalLogStore Inner { get; } = inner;

        public int MaxConcurrentAppends => 1;

        public abstract Task WriteDecisionsAsync(IReadOnlyList<DecisionWrite> writes, CancellationToken cancellationToken);

        public Task<IReadOnlyList<LogInserted>> AppendAsync(IReadOnlyList<LogRow> rows, CancellationToken cancellationToken) => Inner.AppendAsync(rows, cancellationToken);

        public Task<IReadOnlyList<LoggedSignal>> ReadAsync(string tenantId, string userId, long afterPosition, CancellationToken cancellationToken) =>
            Inner.ReadAsync(tenantId, userId, afterPosition, cancellationToken);

        public Task<int> DeleteAsync(string tenantId, string userId, CancellationToken cancellationToken) => Inner.DeleteAsync(tenantId, userId, cancellationToken);

        public Task WriteDecisionsAsync(string tenantId, string userId, IReadOnlyList<StoredDecision> decisions, int keep, CancellationToken cancellationToken) =>
            WriteDecisionsAsync([new DecisionWrite(tenantId, userId, decisions, keep)], cancellationToken);

        public Task<IReadOnlyList<StoredDecision>> ReadDecisionsAsync(string tenantId, string userId, int keep, CancellationToken cancellationToken) =>
            Inner.ReadDecisionsAsync(tenantId, userId, keep, cancellationToken);

        public Task<int> DeleteDecisionsAsync(string tenantId, string userId, CancellationToken cancellationToken) => Inner.DeleteDecisionsAsync(tenantId, userId, cancellationToken);
    }
}
