using Clarity.Engine.Beliefs;

namespace Clarity.Engine.Ranking;

/// <summary>
/// Re-ranks a client's candidates with a user's beliefs. Each item's score is its normalised
/// upstream score plus the sum of its reasons' effects, so explanations add up; items no belief
/// touches keep their upstream relative order. Deterministic: no clock, no global randomness.
/// </summary>
public sealed class Reranker(BeliefEngine engine)
{
    private static readonly Reason[] NoReasons = [];

    public RerankResult Rerank(SelfModel model, RerankRequest request)
    {
        var options = engine.Options.Rerank;
        var candidates = request.Candidates;
        var baseScores = NormaliseScores(candidates);
        var affinities = ActiveAffinities(model, request.AsOf);

        var scored = new (int Index, double Score, Reason[] Reasons)[candidates.Count];
        for (var i = 0; i < candidates.Count; i++)
        {
            var reasons = NoReasons;
            var score = baseScores[i];
            if (FindAffinity(affinities, candidates[i].Category, options) is { } belief)
            {
                var effect = AffinityEffect(belief, options);
                if (Math.Abs(effect) >= options.MinimumEffect)
                {
                    reasons = [new Reason(belief.Id, belief.Statement, effect)];
                    score += effect;
                }
            }
            scored[i] = (i, score, reasons);
        }

        // Stable order: score, then upstream position; untouched items keep their relative order.
        Array.Sort(scored, static (a, b) =>
        {
            var order = b.Score.CompareTo(a.Score);
            return order != 0 ? order : a.Index.CompareTo(b.Index);
        });

        var limit = Math.Min(request.Limit ?? candidates.Count, candidates.Count);
        var items = new List<RankedItem>(limit);
        for (var r = 0; r < limit; r++)
        {
            var (index, score, reasons) = scored[r];
            items.Add(new RankedItem(candidates[index].Id, r + 1, score, baseScores[index], reasons));
        }
        return new RerankResult(items, []);
    }

    /// <summary>
    /// Upstream scores min-max scaled to [0, 1]; without scores (or when any is missing), list order
    /// is the score: the first gets 1, the last 1/n.
    /// </summary>
    public static double[] NormaliseScores(IReadOnlyList<Candidate> candidates)
    {
        var n = candidates.Count;
        var result = new double[n];
        var allScored = n > 0;
        double min = double.MaxValue, max = double.MinValue;
        foreach (var c in candidates)
        {
            if (c.Score is not { } s)
            {
                allScored = false;
                break;
            }
            min = Math.Min(min, s);
            max = Math.Max(max, s);
        }
        for (var i = 0; i < n; i++)
        {
            result[i] = allScored
                ? (max > min ? (candidates[i].Score!.Value - min) / (max - min) : 1.0)
                : (double)(n - i) / n;
        }
        return result;
    }

    private Dictionary<string, BeliefSnapshot> ActiveAffinities(SelfModel model, DateTimeOffset asOf)
    {
        var result = new Dictionary<string, BeliefSnapshot>(StringComparer.Ordinal);
        foreach (var belief in model.Beliefs.Values)
        {
            if (belief.Key.Kind != BeliefKind.Affinity)
            {
                continue;
            }
            var snapshot = engine.Evaluate(belief, asOf);
            if (snapshot.Status == BeliefStatus.Active)
            {
                result[belief.Key.Subject] = snapshot;
            }
        }
        return result;
    }

    // The most specific category belief with enough evidence; a weak leaf backs off to its parent.
    private static BeliefSnapshot? FindAffinity(Dictionary<string, BeliefSnapshot> affinities, string category, RerankOptions options)
    {
        foreach (var path in CategoryPath.SelfAndAncestors(category))
        {
            if (affinities.TryGetValue(path, out var snapshot) && snapshot.Evidence >= options.BackoffBelowEvidence)
            {
                return snapshot;
            }
        }
        return null;
    }

    private double AffinityEffect(BeliefSnapshot belief, RerankOptions options)
    {
        var prior = engine.Options.For(BeliefKind.Affinity).PriorMean;
        var certainty = belief.Evidence / (belief.Evidence + options.EvidenceHalfSaturation);
        return options.AffinityWeight * (belief.Confidence - prior) * certainty;
    }
}
