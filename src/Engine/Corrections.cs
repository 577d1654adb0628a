using Clarity.Engine.Beliefs;

namespace Clarity.Engine;

/// <summary>How the user's word weighs against inference (configuration <c>Clarity:Engine:Corrections</c>).</summary>
public sealed class CorrectionOptions
{
    /// <summary>
    /// Confidence of a statement the user stated or confirmed (and 1 minus it for one they said is
    /// false or rejected). The user's word outranks inference, so inferred evidence does not move it
    /// until the user changes it. Default 0.95.
    /// </summary>
    public double StatedConfidence { get; set; } = 0.95;

    /// <summary>
    /// Evidence the user's word counts as; it does not decay. It makes a stated belief move reranks
    /// as strongly as about two recent purchases would. Default 4.
    /// </summary>
    public double StatedEvidence { get; set; } = 4;

    /// <summary>
    /// New evidence (after the rejection, decayed) a rejected belief needs before it comes back as a
    /// new inference, and only when that evidence says the rejected statement holds again: more than
    /// one purchase, so one ambiguous event cannot overrule the user. Default 3.
    /// </summary>
    public double ReinferAtEvidence { get; set; } = 3;

    /// <summary>Rejected or forgotten beliefs whose old evidence is remembered as not counting. Default 1024.</summary>
    public int MaxCutoffs { get; set; } = 1024;

    public IEnumerable<string> Validate(string prefix)
    {
        if (!double.IsFinite(StatedConfidence) || StatedConfidence is <= 0.5 or >= 1)
        {
            yield return $"{prefix}:StatedConfidence must be greater than 0.5 and less than 1 (got {StatedConfidence}).";
        }
        if (!double.IsFinite(StatedEvidence) || StatedEvidence <= 0)
        {
            yield return $"{prefix}:StatedEvidence must be a positive finite number (got {StatedEvidence}).";
        }
        if (!double.IsFinite(ReinferAtEvidence) || ReinferAtEvidence <= 0)
        {
            yield return $"{prefix}:ReinferAtEvidence must be a positive finite number (got {ReinferAtEvidence}).";
        }
        if (MaxCutoffs is < 1 or > 1_000_000)
        {
            yield return $"{prefix}:MaxCutoffs must be between 1 and 1000000 (got {MaxCutoffs}).";
        }
    }
}

public sealed partial class SelfModel
{
    // Allocated on the first correction: most users never make one.
    private Dictionary<BeliefKey, DateTimeOffset>? _cutoffs;

    /// <summary>
    /// Beliefs the user rejected or forgot, with the event time up to which their evidence no longer
    /// counts: evidence that occurred at or before it (a replay, a late or re-sent old signal) is
    /// ignored for that belief, so the belief cannot be re-inferred from what it was built on.
    /// </summary>
    public IReadOnlyDictionary<BeliefKey, DateTimeOffset> EvidenceCutoffs =>
        (IReadOnlyDictionary<BeliefKey, DateTimeOffset>?)_cutoffs ?? System.Collections.ObjectModel.ReadOnlyDictionary<BeliefKey, DateTimeOffset>.Empty;

    /// <summary>Sets (or restores) a cutoff, forgetting the oldest beyond <paramref name="bound"/>.</summary>
    public void SetCutoff(BeliefKey key, DateTimeOffset cutoff, int bound)
    {
        _cutoffs ??= [];
        if (!_cutoffs.TryGetValue(key, out var existing) || cutoff > existing)
        {
            _cutoffs[key] = cutoff;
        }
        while (_cutoffs.Count > bound)
        {
            var oldest = _cutoffs.MinBy(p => p.Value).Key;
            _cutoffs.Remove(oldest);
        }
    }

    // By UTC ticks, as DateTimeOffset compares instants.
    internal bool IsCutOff(BeliefKey key, long occurredUtcTicks) =>
        _cutoffs is { Count: > 0 } && _cutoffs.TryGetValue(key, out var cutoff) && occurredUtcTicks <= cutoff.UtcTicks;
}

/// <summary>A catalogue statement to rank for one user: its id and the belief its answer sets.</summary>
public sealed record StatementTarget(string StatementId, BeliefKey Key);

/// <summary>
/// How much the user's answer to a statement is expected to change their reranks (0 when already
/// answered), and the answer they gave if any.
/// </summary>
public sealed record StatementValue(string StatementId, double Value, Correction? Answer);

