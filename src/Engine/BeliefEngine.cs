using Clarity.Engine.Beliefs;
using Clarity.Engine.Interpretation;
using Clarity.Engine.Signals;

namespace Clarity.Engine;

/// <summary>
/// Turns signals into beliefs and evaluates them at any instant. Pure: every method is a function
/// of the model, its input and the time passed in; nothing reads a clock.
/// </summary>
public sealed partial class BeliefEngine
{
    private readonly AffinityInterpreter _affinity;

    public BeliefEngine(EngineOptions options)
    {
        Options = options;
        _affinity = new AffinityInterpreter(options.Affinity);
    }

    public EngineOptions Options { get; }

    /// <summary>
    /// Applies one signal. Returns false, changing nothing, when the signal id was already applied.
    /// Changes are appended to <paramref name="changes"/> when given.
    /// </summary>
    public bool Apply(SelfModel model, Signal signal, List<BeliefChange>? changes = null)
    {
        if (model.HasSeen(signal.Id))
        {
            return false;
        }
        model.RememberSignalId(signal.Id, Options.RecentSignalIds);
        model.SignalCount++;
        if (model.FirstSignalAt is null || signal.OccurredAt < model.FirstSignalAt)
        {
            model.FirstSignalAt = signal.OccurredAt;
        }
        if (model.LastSignalAt is null || signal.OccurredAt > model.LastSignalAt)
        {
            model.LastSignalAt = signal.OccurredAt;
        }

        var weight = _affinity.Weight(signal);
        if (weight != 0)
        {
            var scale = 1.0;
            foreach (var category in CategoryPath.SelfAndAncestors(signal.Item.Category))
            {
                AddEvidence(model, new BeliefKey(BeliefKind.Affinity, category), signal, weight * scale, changes);
                scale *= Options.Affinity.AncestorAttenuation;
                if (scale == 0)
                {
                    break;
                }
            }
        }
        EnforceBound(model, signal.OccurredAt, changes);
        return true;
    }

    /// <summary>Adds signed evidence to a belief, recording it in the trail and noting a flip.</summary>
    internal void AddEvidence(SelfModel model, BeliefKey key, Signal signal, double effect, List<BeliefChange>? changes)
    {
        if (model.IsCutOff(key, signal.OccurredAt))
        {
            // The user rejected or forgot this belief after this evidence: it never counts again.
            return;
        }
        var kind = Options.For(key.Kind);
        var belief = model.GetOrAdd(key, signal.OccurredAt, out var created);
        if (created)
        {
            changes?.Add(new BeliefChange(ChangeKind.Created, belief.Id, key, signal.Id));
        }
        var at = signal.OccurredAt.UtcTicks;
        if (effect > 0)
        {
            belief.SupportMass.Add(effect, at, kind.HalfLifeTicks);
            belief.Observations++;
        }
        else
        {
            belief.AgainstMass.Add(-effect, at, kind.HalfLifeTicks);
            belief.Contradictions++;
        }
        if (signal.OccurredAt < belief.FirstObservedAt)
        {
            belief.FirstObservedAt = signal.OccurredAt;
        }
        if (signal.OccurredAt > belief.LastObservedAt)
        {
            belief.LastObservedAt = signal.OccurredAt;
        }
        changes?.Add(new BeliefChange(ChangeKind.Evidence, belief.Id, key, signal.Id, effect));

        var holds = Holds(belief, kind, at);
        string? note = null;
        if (holds != belief.Holds)
        {
            belief.Holds = holds;
            note = holds ? "flipped: holds again" : "flipped: no longer holds";
            changes?.Add(new BeliefChange(ChangeKind.Flipped, belief.Id, key, signal.Id, effect));
        }
        if (belief.Correction is not null && Reconsider(belief, Posterior(belief, kind, at).Evidence) is { } reinferred)
        {
            note = note is null ? reinferred : $"{note}; {reinferred}";
            changes?.Add(new BeliefChange(ChangeKind.Created, belief.Id, key, signal.Id, effect));
        }
        belief.Record(new TrailEntry(signal.Id, signal.Type, signal.OccurredAt, effect, note), Options.TrailLength);
    }

    /// <summary>The self-model at <paramref name="asOf"/>, ordered by confidence times evidence.</summary>
    public List<BeliefSnapshot> Evaluate(SelfModel model, DateTimeOffset asOf)
    {
        var result = new List<BeliefSnapshot>(model.Beliefs.Count);
        foreach (var belief in model.Beliefs.Values)
        {
            result.Add(Evaluate(belief, asOf));
        }
        result.Sort(static (a, b) =>
        {
            var order = b.Weight.CompareTo(a.Weight);
            return order != 0 ? order : string.CompareOrdinal(a.Id, b.Id);
        });
        return result;
    }

