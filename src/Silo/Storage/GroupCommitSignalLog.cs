using System.Collections.Concurrent;
using Clarity.Grains.Interfaces;
using Clarity.Grains.State;

namespace Clarity.Silo.Storage;

/// <summary>Group-commit settings (configuration section <c>Clarity:SignalLog</c>).</summary>
public sealed class SignalLogOptions
{
    /// <summary>Most rows one multi-row append carries. Default 2000.</summary>
    public int MaxRowsPerAppend { get; set; } = 2000;

    /// <summary>
    /// Most flushes in flight at once; unset, the store's own bound (1 on PostgreSQL and SQLite).
    /// Fewer flushes carry more rows each, and on a small server a commit's fixed cost, not its rows,
    /// is most of what a one-signal append costs PostgreSQL; more help only a server with the cores
    /// and disks to commit several at once.
    /// </summary>
    public int? MaxConcurrentFlushes { get; set; }

    /// <summary>One message per invalid setting, naming the key.</summary>
    public IEnumerable<string> Validate()
    {
        if (MaxRowsPerAppend < 1)
        {
            yield return $"Clarity:SignalLog:MaxRowsPerAppend must be at least 1 (got {MaxRowsPerAppend}).";
        }
        if (MaxConcurrentFlushes < 1)
        {
            yield return $"Clarity:SignalLog:MaxConcurrentFlushes must be at least 1 when set (got {MaxConcurrentFlushes}).";
        }
    }
}

/// <summary>
/// The silo-wide signal log: appends from every grain on the silo queue here and are written
/// together, one multi-row statement per flush. While flushes are in flight new appends
/// accumulate, so batches grow with load and durability costs one round trip per batch instead of
/// one per signal. Each caller's task completes only after its flush committed.
/// </summary>
public sealed partial class GroupCommitSignalLog : ISignalLog, IAsyncDisposable
{
    private readonly ISignalLogStore _store;
    private readonly ILogger<GroupCommitSignalLog> _logger;
    private readonly int _maxRows;
    // Every grain on the silo appends here, one call per user: with a batch of 100 signals for 100
    // users that is 100 appends at once. A channel takes a lock per write, and on the batch
    // workload waiting for it was about 4% of the gateway's CPU, so the queue is lock-free and the
    // pump is woken only when it announced that it sleeps (see WakePump and PumpAsync).
    private readonly ConcurrentQueue<PendingAppend> _queue = new();
    private readonly SemaphoreSlim _wake = new(0);
    private int _pumpSleeps;
    private int _closed;
    private int _drained;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _pump;
    private int _disposed;

    public GroupCommitSignalLog(ISignalLogStore store, SignalLogOptions options, ILogger<GroupCommitSignalLog> logger)
    {
        _store = store;
        _logger = logger;
        _maxRows = Math.Max(1, options.MaxRowsPerAppend);
        _slots = new SemaphoreSlim(Math.Max(1, options.MaxConcurrentFlushes ?? store.MaxConcurrentAppends));
        _pump = Task.Run(PumpAsync);
    }

    public Task<IReadOnlyList<long?>> AppendAsync(string tenantId, string userId, IReadOnlyList<SignalData> signals)
    {
        if (signals.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<long?>>([]);
        }
        var rows = new LogRow[signals.Count];
        for (var i = 0; i < signals.Count; i++)
        {
            rows[i] = new LogRow(tenantId, userId, signals[i].Id, SignalLogPayload.Serialize(signals[i]));
        }
        if (Volatile.Read(ref _closed) == 1)
        {
            throw ShuttingDown();
        }
        var pending = new PendingAppend(rows);
        _queue.Enqueue(pending);
        if (Volatile.Read(ref _drained) == 1)
        {
            // Closed after the check above and the pump is gone: fail what it will never take.
            FailQueued();
        }
        WakePump();
        return pending.Completion.Task;
    }

    private static StorageUnavailableException ShuttingDown() => new("The signal log is shutting down; retry on another silo.");

    // The enqueue before it is a full fence, and so is the pump's announcement before it looks at
    // the queue again: either the pump sees the new append, or this sees that it sleeps.
    private void WakePump()
    {
        if (Volatile.Read(ref _pumpSleeps) == 1 && Interlocked.Exchange(ref _pumpSleeps, 0) == 1)
        {
            _wake.Release();
        }
    }

    private void FailQueued()
    {
        while (_queue.TryDequeue(out var pending))
        {
            pending.Completion.TrySetException(ShuttingDown());
        }
    }