/// <summary>
/// The user's corrections: confirm, reject, forget, and stated answers. The user's word outranks
/// inference; a rejection sticks against the evidence the belief was built on.
/// </summary>
public sealed partial class BeliefEngine
{
    /// <summary>
    /// The user confirms a belief as shown at <paramref name="now"/>. It keeps its evidence but its
    /// confidence is the user's until they change it. Null when there is no such belief.
    /// </summary>
    public BeliefSnapshot? Confirm(SelfModel model, string beliefId, DateTimeOffset now)
    {
        if (model.Find(beliefId) is not { } found)
        {
            return null;
        }
        var belief = model.Current.Own(found);
        var shown = Evaluate(belief, now);
        belief.Correction = new Correction(UserVerdict.Confirmed, shown.Holds, now);
        belief.Source = BeliefSource.Corrected;
        model.MirrorCorrection(belief, dropEvidence: false);
        return Evaluate(belief, now);
    }

    /// <summary>
    /// The user rejects a belief at <paramref name="now"/>. It stops influencing reranks at once; the
    /// evidence it was built on is dropped and can never count for it again (see
    /// <see cref="SelfModel.EvidenceCutoffs"/>). Only new evidence that occurred after the rejection
    /// may bring it back, as a new inference. Null when there is no such belief.
    /// </summary>
    public BeliefSnapshot? Reject(SelfModel model, string beliefId, DateTimeOffset now)
    {
        if (model.Find(beliefId) is not { } found)
        {
            return null;
        }
        var belief = model.Current.Own(found);
        var shown = Evaluate(belief, now);
        model.SetCutoff(belief.Key, Later(now, belief.LastObservedAt), Options.Corrections.MaxCutoffs);
        belief.Support = default;
        belief.Against = default;
        belief.Observations = 0;
        belief.Contradictions = 0;
        // The next inference starts from the prior, as if nothing had been seen.
        belief.Holds = true;
        belief.Correction = new Correction(UserVerdict.Rejected, shown.Holds, now);
        belief.Source = BeliefSource.Corrected;
        model.MirrorCorrection(belief, dropEvidence: true);
        return Evaluate(belief, now);
    }

    /// <summary>
    /// Forgets a belief and the evidence behind it: it is removed, and its old evidence never counts
    /// for it again. New evidence may create it afresh. False when there is no such belief.
    /// </summary>
    public bool Forget(SelfModel model, string beliefId, DateTimeOffset now)
    {
        if (model.Find(beliefId) is not { } belief)
        {
            return false;
        }
        model.SetCutoff(belief.Key, Later(now, belief.LastObservedAt), Options.Corrections.MaxCutoffs);
        model.Remove(belief.Key);
        return true;
    }

    /// <summary>
    /// Records the user's answer to a statement: the belief <paramref name="key"/> holds
    /// (<paramref name="holds"/> true) or not, as a stated belief that outranks inference until the
    /// user changes it. Creates the belief when it does not exist yet.
    /// </summary>
    public BeliefSnapshot State(SelfModel model, BeliefKey key, bool holds, DateTimeOffset now)
    {
        var belief = model.GetOrAdd(key, now, out _);
        belief.Correction = new Correction(UserVerdict.Stated, holds, now);
        belief.Source = BeliefSource.Stated;
        model.MirrorCorrection(belief, dropEvidence: false);
        EnforceBound(model, now, null);
        return Evaluate(belief, now);
    }

