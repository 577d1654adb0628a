using Clarity.Engine.Beliefs;
using Clarity.Engine.Interpretation;
using Clarity.Engine.Ranking;
using Clarity.Engine.Signals;

namespace Clarity.Engine;

/// <summary>Beliefs plus the interpreters' memory: the state that signals are applied to, in event-time order.</summary>
/// <remarks>
/// Copy-on-write: the current state is the folded one plus the reorder window replayed, so most of
/// its beliefs and statistics are the folded state's, untouched. They are shared (marked
/// <see cref="Belief.Shared"/>) until either state changes one, which then takes its own copy. Every
/// change goes through <see cref="Own"/> (beliefs) or <see cref="History.Touch(string, long, int)"/> (statistics).
/// </remarks>
internal sealed class ModelCore
{
    public BeliefMap Beliefs { get; private init; } = new();

    /// <summary>The model this state belongs to (for the user's evidence cutoffs).</summary>
    public SelfModel? Owner { get; set; }

    public History History { get; set; } = new();

    /// <summary>A copy that shares every belief and statistic with this state until one side changes it.</summary>
    public ModelCore Share()
    {
        var copy = new ModelCore { History = History.Share(), Owner = Owner, Beliefs = new BeliefMap(Beliefs.Count) };
        foreach (var (key, belief) in Beliefs)
        {
            belief.Shared = true;
            copy.Beliefs.Add(key, belief);
        }
        return copy;
    }

    /// <summary>The belief to change in this state: itself, or this state's own copy when it is shared.</summary>
    public Belief Own(Belief belief)
    {
        if (!belief.Shared)
        {
            return belief;
        }
        // The other state keeps the original, now its own.
        belief.Shared = false;
        var copy = belief.Clone();
        Beliefs[belief.Key] = copy;
        return copy;
    }
}

/// <summary>
/// The engine's state for one user. Mutable and owned by exactly one caller at a time (a grain
/// activation, or the evaluation replay).
/// </summary>
/// <remarks>
/// Order independence: the model is <c>Folded</c> (every signal older than the reorder window,
/// applied in event-time order) plus the <c>Window</c> (recent signals sorted by event time) replayed
/// on top into <c>Current</c>. A signal newer than the window is applied to Current directly; a late
/// one is inserted and Current is rebuilt, so it is interpreted exactly as if it had arrived in order.
/// The boundary: a signal older than the whole window is applied to Folded out of order; its additive
/// evidence is still exact (decay is closed-form), but context-dependent readings (replacement,
/// research, streaks, saturation) see the history as it stands.
/// </remarks>
public sealed partial class SelfModel
{
    // Allocated on the first id remembered: a host that deduplicates elsewhere (a silo's signal log)
    // turns the set off and holds none.
    private HashSet<string>? _recentIds;
    private Queue<string>? _recentIdOrder;

    private ModelCore _current;
    private ModelCore _folded;

    // FoldedThrough: 16 bytes, where a nullable pair takes 24.
    private long _foldedThroughTicks;
    private string? _foldedThroughId;

    public SelfModel()
    {
        _current = new ModelCore { Owner = this };
        _folded = new ModelCore { Owner = this };
    }

    internal ModelCore Current { get => _current; set => (_current = value).Owner = this; }

    internal ModelCore Folded { get => _folded; set => (_folded = value).Owner = this; }

    /// <summary>Recent signals sorted by (event time, id): the reorder window.</summary>
    internal SignalWindow Window { get; } = new();

    internal DecisionLog Decisions { get; } = new();

    /// <summary>
    /// The event time and id of the latest signal folded out of the reorder window (null while
    /// nothing has been folded): a signal ordered before it is beyond the reorder boundary.
    /// </summary>
    /// <remarks>
    /// The two values, not the signal: every user holds the boundary for life, and a signal object
    /// (with its item) made at every fold only for them was Apply's one allocation of its own.
    /// </remarks>
    internal (long UtcTicks, string Id)? FoldedThrough
    {
        get => _foldedThroughId is { } id ? (_foldedThroughTicks, id) : null;
        set => (_foldedThroughTicks, _foldedThroughId) = value is { } boundary ? (boundary.UtcTicks, boundary.Id) : (0, null);
    }

    public IReadOnlyDictionary<BeliefKey, Belief> Beliefs => Current.Beliefs;

    /// <summary>The beliefs of the folded state (before the reorder window), for persistence with <see cref="WindowSignals"/>.</summary>
    public IReadOnlyDictionary<BeliefKey, Belief> FoldedBeliefs => Folded.Beliefs;

    /// <summary>Signals in the reorder window, oldest first (for persistence).</summary>
    public IReadOnlyList<Signal> WindowSignals => Window.ToList();

    /// <summary>Event time of the earliest signal applied.</summary>
    public DateTimeOffset? FirstSignalAt { get; set; }

    /// <summary>Event time of the latest signal applied.</summary>
    public DateTimeOffset? LastSignalAt { get; set; }

    /// <summary>Signals applied (duplicates excluded).</summary>
    public long SignalCount { get; set; }

    /// <summary>Recent signal ids, oldest first, for deduplication and persistence.</summary>
    public IEnumerable<string> RecentSignalIds => _recentIdOrder ?? Enumerable.Empty<string>();