    public async Task<IReadOnlyList<LoggedSignal>> ReadAsync(string tenantId, string userId, long afterPosition = 0, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _store.ReadAsync(tenantId, userId, afterPosition, cancellationToken);
        }
        catch (Exception exception) when (IsStoreFailure(exception))
        {
            LogReadFailed(exception);
            throw new StorageUnavailableException("Clarity could not read its signal log; retry later.");
        }
    }

    public async Task<int> DeleteAsync(string tenantId, string userId, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _store.DeleteAsync(tenantId, userId, cancellationToken);
        }
        catch (Exception exception) when (IsStoreFailure(exception))
        {
            LogReadFailed(exception);
            throw new StorageUnavailableException("Clarity could not erase from its signal log; retry later.");
        }
    }

    private async Task PumpAsync()
    {
        var flushes = new List<Task>();
        while (true)
        {
            if (_queue.IsEmpty)
            {
                if (Volatile.Read(ref _closed) == 1)
                {
                    break;
                }
                Interlocked.Exchange(ref _pumpSleeps, 1);
                if (!_queue.IsEmpty || Volatile.Read(ref _closed) == 1)
                {
                    // Work came in while announcing: take the announcement back, or, when an
                    // append already took it, absorb the wake-up it sends.
                    if (Interlocked.Exchange(ref _pumpSleeps, 0) == 0)
                    {
                        await _wake.WaitAsync();
                    }
                    continue;
                }
                await _wake.WaitAsync();
                continue;
            }
            // Take a slot first, then drain: whatever queued while the slots were busy goes out together.
            await _slots.WaitAsync();
            var batch = new List<PendingAppend>();
            var rows = 0;
            while (rows < _maxRows && _queue.TryPeek(out var next) && (rows == 0 || rows + next.Rows.Length <= _maxRows) && _queue.TryDequeue(out next))
            {
                batch.Add(next);
                rows += next.Rows.Length;
            }
            if (batch.Count == 0)
            {
                _slots.Release();
                continue;
            }
            flushes.RemoveAll(t => t.IsCompleted);
            flushes.Add(FlushAsync(batch, rows));
        }
        await Task.WhenAll(flushes);
    }

    private async Task FlushAsync(List<PendingAppend> batch, int rowCount)
    {
        try
        {
            var rows = new List<LogRow>(rowCount);
            foreach (var pending in batch)
            {
                rows.AddRange(pending.Rows);
            }
            var inserted = await _store.AppendAsync(rows, _stopping.Token);
            var positions = new Dictionary<(string, string, string), long>(inserted.Count);
            foreach (var row in inserted)
            {
                positions[(row.TenantId, row.UserId, row.SignalId)] = row.Position;
            }
            foreach (var pending in batch)
            {
                var result = new long?[pending.Rows.Length];
                for (var i = 0; i < result.Length; i++)
                {
                    var row = pending.Rows[i];
                    // Remove so that a repeated id within one append counts once, the rest as duplicates.
                    result[i] = positions.Remove((row.TenantId, row.UserId, row.SignalId), out var position) ? position : null;
                }
                pending.Completion.TrySetResult(result);
            }
        }
        catch (Exception exception)
        {
            LogAppendFailed(exception, batch.Count, rowCount);
            var failure = new StorageUnavailableException("Clarity could not write its signal log; nothing was acknowledged, retry later.");
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

    internal static bool IsStoreFailure(Exception exception) =>
        exception is System.Data.Common.DbException or TimeoutException or System.Net.Sockets.SocketException or InvalidOperationException or IOException;

    public async ValueTask DisposeAsync()
    {
        // Registered under two service types, so the container may dispose it twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        // Appends already queued are flushed; later ones are refused, and one that raced past the
        // refusal while the pump was stopping is failed here or by itself (see AppendAsync).
        Interlocked.Exchange(ref _closed, 1);
        if (Interlocked.Exchange(ref _pumpSleeps, 0) == 1)
        {
            _wake.Release();
        }
        await _pump;
        Interlocked.Exchange(ref _drained, 1);
        FailQueued();
        await _stopping.CancelAsync();
        _stopping.Dispose();
        _slots.Dispose();
        _wake.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Appending {Rows} signals from {Appends} grains to the signal log failed")]
    private partial void LogAppendFailed(Exception exception, int appends, int rows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading or erasing the signal log failed")]
    private partial void LogReadFailed(Exception exception);

    private sealed class PendingAppend(LogRow[] rows)
    {
        public LogRow[] Rows { get; } = rows;

        public TaskCompletionSource<IReadOnlyList<long?>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
