using Orleans.Concurrency;

namespace Clarity.Grains.Interfaces;

/// <summary>
/// One user's self-model. Key: <see cref="SelfModelKey.For"/>(tenant, user). Internal services may
/// call it directly through the Orleans client with the same guarantees as the HTTP gateway:
/// an ingest that returns has made its signals durable.
/// </summary>
[Alias("Clarity.ISelfModelGrain")]
public partial interface ISelfModelGrain : IGrainWithStringKey
{
    /// <summary>
    /// Applies a batch of this user's signals. Returns once they are durable. Signals whose id was
    /// already accepted for this user are counted as duplicates and change nothing. The list is
    /// passed without a copy (<c>[Immutable]</c>): callers must not change it while the call runs,
    /// and the grain only reads it.
    /// </summary>
    [Alias("Ingest")]
    Task<IngestResult> IngestAsync([Immutable] IReadOnlyList<SignalData> signals);

    /// <summary>The self-model evaluated at <paramref name="asOf"/> (now when null). Confidence is computed at call time.</summary>
    [Alias("GetSelfModel")]
    [ReadOnly]
    Task<SelfModelView> GetSelfModelAsync(DateTimeOffset? asOf);

    /// <summary>
    /// Re-ranks the client's candidates with this user's beliefs and records the decision (the last
    /// 100 per user by default) for audit and feedback. The record is written behind, not before the
    /// answer: it is durable within the grain's snapshot period, at deactivation, and always before a
    /// signal that answers it is acknowledged.
    /// </summary>
    [Alias("Rerank")]
    Task<RerankResponse> RerankAsync(RerankCall request);

    /// <summary>A recorded rerank decision: request, response and the beliefs as they were; null once gone.</summary>
    [Alias("GetDecision")]
    [ReadOnly]
    Task<DecisionView?> GetDecisionAsync(string decisionId);
}

/// <summary>Builds grain keys that never collide across tenants or users.</summary>
public static class SelfModelKey
{
    /// <summary>
    /// "u:" + tenant + "|" + user. The non-hex prefix keeps Orleans from reading the key as an integer
    /// or Guid (which would make "cafe" and "CAFE" the same grain); tenant ids cannot contain '|'.
    /// </summary>
    public static string For(string tenantId, string userId)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenantId);
        ArgumentException.ThrowIfNullOrEmpty(userId);
        if (tenantId.Contains('|', StringComparison.Ordinal))
        {
            throw new ArgumentException("Tenant ids cannot contain '|'.", nameof(tenantId));
        }
        return $"u:{tenantId}|{userId}";
    }

    /// <summary>Splits a key made by <see cref="For"/>.</summary>
    public static (string TenantId, string UserId) Parse(string key)
    {
        var bar = key.IndexOf('|', StringComparison.Ordinal);
        if (!key.StartsWith("u:", StringComparison.Ordinal) || bar < 3)
        {
            throw new FormatException($"Not a self-model key: '{key}'.");
        }
        return (key[2..bar], key[(bar + 1)..]);
    }
}
