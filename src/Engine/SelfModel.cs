using Clarity.Engine.Beliefs;

namespace Clarity.Engine;

/// <summary>
/// The engine's state for one user: beliefs plus the bounded bookkeeping the interpreters need.
/// Mutable and owned by exactly one caller at a time (a grain activation, or the evaluation replay).
/// </summary>
public sealed partial class SelfModel
{
    private readonly Dictionary<BeliefKey, Belief> _beliefs = [];
    private readonly HashSet<string> _recentIds = new(StringComparer.Ordinal);
    private readonly Queue<string> _recentIdOrder = new();

    public IReadOnlyDictionary<BeliefKey, Belief> Beliefs => _beliefs;

    /// <summary>Event time of the earliest signal applied.</summary>
    public DateTimeOffset? FirstSignalAt { get; set; }

    /// <summary>Event time of the latest signal applied.</summary>
    public DateTimeOffset? LastSignalAt { get; set; }

    /// <summary>Signals applied (duplicates excluded).</summary>
    public long SignalCount { get; set; }

    /// <summary>Recent signal ids, oldest first, for deduplication and persistence.</summary>
    public IEnumerable<string> RecentSignalIds => _recentIdOrder;

    public bool TryGet(BeliefKey key, out Belief belief) => _beliefs.TryGetValue(key, out belief!);

    public Belief? Find(string beliefId)
    {
        foreach (var belief in _beliefs.Values)
        {
            if (belief.Id == beliefId)
            {
                return belief;
            }
        }
        return null;
    }

    internal Belief GetOrAdd(BeliefKey key, DateTimeOffset at, out bool created)
    {
        if (_beliefs.TryGetValue(key, out var belief))
        {
            created = false;
            return belief;
        }
        belief = new Belief(key, at);
        _beliefs.Add(key, belief);
        created = true;
        return belief;
    }

    /// <summary>Adds a belief restored from storage.</summary>
    public void Restore(Belief belief) => _beliefs[belief.Key] = belief;

    internal bool Remove(BeliefKey key) => _beliefs.Remove(key);

    internal bool HasSeen(string signalId) => _recentIds.Contains(signalId);

    /// <summary>Remembers a signal id, forgetting the oldest beyond <paramref name="bound"/>.</summary>
    public void RememberSignalId(string signalId, int bound)
    {
        if (bound <= 0 || !_recentIds.Add(signalId))
        {
            return;
        }
        _recentIdOrder.Enqueue(signalId);
        while (_recentIdOrder.Count > bound)
        {
            _recentIds.Remove(_recentIdOrder.Dequeue());
        }
    }
}
