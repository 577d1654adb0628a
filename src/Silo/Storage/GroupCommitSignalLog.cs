using Clarity.Grains.Interfaces;
using Clarity.Grains.State;

namespace Clarity.Silo.Storage;

/// <summary>Group-commit settings (configuration section <c>Clarity:SignalLog</c>).</summary>
public sealed class SignalLogOptions
{
    /// <summary>Most rows one multi-row append carries. Default 2000.</summary>
    public int MaxRowsPerAppend { get; set; } = 2000;
}

/// <summary>
/// The silo-wide signal log: appends from every grain on the silo queue here and are written
/// together, one multi-row statement per flush. While flushes are in flight new appends
/// accumulate, so batches grow with load and durability costs one round trip per batch instead of
/// one per signal. Each caller's task completes only after its flush committed.
/// </summary>
/// <remarks>
/// The flushes run on threads of their own, with the store's synchronous API, not on the thread
/// pool: under load the pool's queue holds thousands of grain turns and HTTP work items, and a
/// flush whose I/O completion waited behind them held every signal in it for as long (hundreds of
/// milliseconds at 64 connections of batches), which is most of what a durable ingest waited for.
/// </remarks>
public sealed partial class GroupCommitSignalLog : ISignalLog, IAsyncDisposable
{
    private readonly ISignalLogStore _store;
    private readonly ILogger<GroupCommitSignalLog> _logger;
    private readonly int _maxRows;
    private readonly Queue<PendingAppend> _queue = new();
    // A plain object, not a Lock: flushers wait on it with Monitor.Wait.
    private readonly object _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Thread[] _flushers;
    private bool _closed;
    private int _disposed;

    public GroupCommitSignalLog(ISignalLogStore store, SignalLogOptions options, ILogger<GroupCommitSignalLog> logger)
    {
        _store = store;
        _logger = logger;
        _maxRows = Math.Max(1, options.MaxRowsPerAppend);
        _flushers = new Thread[Math.Max(1, store.MaxConcurrentAppends)];
        for (var i = 0; i < _flushers.Length; i++)
        {
            _flushers[i] = new Thread(FlushLoop) { IsBackground = true, Name = $"Clarity signal log {i}" };
            _flushers[i].Start();
        }
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
        var pending = new PendingAppend(rows);
        lock (_gate)
        {
            if (_closed)
            {
                throw new StorageUnavailableException("The signal log is shutting down; retry on another silo.");
            }
            _queue.Enqueue(pending);
            // One idle flusher is enough: it takes everything queued by the time it runs.
            Monitor.Pulse(_gate);
        }
        return pending.Completion.Task;
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

    private void FlushLoop()
    {
        var batch = new List<PendingAppend>();
        while (true)
        {
            var rows = 0;
            lock (_gate)
            {
                while (_queue.Count == 0)
                {
                    if (_closed)
                    {
                        return;
                    }
                    Monitor.Wait(_gate);
                }
                // Whatever queued while this flusher was busy goes out together.
                while (_queue.TryPeek(out var next) && (rows == 0 || rows + next.Rows.Length <= _maxRows))
                {
                    batch.Add(_queue.Dequeue());
                    rows += next.Rows.Length;
                }
            }
            Flush(batch, rows);
            batch.Clear();
        }
    }

    private void Flush(List<PendingAppend> batch, int rowCount)
    {
        try
        {
            var rows = new List<LogRow>(rowCount);
            foreach (var pending in batch)
            {
                rows.AddRange(pending.Rows);
            }
            var inserted = _store.Append(rows, _stopping.Token);
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
            // Every failure fails the callers, never the flusher: the next flush tries again.
            LogAppendFailed(exception, batch.Count, rowCount);
            var failure = new StorageUnavailableException("Clarity could not write its signal log; nothing was acknowledged, retry later.");
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(failure);
            }
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
        lock (_gate)
        {
            // New appends are refused; the flushers write what is queued, then stop.
            _closed = true;
            Monitor.PulseAll(_gate);
        }
        await Task.Run(() =>
        {
            foreach (var flusher in _flushers)
            {
                flusher.Join();
            }
        });
        await _stopping.CancelAsync();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Appending {Rows} signals from {Appends} grains to the signal log failed")]
    private partial void LogAppendFailed(Exception exception, int appends, int rows);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading or erasing the signal log failed")]
    private partial void LogReadFailed(Exception exception);

    private sealed class PendingAppend(LogRow[] rows)
    {
        public LogRow[] Rows { get; } = rows;

        // Continuations run elsewhere, so a flusher goes straight back to its queue.
        public TaskCompletionSource<IReadOnlyList<long?>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
