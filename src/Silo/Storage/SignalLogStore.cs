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
}