    public BeliefSnapshot Evaluate(Belief belief, DateTimeOffset asOf)
    {
        var kind = Options.For(belief.Key.Kind);
        var ticks = asOf.UtcTicks;
        var (confidence, evidence) = Posterior(belief, kind, ticks);
        var status = NextStatus(belief.Status, evidence, kind);
        var holds = HoldsAt(belief.Holds, confidence, evidence, kind);
        var snapshot = new BeliefSnapshot(belief, confidence, evidence, status, holds, Statements.Render(belief.Key, holds), kind.HalfLifeDays);
        return belief.Correction is { } correction ? WithUserWord(snapshot, correction) : snapshot;
    }

    /// <summary>
    /// Housekeeping at <paramref name="now"/>: demote and promote with hysteresis, prune dormant
    /// inferred beliefs below the floor. Reads never depend on this having run.
    /// </summary>
    public List<BeliefChange> Housekeep(SelfModel model, DateTimeOffset now)
    {
        var changes = new List<BeliefChange>();
        var ticks = now.UtcTicks;
        List<BeliefKey>? prune = null;
        foreach (var belief in model.Beliefs.Values)
        {
            var kind = Options.For(belief.Key.Kind);
            var (_, evidence) = Posterior(belief, kind, ticks);
            var status = NextStatus(belief.Status, evidence, kind);
            if (status != belief.Status)
            {
                belief.Status = status;
                changes.Add(new BeliefChange(status == BeliefStatus.Active ? ChangeKind.Activated : ChangeKind.Dormant, belief.Id, belief.Key));
            }
            if (status == BeliefStatus.Dormant && belief.Source == BeliefSource.Inferred && evidence < kind.PruneBelowEvidence)
            {
                (prune ??= []).Add(belief.Key);
            }
        }
        if (prune is not null)
        {
            foreach (var key in prune)
            {
                var id = model.Beliefs[key].Id;
                model.Remove(key);
                changes.Add(new BeliefChange(ChangeKind.Pruned, id, key));
            }
        }
        return changes;
    }

    private void EnforceBound(SelfModel model, DateTimeOffset now, List<BeliefChange>? changes)
    {
        var excess = model.Beliefs.Count - Options.MaxBeliefs;
        if (excess <= 0)
        {
            return;
        }
        // Least useful first: inferred before user-given, then the least evidence still counting.
        var ticks = now.UtcTicks;
        var victims = model.Beliefs.Values
            .OrderBy(b => b.Source == BeliefSource.Inferred ? 0 : 1)
            .ThenBy(b => Posterior(b, Options.For(b.Key.Kind), ticks).Evidence)
            .ThenBy(b => b.Id, StringComparer.Ordinal)
            .Take(excess)
            .ToList();
        foreach (var belief in victims)
        {
            model.Remove(belief.Key);
            changes?.Add(new BeliefChange(ChangeKind.Pruned, belief.Id, belief.Key));
        }
    }

    internal static (double Confidence, double Evidence) Posterior(Belief belief, KindOptions kind, long ticks)
    {
        var support = belief.Support.At(ticks, kind.HalfLifeTicks);
        var against = belief.Against.At(ticks, kind.HalfLifeTicks);
        var confidence = (kind.PriorSupport + support) / (kind.PriorSupport + kind.PriorAgainst + support + against);
        return (confidence, support + against);
    }

    private static bool Holds(Belief belief, KindOptions kind, long ticks)
    {
        var (confidence, evidence) = Posterior(belief, kind, ticks);
        return HoldsAt(belief.Holds, confidence, evidence, kind);
    }

    // A statement stops holding when confidence falls below the prior mean with enough evidence to
    // say so; it holds again once confidence is back above the prior mean.
    private static bool HoldsAt(bool previously, double confidence, double evidence, KindOptions kind) =>
        previously
            ? !(confidence < kind.PriorMean && evidence >= kind.FlipAtEvidence)
            : confidence >= kind.PriorMean;

    private static BeliefStatus NextStatus(BeliefStatus current, double evidence, KindOptions kind) =>
        current == BeliefStatus.Active
            ? (evidence < kind.DormantBelowEvidence ? BeliefStatus.Dormant : BeliefStatus.Active)
            : (evidence >= kind.ActivateAtEvidence ? BeliefStatus.Active : BeliefStatus.Dormant);
}