    /// <summary>
    /// Orders catalogue statements by how much the user's answer is expected to change their reranks:
    /// the expected absolute change of the belief's rerank effect over the two answers (weighted by
    /// the current calibrated confidence), times how much of the user's evidence lies within the statement's
    /// subject (consequence, on a log scale so that it does not drown uncertainty). Statements the
    /// user already answered, confirmed or rejected are worth 0 and come last. Ties keep catalogue order.
    /// </summary>
    public List<StatementValue> RankStatements(SelfModel model, IReadOnlyList<StatementTarget> targets, DateTimeOffset asOf)
    {
        var snapshots = Evaluate(model, asOf);
        var values = new List<(int Index, StatementValue Value)>(targets.Count);
        for (var i = 0; i < targets.Count; i++)
        {
            var target = targets[i];
            var current = snapshots.Find(s => s.Key == target.Key);
            if (current?.Belief.Correction is { } answer)
            {
                values.Add((i, new StatementValue(target.StatementId, 0, answer)));
                continue;
            }
            var kind = Kind(target.Key.Kind);
            // The effect now is the reranker's (on the raw posterior); the chance the user answers
            // "yes" is the calibrated confidence, the probability the engine reports.
            var posterior = current?.Posterior ?? kind.PriorMean;
            var yesChance = current?.Confidence ?? kind.Calibration.Apply(kind.PriorMean);
            var evidence = current?.Evidence ?? 0;
            var now = current is { Status: BeliefStatus.Active } ? Effect(kind, posterior, evidence) : 0;
            var stated = Options.Corrections.StatedEvidence + evidence;
            var yes = Effect(kind, Options.Corrections.StatedConfidence, stated);
            var no = Effect(kind, 1 - Options.Corrections.StatedConfidence, stated);
            var expectedChange = yesChance * Math.Abs(yes - now) + (1 - yesChance) * Math.Abs(no - now);
            var within = snapshots
                .Where(s => s.Key.Kind == target.Key.Kind && CategoryPath.IsWithin(s.Key.Subject, target.Key.Subject))
                .Sum(s => s.Evidence);
            values.Add((i, new StatementValue(target.StatementId, expectedChange * (1 + Math.Log(1 + within)), null)));
        }
        values.Sort(static (a, b) =>
        {
            var order = b.Value.Value.CompareTo(a.Value.Value);
            return order != 0 ? order : a.Index.CompareTo(b.Index);
        });
        return [.. values.Select(v => v.Value)];
    }

    // A belief's pull on an item, as the reranker weighs affinity: distance from the prior, scaled
    // by how much evidence backs it.
    private double Effect(KindOptions kind, double confidence, double evidence) =>
        (confidence - kind.PriorMean) * evidence / (evidence + Options.Rerank.EvidenceHalfSaturation);

    /// <summary>
    /// The user's word applied to an evaluated belief. Stated and confirmed beliefs are active with
    /// the user's confidence and their stated evidence on top of what was inferred; a rejected
    /// belief is dormant (so it moves no rerank) and shows only evidence that arrived after the
    /// rejection.
    /// </summary>
    private BeliefSnapshot WithUserWord(BeliefSnapshot snapshot, Correction correction)
    {
        var options = Options.Corrections;
        // The user's word is reported as given (not through the kind's calibration map), and the
        // engine acts on the same value.
        var stated = correction.Holds ? options.StatedConfidence : 1 - options.StatedConfidence;
        return correction.Verdict switch
        {
            UserVerdict.Rejected => snapshot with
            {
                Confidence = 1 - stated,
                Posterior = 1 - stated,
                Status = BeliefStatus.Dormant,
                Holds = correction.Holds,
                Statement = Statements.Cached(snapshot.Key, correction.Holds),
            },
            _ => snapshot with
            {
                Confidence = stated,
                Posterior = stated,
                Evidence = options.StatedEvidence + snapshot.Evidence,
                Status = BeliefStatus.Active,
                Holds = correction.Holds,
                Statement = Statements.Cached(snapshot.Key, correction.Holds),
            },
        };
    }

    /// <summary>
    /// After new evidence reached a rejected belief: once the evidence since the rejection is clear
    /// (at least <see cref="CorrectionOptions.ReinferAtEvidence"/>) and says the rejected statement
    /// holds again, the belief comes back as a new inference the user can see. Returns the trail note.
    /// </summary>
    private string? Reconsider(Belief belief, double evidence)
    {
        if (belief.Correction is not { Verdict: UserVerdict.Rejected } rejection
            || evidence < Options.Corrections.ReinferAtEvidence
            || belief.Holds != rejection.Holds)
        {
            return null;
        }
        belief.Correction = null;
        belief.Source = BeliefSource.Inferred;
        return "inferred again from new evidence after it was rejected";
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}

/// <summary>Wire names for user verdicts and belief kinds.</summary>
public static class CorrectionNames
{
    public static string Wire(this UserVerdict verdict) => verdict switch
    {
        UserVerdict.Confirmed => "confirmed",
        UserVerdict.Rejected => "rejected",
        UserVerdict.Stated => "stated",
        _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, null),
    };

    public static readonly IReadOnlyList<BeliefKind> Kinds = Enum.GetValues<BeliefKind>();

    /// <summary>The kind whose wire name is <paramref name="wire"/> ("affinity", "price-tier", ...).</summary>
    public static bool TryParseKind(string? wire, out BeliefKind kind)
    {
        foreach (var candidate in Kinds)
        {
            if (string.Equals(candidate.Wire(), wire, StringComparison.Ordinal))
            {
                kind = candidate;
                return true;
            }
        }
        kind = default;
        return false;
    }
}
