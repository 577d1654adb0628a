using Clarity.Engine.Beliefs;

namespace Clarity.Engine.Ranking;

/// <summary>A belief as it was when a decision was made.</summary>
public sealed record BeliefRecord(
    string Id,
    BeliefKey Key,
    string Statement,
    double Confidence,
    double Evidence,
    BeliefStatus Status,
    BeliefSource Source);

/// <summary>
/// A belief's signed effect on one candidate: what feedback credits or blames. Objective effects
/// (diversity) have no belief and are not listed.
/// </summary>
public readonly record struct Driver(BeliefKey Key, double Effect);

/// <summary>A recorded rerank: the request, the answer, the beliefs as they were, and what drove each item.</summary>
public sealed record Decision(
    string Id,
    RerankRequest Request,
    RerankResult Result,
    IReadOnlyList<BeliefRecord> Beliefs,
    IReadOnlyDictionary<string, Driver[]> Drivers);

/// <summary>The last N decisions of one user, by id.</summary>
internal sealed class DecisionLog
{
    // Allocated on the first decision: a self-model that is never reranked keeps none.
    private Dictionary<string, Decision>? _byId;
    private Queue<string>? _order;

    public IEnumerable<Decision> All => _order is null ? [] : _order.Select(id => _byId![id]);

    public Decision? Find(string id) => _byId?.GetValueOrDefault(id);

    /// <summary>
    /// Puts decisions read back from storage (oldest first) before the ones recorded since, keeping
    /// the newest <paramref name="bound"/> and one copy of each id.
    /// </summary>
    public void RestoreOlder(IEnumerable<Decision> older, int bound)
    {
        var (byId, order) = Ensure();
        var newer = order.ToList();
        order.Clear();
        foreach (var decision in older)
        {
            if (byId.TryAdd(decision.Id, decision))
            {
                order.Enqueue(decision.Id);
            }
        }
        foreach (var id in newer)
        {
            order.Enqueue(id);
        }
        while (order.Count > Math.Max(0, bound))
        {
            byId.Remove(order.Dequeue());
        }
    }

    public void Record(Decision decision, int bound)
    {
        if (bound <= 0)
        {
            return;
        }
        var (byId, order) = Ensure();
        // The same request on the same model is the same decision (same id): keep one copy.
        if (byId.TryAdd(decision.Id, decision))
        {
            order.Enqueue(decision.Id);
        }
        while (order.Count > bound)
        {
            byId.Remove(order.Dequeue());
        }
    }

    private (Dictionary<string, Decision> ById, Queue<string> Order) Ensure() =>
        (_byId ??= new(StringComparer.Ordinal), _order ??= new());
}