    public bool TryGet(BeliefKey key, out Belief belief) => Current.Beliefs.TryGetValue(key, out belief!);

    public Belief? Find(string beliefId)
    {
        foreach (var belief in Current.Beliefs.Values)
        {
            if (belief.Id == beliefId)
            {
                return belief;
            }
        }
        return null;
    }

    /// <summary>A recorded rerank decision, or null once forgotten.</summary>
    public Decision? FindDecision(string decisionId) => Decisions.Find(decisionId);

    /// <summary>Recorded decisions, oldest first.</summary>
    public IEnumerable<Decision> RecordedDecisions => Decisions.All;

    /// <summary>Adds a belief restored from storage (to the folded state, which Current is rebuilt from).</summary>
    public void Restore(Belief belief)
    {
        belief.ReportedStatus = belief.Status;
        belief.Shared = !ReferenceEquals(Folded, Current);
        Folded.Beliefs[belief.Key] = belief;
        Current.Beliefs[belief.Key] = belief;
    }

    /// <summary>Gets or adds a belief in the current state (and the folded one, so that a rebuild keeps it).</summary>
    internal Belief GetOrAdd(BeliefKey key, DateTimeOffset at, out bool created)
    {
        if (Current.Beliefs.TryGetValue(key, out var belief))
        {
            created = false;
            return Current.Own(belief);
        }
        belief = new Belief(key, at);
        Current.Beliefs.Add(key, belief);
        if (!ReferenceEquals(Folded, Current) && !Folded.Beliefs.ContainsKey(key))
        {
            Folded.Beliefs.Add(key, new Belief(key, at));
        }
        created = true;
        return belief;
    }

    /// <summary>
    /// Carries the user's word (and, for a rejection, the dropped evidence) over to the folded state,
    /// so that a rebuild for a late signal keeps the correction.
    /// </summary>
    internal void MirrorCorrection(Belief belief, bool dropEvidence)
    {
        if (ReferenceEquals(Folded, Current))
        {
            return;
        }
        if (dropEvidence)
        {
            // All of a rejected belief's evidence, the window's included, occurred at or before its
            // cutoff, so a rebuild (a late signal, a restore, a compacted model's next use) replays
            // none of it onto the folded copy: that copy is the belief as rejected, whole (trail,
            // last observed, status). Copying only the word and the emptied masses left a rebuild
            // showing the folded evidence's last-observed instant and status instead.
            Folded.Beliefs[belief.Key] = belief.Clone();
            return;
        }
        if (!Folded.Beliefs.TryGetValue(belief.Key, out var folded))
        {
            folded = new Belief(belief.Key, belief.FirstObservedAt);
            Folded.Beliefs.Add(belief.Key, folded);
        }
        else
        {
            folded = Folded.Own(folded);
        }
        folded.Correction = belief.Correction;
        folded.Source = belief.Source;
    }

    /// <summary>
    /// The beliefs whose status last reported (by housekeeping, as a decay to dormant) differs from
    /// their own status. Not part of the stored form (a restart may report a transition again), but
    /// a host that keeps the model in memory in a compact form restores them with
    /// <see cref="RestoreReportedStatuses"/>, so a rebuilt model reports exactly what it would have.
    /// </summary>
    public IReadOnlyList<KeyValuePair<BeliefKey, BeliefStatus>> ReportedStatusesThatDiffer()
    {
        List<KeyValuePair<BeliefKey, BeliefStatus>>? differ = null;
        foreach (var belief in Current.Beliefs.Values)
        {
            if (belief.ReportedStatus != belief.Status)
            {
                (differ ??= []).Add(new(belief.Key, belief.ReportedStatus));
            }
        }
        return differ ?? (IReadOnlyList<KeyValuePair<BeliefKey, BeliefStatus>>)[];
    }

    /// <summary>
    /// Sets the reported status of every current belief: the one given (from
    /// <see cref="ReportedStatusesThatDiffer"/>), else the belief's own status. Call after the
    /// model, its decisions and its window were restored.
    /// </summary>
    public void RestoreReportedStatuses(IEnumerable<KeyValuePair<BeliefKey, BeliefStatus>> differing)
    {
        var reported = differing.ToDictionary(d => d.Key, d => d.Value);
        foreach (var belief in Current.Beliefs.Values.ToList())
        {
            var status = reported.TryGetValue(belief.Key, out var given) ? given : belief.Status;
            if (belief.ReportedStatus != status)
            {
                Current.Own(belief).ReportedStatus = status;
            }
        }
    }

    internal bool HasSeen(string signalId) => _recentIds is not null && _recentIds.Contains(signalId);

    /// <summary>Remembers a signal id, forgetting the oldest beyond <paramref name="bound"/>.</summary>
    public void RememberSignalId(string signalId, int bound)
    {
        if (bound <= 0 || !(_recentIds ??= new(StringComparer.Ordinal)).Add(signalId))
        {
            return;
        }
        _recentIdOrder ??= new();
        _recentIdOrder.Enqueue(signalId);
        while (_recentIdOrder.Count > bound)
        {
            _recentIds.Remove(_recentIdOrder.Dequeue());
        }
    }

    internal void Remove(BeliefKey key)
    {
        Current.Beliefs.Remove(key);
        Folded.Beliefs.Remove(key);
    }
}
