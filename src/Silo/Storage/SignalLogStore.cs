using Clarity.Grains.Interfaces;
using Clarity.Grains.State;

namespace Clarity.Silo.Storage;

/// <summary>One row to append: whose signal, its id and its stored JSON.</summary>
public readonly record struct LogRow(string TenantId, string UserId, string SignalId, string Payload);

/// <summary>A row the store actually inserted (not a duplicate), with the position it got.</summary>
public readonly record struct LogInserted(string TenantId, string UserId, string SignalId, long Position);

/// <summary>
/// The SQL side of the signal log for one database. <see cref="AppendAsync"/> writes many users'
/// rows in one transaction with multi-row statements; rows whose (tenant, user, signal id) exists
/// are skipped and not returned.
/// </summary>
public interface ISignalLogStore
{
    /// <summary>How many appends may run at once (PostgreSQL gains from a few; SQLite has one writer).</summary>
    int MaxConcurrentAppends { get; }

    Task<IReadOnlyList<LogInserted>> AppendAsync(IReadOnlyList<LogRow> rows, CancellationToken cancellationToken);

    Task<IReadOnlyList<LoggedSignal>> ReadAsync(string tenantId, string userId, long afterPosition, CancellationToken cancellationToken);

    Task<int> DeleteAsync(string tenantId, string userId, CancellationToken cancellationToken);

    /// <summary>Adds one user's decisions (an id already stored stays as it was) and keeps only the newest <paramref name="keep"/>, in one transaction.</summary>
    Task WriteDecisionsAsync(string tenantId, string userId, IReadOnlyList<StoredDecision> decisions, int keep, CancellationToken cancellationToken);

    /// <summary>One user's newest <paramref name="keep"/> decisions, oldest first.</summary>
    Task<IReadOnlyList<StoredDecision>> ReadDecisionsAsync(string tenantId, string userId, int keep, CancellationToken cancellationToken);

    Task<int> DeleteDecisionsAsync(string tenantId, string userId, CancellationToken cancellationToken);
}

/// <summary>
/// The grains' view of the decision table: the store's SQL with failures turned into
/// <see cref="StorageUnavailableException"/>, which callers see as 503 with Retry-After.
/// </summary>
public sealed partial class DecisionStore(ISignalLogStore store, ILogger<DecisionStore> logger) : IDecisionStore
{
    public async Task WriteAsync(string tenantId, string userId, IReadOnlyList<StoredDecision> decisions, int keep, CancellationToken cancellationToken = default)
    {
        try
        {
            await store.WriteDecisionsAsync(tenantId, userId, decisions, keep, cancellationToken);
        }
        catch (Exception exception) when (GroupCommitSignalLog.IsStoreFailure(exception))
        {
            LogFailed(logger, exception);
            throw new StorageUnavailableException("Clarity could not write its decisions; retry later.");
        }
    }

    public async Task<IReadOnlyList<StoredDecision>> ReadAsync(string tenantId, string userId, int keep, CancellationToken cancellationToken = default)
    {
        try
        {
            return await store.ReadDecisionsAsync(tenantId, userId, keep, cancellationToken);
        }
        catch (Exception exception) when (GroupCommitSignalLog.IsStoreFailure(exception))
        {
            LogFailed(logger, exception);
            throw new StorageUnavailableException("Clarity could not read its decisions; retry later.");
        }
    }

    public async Task<int> DeleteAsync(string tenantId, string userId, CancellationToken cancellationToken = default)
    {
        try
        {
            return await store.DeleteDecisionsAsync(tenantId, userId, cancellationToken);
        }
        catch (Exception exception) when (GroupCommitSignalLog.IsStoreFailure(exception))
        {
            LogFailed(logger, exception);
            throw new StorageUnavailableException("Clarity could not erase its decisions; retry later.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading, writing or erasing stored decisions failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
