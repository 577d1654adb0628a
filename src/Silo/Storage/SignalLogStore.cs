using System.Threading.Channels;
using Clarity.Grains.Interfaces;
using Clarity.Grains.State;

namespace Clarity.Silo.Storage;

/// <summary>One row to append: whose signal, its id and its stored JSON.</summary>
public readonly record struct LogRow(string TenantId, string UserId, string SignalId, string Payload);

/// <summary>A row the store actually inserted (not a duplicate), with the position it got.</summary>
public readonly record struct LogInserted(string TenantId, string UserId, string SignalId, long Position);

/// <summary>One user's decisions to add (oldest first), keeping that user's newest <see cref="Keep"/>.</summary>
public sealed record DecisionWrite(string TenantId, string UserId, IReadOnlyList<StoredDecision> Decisions, int Keep);

/// <summary>
/// The SQL side of the signal log for one database. <see cref="AppendAsync"/> writes many users'
/// rows in one transaction with multi-row statements; rows whose (tenant, user, signal id) exists
/// are skipped and not returned.
/// </summary>
public interface ISignalLogStore
{
    /// <summary>How many log appends may run at once, unless configured (SQLite has one writer).</summary>
    int MaxConcurrentAppends { get; }

    /// <summary>How many decision writes may run at once; by default as many as appends.</summary>
    int MaxConcurrentDecisionWrites => MaxConcurrentAppends;

    Task<IReadOnlyList<LogInserted>> AppendAsync(IReadOnlyList<LogRow> rows, CancellationToken cancellationToken);

    Task<IReadOnlyList<LoggedSignal>> ReadAsync(string tenantId, string userId, long afterPosition, CancellationToken cancellationToken);

    Task<int> DeleteAsync(string tenantId, string userId, CancellationToken cancellationToken);

    /// <summary>Adds one user's decisions (an id already stored stays as it was) and keeps only the newest <paramref name="keep"/>, in one transaction.</summary>
    Task WriteDecisionsAsync(string tenantId, string userId, IReadOnlyList<StoredDecision> decisions, int keep, CancellationToken cancellationToken);

    /// <summary>
    /// Several users' decision writes, each as <see cref="WriteDecisionsAsync(string, string, IReadOnlyList{StoredDecision}, int, CancellationToken)"/>
    /// would do it. A store that can commits them together (SQLite: one transaction, one disk sync);
    /// by default they are written one user at a time.
    /// </summary>
    async Task WriteDecisionsAsync(IReadOnlyList<DecisionWrite> writes, CancellationToken cancellationToken)
    {
        foreach (var write in writes)
        {
            await WriteDecisionsAsync(write.TenantId, write.UserId, write.Decisions, write.Keep, cancellationToken);
        }
    }

    /// <summary>One user's newest <paramref name="keep"/> decisions, oldest first.</summary>
    Task<IReadOnlyList<StoredDecision>> ReadDecisionsAsync(string tenantId, string userId, int keep, CancellationToken cancellationToken);

    Task<int> DeleteDecisionsAsync(string tenantId, string userId, CancellationToken cancellationToken);
}

/// <summary>
/// The grains' view of the decision table: the store's SQL with failures turned into
/// <see cref="StorageUnavailableException"/>, which callers see as 503 with Retry-After.
/// </summary>
/// <remarks>
/// Writes from every grain on the silo queue here and are committed together, as the signal log's
/// are: every rerank records a decision, and one transaction (one disk sync on SQLite) per user and
/// write-behind tick made the grains' ticks queue on the store's single writer. While a commit is
/// in flight new writes accumulate; each caller's task completes only after its commit.
/// </remarks>
public sealed partial class DecisionStore : IDecisionStore, IAsyncDisposable
{
    // A bound on one transaction: each write is one user's decisions since the last tick.
    private const int MaxWritesPerCommit = 256;

    private readonly ISignalLogStore _store;
    private readonly ILogger<DecisionStore> _logger;
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _slots;
    private readonly Task _pump;
    private int _disposed;

    public DecisionStore(ISignalLogStore store, ILogger<DecisionStore> logger)
    {
        _store = store;
        _logger = logger;
        _slots = new SemaphoreSlim(Math.Max(1, store.MaxConcurrentDecisionWrites));
        _pump = Task.Run(PumpAsync);
    }

    public Task WriteAsync(string tenantId, string userId, IReadOnlyList<StoredDecision> decisions, int keep, CancellationToken cancellationToken = default)
    {
        if (decisions.Count == 0)
        {
            return Task.CompletedTask;
        }
        var pending = new PendingWrite(new DecisionWrite(tenantId, userId, decisions, keep));
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new StorageUnavailableException("Clarity is shutting down and could not write its decisions; retry on another silo.");
        }
        // A caller that stops waiting may still see its decisions committed: writing a stored id
        // again keeps it as it was, so the retry is harmless.
        return pending.Completion.Task.WaitAsync(cancellationToken);
    }

    private async Task PumpAsync()
    {
        var reader = _queue.Reader;
        var flushes = new List<Task>();
        while (await reader.WaitToReadAsync())
        {
            // Take a slot first, then drain: whatever queued while the slots were busy goes out together.
            await _slots.WaitAsync();
            var batch = new List<PendingWrite>();
            while (batch.Count < MaxWritesPerCommit && reader.TryRead(out var next))
            {
                batch.Add(next);
            }
            if (batch.Count == 0)
            {
                _slots.Release();
                continue;
            }
            flushes.RemoveAll(t => t.IsCompleted);
            flushes.Add(FlushAsync(batch));
        }
        await Task.WhenAll(flushes);
    }

    private async Task FlushAsync(List<PendingWrite> batch)
    {
        try
        {
            var writes = new DecisionWrite[batch.Count];
            for (var i = 0; i < writes.Length; i++)
            {
                writes[i] = batch[i].Write;
            }
            await _store.WriteDecisionsAsync(writes, CancellationToken.None);
            foreach (var pending in batch)
            {
                pending.Completion.TrySetResult();
            }
        }
        catch (Exception exception)
        {
            // Nothing of the batch is acknowledged; the grains keep their decisions and retry.
            LogWriteFailed(_logger, exception, batch.Count);
            var failure = GroupCommitSignalLog.IsStoreFailure(exception)
                ? new StorageUnavailableException("Clarity could not write its decisions; retry later.")
                : exception;
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(failure);
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    public async Task<IReadOnlyList<StoredDecision>> ReadAsync(string tenantId, string userId, int keep, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _store.ReadDecisionsAsync(tenantId, userId, keep, cancellationToken);
        }
        catch (Exception exception) when (GroupCommitSignalLog.IsStoreFailure(exception))
        {
            LogFailed(_logger, exception);
            throw new StorageUnavailableException("Clarity could not read its decisions; retry later.");
        }
    }

    public async Task<int> DeleteAsync(string tenantId, string userId, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _store.DeleteDecisionsAsync(tenantId, userId, cancellationToken);
        }
        catch (Exception exception) when (GroupCommitSignalLog.IsStoreFailure(exception))
        {
            LogFailed(_logger, exception);
            throw new StorageUnavailableException("Clarity could not erase its decisions; retry later.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        // Writes already queued are committed before the store goes away.
        _queue.Writer.TryComplete();
        await _pump;
        _slots.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading or erasing stored decisions failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing the decisions of {Writes} users failed")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int writes);

    private sealed class PendingWrite(DecisionWrite write)
    {
        public DecisionWrite Write { get; } = write;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
