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
    private readonly CategoryIndex _categories;

    public BeliefEngine(EngineOptions options)
    {
        Options = options;
        _affinity = new AffinityInterpreter(options.Affinity);
        _categories = new CategoryIndex(options.Interpretation);
        // Looked up on every piece of evidence: an array by kind instead of a dictionary lookup.
        // The options objects are shared, so later changes to their values are still seen.
        _kinds = [.. Enum.GetValues<BeliefKind>().Select(options.For)];
    }

    private readonly KindOptions[] _kinds;

    /// <summary>The options of one kind (as <see cref="EngineOptions.For"/> gave them when the engine was made).</summary>
    internal KindOptions Kind(BeliefKind kind) => _kinds[(int)kind];

    public EngineOptions Options { get; }

    /// <summary>What the engine derives from a category path (cached).</summary>
    public CategoryInfo Category(string path) => _categories.Get(path);

    /// <summary>
    /// Applies one signal. Returns false, changing nothing, when the signal id was already applied.
    /// Changes are appended to <paramref name="changes"/> when given. Signals may arrive in any
    /// order: within the reorder window (see <see cref="SelfModel"/>) the result is exactly that of
    /// event-time order.
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

        // The signal as the window stores it and the interpreters read it, made once on the stack.
        var entry = new SignalEntry(signal);
        var window = model.Window;
        if (Options.Interpretation.ReorderWindowSignals == 0)
        {
            Interpret(model, model.Current, entry, changes);
            // Without a window the folded state is the current one.
            model.Folded = model.Current;
        }
        else if (window.Count == 0 || window.Compare(entry, window.Count - 1) > 0)
        {
            Interpret(model, model.Current, entry, changes);
            window.Add(entry);
        }
        else if (model.FoldedThrough is { } boundary && EventOrder(entry.UtcTicks, entry.Id, boundary.UtcTicks, boundary.Id) < 0)
        {
            // Beyond the reorder boundary: fold it in out of order, then replay the window on top.
            Interpret(model, model.Folded, entry, changes);
            Rebuild(model, null, null);
        }
        else
        {
            var at = window.BinarySearch(entry);
            if (at >= 0)
            {
                // The same (time, id) is already in the window: a duplicate whose id the bounded
                // deduplication set no longer held. Found by the apply benchmark.
                model.SignalCount--;
                return false;
            }
            window.Insert(~at, entry);
            Rebuild(model, signal.Id, changes);
        }
        Fold(model);
        EnforceBound(model, signal.OccurredAt, changes);
        return true;
    }

    /// <summary>Records a rerank decision for audit and feedback (the last <see cref="RerankOptions.MaxDecisions"/> are kept).</summary>
    public void Record(SelfModel model, Ranking.Decision decision) => model.Decisions.Record(decision, Options.Rerank.MaxDecisions);

    /// <summary>
    /// Restores decisions read back from storage (oldest first) behind the ones recorded since the
    /// model was loaded, within the same bound.
    /// </summary>
    public void RestoreDecisions(SelfModel model, IEnumerable<Ranking.Decision> older) => model.Decisions.RestoreOlder(older, Options.Rerank.MaxDecisions);

    /// <summary>
    /// Restores the reorder window after loading the folded state from storage: Current is rebuilt
    /// as the folded state plus the window replayed in event-time order.
    /// </summary>
    public void RestoreWindow(SelfModel model, IEnumerable<Signal> window)
    {
        model.Window.Restore(window);
        Rebuild(model, null, null);
    }

    /// <summary>Event-time order with the signal id breaking ties, so equal instants still have one order.</summary>
    internal static int EventOrder(long aUtcTicks, string aId, long bUtcTicks, string bId)
    {
        var order = aUtcTicks.CompareTo(bUtcTicks);
        return order != 0 ? order : string.CompareOrdinal(aId, bId);
    }

    private void Rebuild(SelfModel model, string? reportFor, List<BeliefChange>? changes)
    {
        var current = model.Folded.Share();
        var window = model.Window;
        for (var i = 0; i < window.Count; i++)
        {
            // In place: interpreting changes the states, never the window.
            ref readonly var signal = ref window.At(i);
            Interpret(model, current, signal, signal.Id == reportFor ? changes : null);
        }
        foreach (var belief in current.Beliefs.Values)
        {
            var reported = model.Current.Beliefs.TryGetValue(belief.Key, out var old) ? old.ReportedStatus : belief.Status;
            if (belief.ReportedStatus != reported)
            {
                current.Own(belief).ReportedStatus = reported;
            }
        }
        model.Current = current;
    }

    // Signals leave the window oldest first, so the folded state sees them in event-time order.
    // The window's age is measured from its newest signal, or from `now` when housekeeping passes a
    // later instant: signals long in the past leave it even when no newer signal came to push them out.
    private void Fold(SelfModel model, long nowTicks = long.MinValue)
    {
        var window = model.Window;
        var options = Options.Interpretation;
        var span = (long)(options.ReorderWindowDays * TimeSpan.TicksPerDay);
        var folded = 0;
        while (window.Count - folded > 0
            && (window.Count - folded > options.ReorderWindowSignals
                || Math.Max(window.TicksAt(window.Count - 1), nowTicks) - window.TicksAt(folded) > span))
        {
            // In place (see SignalEntry): the window drops it only after the loop.
            ref readonly var signal = ref window.At(folded);
            Interpret(model, model.Folded, signal, null);
            model.FoldedThrough = (signal.UtcTicks, signal.Id);
            folded++;
        }
        if (folded > 0)
        {
            window.RemoveOldest(folded);
        }
    }

    /// <summary>Half-life of a belief in ticks: per kind, and for satiation the category's replacement interval.</summary>
    internal double HalfLifeTicks(BeliefKey key) => key.Kind == BeliefKind.Satiation
        ? _categories.Get(key.Subject).Attributes.ReplacementIntervalDays * Options.Interpretation.SatiationHalfLifeShare * TimeSpan.TicksPerDay
        : Kind(key.Kind).HalfLifeTicks;

    /// <summary>Adds signed evidence to a belief, recording it in the trail and noting a flip.</summary>
    internal Belief? AddEvidence(ModelCore core, BeliefKey key, in SignalEntry signal, double effect, List<BeliefChange>? changes, string? note = null)
    {
        if (core.Owner?.IsCutOff(key, signal.UtcTicks) == true)
        {
            // The user rejected or forgot this belief after this evidence: it never counts again.
            return null;
        }
        var kind = Kind(key.Kind);
        var halfLife = HalfLifeTicks(key);
        if (!core.Beliefs.TryGetValue(key, out var belief))
        {
            belief = new Belief(key, signal.OccurredAt);
            core.Beliefs.Add(key, belief);
            changes?.Add(new BeliefChange(ChangeKind.Created, belief.Id, key, signal.Id));
        }
        else if (belief.Shared)
        {
            belief = core.Own(belief);
        }
        var at = signal.UtcTicks;
        // Masses at the evidence instant, read once: the status before, the posterior after and the
        // addition itself all follow from them (one exponential per mass, the hot path of Apply).
        var support = belief.SupportMass.At(at, halfLife);
        var against = belief.AgainstMass.At(at, halfLife);
        var status = Decayed(belief.Status, support + against, kind);
        if (effect > 0)
        {
            support = belief.SupportMass.AddAt(effect, at, halfLife, support);
            belief.Observations++;
        }
        else
        {
            against = belief.AgainstMass.AddAt(-effect, at, halfLife, against);
            belief.Contradictions++;
        }
        if (at < belief.FirstObservedUtcTicks)
        {
            belief.FirstObservedAt = signal.OccurredAt;
        }
        if (at > belief.LastObservedUtcTicks)
        {
            belief.LastObservedAt = signal.OccurredAt;
        }
        changes?.Add(new BeliefChange(ChangeKind.Evidence, belief.Id, key, signal.Id, effect));

        var confidence = (kind.PriorSupport + support) / (kind.PriorSupport + kind.PriorAgainst + support + against);
        var evidence = support + against;
        belief.Status = NextStatus(status, evidence, kind);
        if (belief.Status != belief.ReportedStatus)
        {
            belief.ReportedStatus = belief.Status;
            changes?.Add(new BeliefChange(belief.Status == BeliefStatus.Active ? ChangeKind.Activated : ChangeKind.Dormant, belief.Id, key, signal.Id));
        }
        var holds = HoldsAt(belief.Holds, confidence, evidence, kind);
        if (holds != belief.Holds)
        {
            belief.Holds = holds;
            note = note is null ? Flip(holds) : $"{note}; {Flip(holds)}";
            changes?.Add(new BeliefChange(ChangeKind.Flipped, belief.Id, key, signal.Id, effect));
        }
        if (belief.Correction is not null && Reconsider(belief, evidence) is { } reinferred)
        {
            note = note is null ? reinferred : $"{note}; {reinferred}";
            changes?.Add(new BeliefChange(ChangeKind.Created, belief.Id, key, signal.Id, effect));
        }
        belief.Record(new TrailEntry(signal.Id, signal.Type, signal.OccurredAt, effect, note), Options.TrailLength);
        return belief;
    }

    /// <summary>
    /// Empties a belief's evidence, recording that in the trail: for a proposition about the user's
    /// current state rather than an accumulating taste (a variety belief is about the streak the user
    /// is on, so the end of the streak empties it). The belief turns dormant. It goes through
    /// <see cref="AddEvidence"/> with no effect rather than a second copy of its bookkeeping: that
    /// method is Apply's hot path, and splitting its tail into a shared helper measured about 1 us
    /// slower per signal.
    /// </summary>
    internal void EmptyEvidence(ModelCore core, BeliefKey key, in SignalEntry signal, List<BeliefChange>? changes, string note)
    {
        if (!core.Beliefs.TryGetValue(key, out var belief) || core.Owner?.IsCutOff(key, signal.UtcTicks) == true)
        {
            return;
        }
        belief = core.Own(belief);
        var at = signal.UtcTicks;
        belief.SupportMass = new DecayedMass(0, at);
        belief.AgainstMass = new DecayedMass(0, at);
        AddEvidence(core, key, signal, 0, changes, note);
    }

    private static string Flip(bool holds) => holds ? "flipped: holds again" : "flipped: no longer holds";

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
        var kind = Kind(belief.Key.Kind);
        var halfLife = HalfLifeTicks(belief.Key);
        var (posterior, evidence) = Posterior(belief, kind, halfLife, asOf.UtcTicks);
        var status = Decayed(belief.Status, evidence, kind);
        var holds = HoldsAt(belief.Holds, posterior, evidence, kind);
        // Only what is reported is calibrated: status, flips and the reranker keep the raw posterior,
        // whose prior mean is the neutral point their thresholds and weights are expressed against.
        var confidence = kind.Calibration.Apply(posterior);
        var snapshot = new BeliefSnapshot(belief, confidence, posterior, evidence, status, holds, belief.Statement(holds), halfLife / TimeSpan.TicksPerDay);
        return belief.Correction is { } correction ? WithUserWord(snapshot, correction) : snapshot;
    }

    /// <summary>
    /// What the reranker reads of a belief at <paramref name="ticks"/>, without allocating: the same
    /// values as <see cref="Evaluate(Belief, DateTimeOffset)"/> before calibration (the user's word
    /// included), the posterior mean being what rerank effects and thresholds act on.
    /// </summary>
    internal Evaluation EvaluateForRerank(Belief belief, long ticks)
    {
        var kind = Kind(belief.Key.Kind);
        var (posterior, evidence) = Posterior(belief, kind, HalfLifeTicks(belief.Key), ticks);
        var status = Decayed(belief.Status, evidence, kind);
        var holds = HoldsAt(belief.Holds, posterior, evidence, kind);
        if (belief.Correction is { } correction)
        {
            // As WithUserWord: the user's confidence, and for a rejection a dormant belief.
            var stated = Options.Corrections.StatedConfidence;
            holds = correction.Holds;
            if (correction.Verdict == UserVerdict.Rejected)
            {
                posterior = correction.Holds ? 1 - stated : stated;
                status = BeliefStatus.Dormant;
            }
            else
            {
                posterior = correction.Holds ? stated : 1 - stated;
                evidence = Options.Corrections.StatedEvidence + evidence;
                status = BeliefStatus.Active;
            }
        }
        return new Evaluation(posterior, evidence, status, holds);
    }

    /// <summary>
    /// Housekeeping at <paramref name="now"/>: reports beliefs that went dormant, prunes dormant
    /// inferred beliefs below the floor. Reads never depend on this having run.
    /// </summary>
    public List<BeliefChange> Housekeep(SelfModel model, DateTimeOffset now)
    {
        var changes = new List<BeliefChange>();
        var ticks = now.UtcTicks;
        // Pruning removes a belief from the folded and the current state; one that a signal still in
        // the window built would come back at the next rebuild, so it waits (see HasWindowEvidence).
        // Signals older than the window's span leave it first.
        Fold(model, ticks);
        List<BeliefKey>? prune = null;
        foreach (var belief in model.Beliefs.Values)
        {
            var kind = Kind(belief.Key.Kind);
            var (_, evidence) = Posterior(belief, kind, HalfLifeTicks(belief.Key), ticks);
            var status = Decayed(belief.Status, evidence, kind);
            if (status != belief.ReportedStatus)
            {
                model.Current.Own(belief).ReportedStatus = status;
                changes.Add(new BeliefChange(status == BeliefStatus.Active ? ChangeKind.Activated : ChangeKind.Dormant, belief.Id, belief.Key));
            }
            if (status == BeliefStatus.Dormant && belief.Source == BeliefSource.Inferred && evidence < kind.PruneBelowEvidence
                && !HasWindowEvidence(model, belief))
            {
                (prune ??= []).Add(belief.Key);
            }
        }
        if (prune is not null)
        {
            prune.Sort(static (a, b) => string.CompareOrdinal(a.Id(), b.Id()));
            foreach (var key in prune)
            {
                var id = model.Beliefs[key].Id;
                model.Remove(key);
                changes.Add(new BeliefChange(ChangeKind.Pruned, id, key));
            }
        }
        return changes;
    }

    // Evidence from a signal still in the reorder window: pruned now, the belief would come back at
    // the next rebuild (a late signal, a restore, a compacted model's next use), shown again and
    // pruned and reported again, so it waits until those signals are folded. Such evidence is the
    // newest entry of the current trail, which the folded copy then lacks.
    private static bool HasWindowEvidence(SelfModel model, Belief belief)
    {
        if (model.Window.Count == 0)
        {
            return false;
        }
        if (!model.Folded.Beliefs.TryGetValue(belief.Key, out var folded))
        {
            return true;
        }
        var current = belief.Trail;
        var before = folded.Trail;
        return current.Count > 0 && (before.Count == 0 || current[0] != before[0]);
    }

    private void EnforceBound(SelfModel model, DateTimeOffset now, List<BeliefChange>? changes)
    {
        var excess = model.Beliefs.Count - Options.MaxBeliefs;
        if (excess <= 0)
        {
            return;
        }
        // Least useful first: inferred before user-given, then the least evidence still counting,
        // then by id. A price-tier Dirichlet (budget, mid and premium of one scope compete as one
        // distribution) is one unit: pruned whole, ranked by its most useful tier, never split so that
        // the tiers left behind would no longer sum to one.
        var ticks = now.UtcTicks;
        var units = new Dictionary<string, PruneUnit>(StringComparer.Ordinal);
        foreach (var belief in model.Beliefs.Values)
        {
            var evidence = Posterior(belief, Kind(belief.Key.Kind), HalfLifeTicks(belief.Key), ticks).Evidence;
            var given = belief.Source != BeliefSource.Inferred;
            var name = belief.Key.Kind == BeliefKind.PriceTier ? "@" + TierScope(belief.Key.Subject) : belief.Id;
            if (units.TryGetValue(name, out var unit))
            {
                unit.Given |= given;
                unit.Evidence = Math.Max(unit.Evidence, evidence);
                if (string.CompareOrdinal(belief.Id, unit.Id) < 0)
                {
                    unit.Id = belief.Id;
                }
                unit.Members.Add(belief);
            }
            else
            {
                units.Add(name, new PruneUnit { Given = given, Evidence = evidence, Id = belief.Id, Members = [belief] });
            }
        }
        var ordered = new List<PruneUnit>(units.Values);
        ordered.Sort(static (a, b) =>
        {
            var order = a.Given.CompareTo(b.Given);
            order = order != 0 ? order : a.Evidence.CompareTo(b.Evidence);
            return order != 0 ? order : string.CompareOrdinal(a.Id, b.Id);
        });
        foreach (var unit in ordered)
        {
            if (excess <= 0)
            {
                break;
            }
            unit.Members.Sort(static (a, b) => string.CompareOrdinal(a.Id, b.Id));
            foreach (var belief in unit.Members)
            {
                model.Remove(belief.Key);
                changes?.Add(new BeliefChange(ChangeKind.Pruned, belief.Id, belief.Key));
                excess--;
            }
        }
    }

    // A price-tier subject is "<tier>@<scope>".
    private static string TierScope(string subject) => subject[(subject.IndexOf('@', StringComparison.Ordinal) + 1)..];

    private sealed class PruneUnit
    {
        public bool Given;
        public double Evidence;
        public string Id = "";
        public List<Belief> Members = [];
    }

    internal static (double Confidence, double Evidence) Posterior(Belief belief, KindOptions kind, double halfLifeTicks, long ticks)
    {
        var support = belief.Support.At(ticks, halfLifeTicks);
        var against = belief.Against.At(ticks, halfLifeTicks);
        var confidence = (kind.PriorSupport + support) / (kind.PriorSupport + kind.PriorAgainst + support + against);
        return (confidence, support + against);
    }

    /// <summary>Beta posterior parameters (prior plus decayed masses) at an instant, for sampling.</summary>
    internal (double Alpha, double Beta) Parameters(Belief belief, long ticks)
    {
        var kind = Kind(belief.Key.Kind);
        var halfLife = HalfLifeTicks(belief.Key);
        return (kind.PriorSupport + belief.Support.At(ticks, halfLife), kind.PriorAgainst + belief.Against.At(ticks, halfLife));
    }

    // A statement stops holding when confidence falls below the prior mean with enough evidence to
    // say so; it holds again once confidence is back above the prior mean.
    private static bool HoldsAt(bool previously, double confidence, double evidence, KindOptions kind) =>
        previously
            ? !(confidence < kind.PriorMean && evidence >= kind.FlipAtEvidence)
            : confidence >= kind.PriorMean;

    // Without new evidence the mass only decays: an active belief goes dormant below the lower
    // threshold and a dormant one stays dormant.
    private static BeliefStatus Decayed(BeliefStatus atLastEvidence, double evidence, KindOptions kind) =>
        atLastEvidence == BeliefStatus.Active && evidence < kind.DormantBelowEvidence ? BeliefStatus.Dormant : atLastEvidence;

    private static BeliefStatus NextStatus(BeliefStatus current, double evidence, KindOptions kind) =>
        current == BeliefStatus.Active
            ? (evidence < kind.DormantBelowEvidence ? BeliefStatus.Dormant : BeliefStatus.Active)
            : (evidence >= kind.ActivateAtEvidence ? BeliefStatus.Active : BeliefStatus.Dormant);
}

/// <summary>A belief's values at one instant, as the reranker acts on them (see <see cref="BeliefEngine.EvaluateForRerank"/>).</summary>
internal readonly record struct Evaluation(double Posterior, double Evidence, BeliefStatus Status, bool Holds);
