using Clarity.Engine.Beliefs;
using Clarity.Engine.Interpretation;

namespace Clarity.Engine.Ranking;

/// <summary>
/// Re-ranks a client's candidates with a user's beliefs: filter (confident satiation, what was just
/// bought in a post-purchase context), re-rank (affinity with back-off, price tier, replenishment due,
/// researcher), override (a confident "ready for a change" demotes the current streak), and the
/// objective (relevance, category-aware diversity, Thompson-sampled exploration).
/// </summary>
/// <remarks>
/// Each item's score is its normalised upstream score plus the sum of its reasons' effects, so
/// explanations add up; items no belief touches keep their upstream relative order. Deterministic:
/// no clock, no global randomness; exploration is seeded by the user, the request and the model.
/// </remarks>
public sealed class Reranker(BeliefEngine engine)
{
    /// <summary>The pseudo belief id of the diversity objective's effects.</summary>
    public const string DiversityId = "objective:diversity";

    /// <summary>The pseudo belief id of the post-purchase rule when no satiation belief backs it.</summary>
    public const string PostPurchaseId = "context:post_purchase";

    /// <summary>Re-ranks and returns the decision to record (request, answer, beliefs as they were, drivers).</summary>
    public Decision Decide(SelfModel model, RerankRequest request)
    {
        var result = Rerank(model, request);
        var beliefs = new Dictionary<BeliefKey, BeliefRecord>();
        var drivers = new Dictionary<string, Driver[]>(StringComparer.Ordinal);
        void Collect(string itemId, IReadOnlyList<Reason> reasons)
        {
            List<Driver>? list = null;
            foreach (var reason in reasons)
            {
                if (reason.Key is not { } key)
                {
                    continue;
                }
                (list ??= []).Add(new Driver(key, reason.Effect));
                if (!beliefs.ContainsKey(key))
                {
                    beliefs[key] = model.TryGet(key, out var belief)
                        ? Record(engine.Evaluate(belief, request.AsOf))
                        : new BeliefRecord(key.Id(), key, reason.Statement, 0, 0, BeliefStatus.Dormant, BeliefSource.Inferred);
                }
            }
            if (list is not null)
            {
                drivers[itemId] = [.. list];
            }
        }
        foreach (var item in result.Items)
        {
            Collect(item.Id, item.Reasons);
        }
        foreach (var item in result.Suppressed)
        {
            Collect(item.Id, item.Reasons);
        }
        var ordered = beliefs.Values.OrderBy(b => b.Id, StringComparer.Ordinal).ToList();
        return new Decision(result.DecisionId, request, result, ordered, drivers);
    }

    private static BeliefRecord Record(BeliefSnapshot s) =>
        new(s.Id, s.Key, s.Statement, s.Confidence, s.Evidence, s.Status, s.Belief.Source);

    public RerankResult Rerank(SelfModel model, RerankRequest request)
    {
        var options = engine.Options.Rerank;
        var candidates = request.Candidates;
        var n = candidates.Count;
        var baseScores = NormaliseScores(candidates);
        var history = model.Current.History;
        var asOf = request.AsOf.UtcTicks;
        var decisionId = DecisionId(model, request);
        var state = new Pass(engine, model, request, decisionId);
        var categories = new Dictionary<string, CategoryEffects>(StringComparer.Ordinal);

        var scored = new Scored[n];
        var kept = 0;
        List<SuppressedItem>? suppressed = null;
        for (var i = 0; i < n; i++)
        {
            var candidate = candidates[i];
            if (!categories.TryGetValue(candidate.Category, out var effects))
            {
                effects = Effects(state, engine.Category(candidate.Category), history, asOf);
                categories.Add(candidate.Category, effects);
            }
            var why = effects.Satiation ?? (effects.PostPurchase is { } bought && !IsComplementary(candidate, options) ? bought : null);
            if (why is not null)
            {
                (suppressed ??= []).Add(new SuppressedItem(candidate.Id, [why]));
                continue;
            }
            var tier = TierReason(state, candidate, effects, history);
            var research = effects.Researcher is { } researched && effects.Root is { } root && root.HasResearched(candidate.Id) ? researched : null;
            var count = (effects.Affinity is null ? 0 : 1) + (effects.Replenishment is null ? 0 : 1) + (effects.Variety is null ? 0 : 1)
                + (tier is null ? 0 : 1) + (research is null ? 0 : 1);
            var score = baseScores[i];
            List<Reason>? reasons = null;
            if (count > 0)
            {
                reasons = new List<Reason>(count + 1);
                Add(reasons, effects.Affinity, ref score);
                Add(reasons, tier, ref score);
                Add(reasons, effects.Replenishment, ref score);
                Add(reasons, research, ref score);
                Add(reasons, effects.Variety, ref score);
            }
            scored[kept++] = new Scored(i, score, baseScores[i], reasons);
        }

        // Stable order: score, then upstream position; untouched items keep their relative order.
        Array.Sort(scored, 0, kept, ScoredComparer.Instance);
        var limit = Math.Min(request.Limit ?? kept, kept);
        if (string.Equals(request.OptimizeFor, Objectives.Diversity, StringComparison.Ordinal))
        {
            Diversify(scored, kept, limit, candidates, options);
        }
        var items = new List<RankedItem>(limit);
        for (var r = 0; r < limit; r++)
        {
            var s = scored[r];
            items.Add(new RankedItem(candidates[s.Index].Id, r + 1, s.Score, s.BaseScore, s.Reasons is null ? [] : s.Reasons));
        }
        return new RerankResult(items, suppressed is null ? [] : suppressed, decisionId);
    }

    private static void Add(List<Reason> reasons, Reason? reason, ref double score)
    {
        if (reason is not null)
        {
            reasons.Add(reason);
            score += reason.Effect;
        }
    }

    /// <summary>What the beliefs do to any item of one category, computed once per category per request.</summary>
    private sealed class CategoryEffects(CategoryInfo info)
    {
        public CategoryInfo Info { get; } = info;
        public Reason? Satiation;
        public Reason? PostPurchase;
        public Reason? Affinity;
        public Reason? Replenishment;
        public Reason? Researcher;
        public CategoryStats? Root;
        public Reason? Variety;
        public readonly Reason?[] Tiers = new Reason?[3];
        public byte TiersDone;
    }

    private CategoryEffects Effects(Pass state, CategoryInfo info, History history, long asOf)
    {
        var options = engine.Options.Rerank;
        var effects = new CategoryEffects(info)
        {
            Satiation = SatiationReason(state, info),
            Affinity = Significant(AffinityReason(state, info)),
            Replenishment = Significant(ReplenishmentReason(state, info, history, asOf)),
            Variety = Significant(VarietyReason(state, info, history)),
            Root = history.Find(info.Root),
        };
        // Right after a purchase, what was just bought is not shown again unless it is re-bought
        // regularly or complements the purchase (checked per item).
        if (string.Equals(state.Context, options.PostPurchaseContext, StringComparison.Ordinal)
            && history.LastPurchaseCategory is { } bought
            && asOf >= history.LastPurchaseTicks
            && asOf - history.LastPurchaseTicks <= options.PostPurchaseDays * TimeSpan.TicksPerDay
            && CategoryPath.IsWithin(info.Path, bought)
            && !info.Attributes.Replenishable
            && !info.Attributes.Consumable)
        {
            // Name the satiation belief when the model holds one; otherwise this is the context's rule,
            // not a belief, and it says so rather than pointing at a belief id that does not exist.
            var key = new BeliefKey(BeliefKind.Satiation, bought);
            var statement = $"Just bought {Statements.Readable(bought)}; not showing another right after";
            effects.PostPurchase = state.Contains(key)
                ? new Reason(key.Id(), statement, -1.0) { Key = key }
                : new Reason(PostPurchaseId, statement, -1.0);
        }
        if (state.Active(info.ResearcherKey) is { Holds: true } researcher && effects.Root is not null)
        {
            var effect = options.ResearcherWeight * state.Confidence(researcher) * Certainty(researcher);
            effects.Researcher = Significant(new Reason(researcher.Id, researcher.Statement, effect) { Key = researcher.Key });
        }
        return effects;
    }

    private Reason? Significant(Reason? reason) =>
        reason is not null && Math.Abs(reason.Effect) >= engine.Options.Rerank.MinimumEffect ? reason : null;

    private struct Scored(int index, double score, double baseScore, List<Reason>? reasons)
    {
        public readonly int Index = index;
        public double Score = score;
        public readonly double BaseScore = baseScore;
        public List<Reason>? Reasons = reasons;
    }

    private sealed class ScoredComparer : IComparer<Scored>
    {
        public static readonly ScoredComparer Instance = new();

        public int Compare(Scored a, Scored b)
        {
            var order = b.Score.CompareTo(a.Score);
            return order != 0 ? order : a.Index.CompareTo(b.Index);
        }
    }

    /// <summary>Per-request state: belief snapshots evaluated once, and exploration samples.</summary>
    private sealed class Pass
    {
        private readonly BeliefEngine _engine;
        private readonly SelfModel _model;
        private readonly DateTimeOffset _asOf;
        private readonly Dictionary<BeliefKey, BeliefSnapshot?> _snapshots = [];
        private readonly Dictionary<BeliefKey, double>? _samples;
        private DeterministicRandom _random;

        public Pass(BeliefEngine engine, SelfModel model, RerankRequest request, string decisionId)
        {
            _engine = engine;
            _model = model;
            _asOf = request.AsOf;
            Context = request.Context;
            if (string.Equals(request.OptimizeFor, Objectives.Exploration, StringComparison.Ordinal))
            {
                _samples = [];
                _random = new DeterministicRandom((ulong)BeliefEngine.StableHash(decisionId));
            }
        }

        public string Context { get; }

        /// <summary>Whether the model holds this belief at all, whatever its status.</summary>
        public bool Contains(BeliefKey key) => _model.TryGet(key, out _);

        public BeliefSnapshot? Active(BeliefKey key)
        {
            if (!_snapshots.TryGetValue(key, out var snapshot))
            {
                snapshot = _model.TryGet(key, out var belief) ? _engine.Evaluate(belief, _asOf) : null;
                if (snapshot is { Status: not BeliefStatus.Active })
                {
                    snapshot = null;
                }
                _snapshots[key] = snapshot;
            }
            return snapshot;
        }

        /// <summary>The confidence to act on: the posterior mean, or under exploration one Thompson sample per belief.</summary>
        public double Confidence(BeliefSnapshot snapshot)
        {
            if (_samples is null)
            {
                return snapshot.Confidence;
            }
            if (!_samples.TryGetValue(snapshot.Key, out var sample))
            {
                var (alpha, beta) = _engine.Parameters(snapshot.Belief, _asOf.UtcTicks);
                sample = _random.NextBeta(alpha, beta);
                _samples[snapshot.Key] = sample;
            }
            return sample;
        }
    }

    private Reason? SatiationReason(Pass state, CategoryInfo info)
    {
        foreach (var path in info.SelfAndAncestors)
        {
            if (state.Active(new BeliefKey(BeliefKind.Satiation, path)) is { Holds: true } satiation
                && satiation.Confidence >= engine.Options.Rerank.SatiationFilterConfidence)
            {
                return new Reason(satiation.Id, satiation.Statement, -1.0) { Key = satiation.Key };
            }
        }
        return null;
    }

    private static bool IsComplementary(Candidate candidate, RerankOptions options)
    {
        if (candidate.Tags is not { } tags)
        {
            return false;
        }
        foreach (var tag in tags)
        {
            if (options.ComplementaryTags.Contains(tag))
            {
                return true;
            }
        }
        return false;
    }

    private double Certainty(BeliefSnapshot belief) =>
        belief.Evidence / (belief.Evidence + engine.Options.Rerank.EvidenceHalfSaturation);

    // The most specific category belief with enough evidence; a weak leaf backs off to its parent.
    private Reason? AffinityReason(Pass state, CategoryInfo info)
    {
        var options = engine.Options.Rerank;
        foreach (var key in info.AffinityKeys)
        {
            if (state.Active(key) is { } belief && belief.Evidence >= options.BackoffBelowEvidence)
            {
                var prior = engine.Options.For(BeliefKind.Affinity).PriorMean;
                var effect = options.AffinityWeight * (state.Confidence(belief) - prior) * Certainty(belief);
                return new Reason(belief.Id, belief.Statement, effect) { Key = key };
            }
        }
        return null;
    }

    private Reason? TierReason(Pass state, Candidate candidate, CategoryEffects effects, History history)
    {
        if (engine.Classify(effects.Info, candidate.Price, candidate.Tags, history) is not { } tier)
        {
            return null;
        }
        var slot = (int)tier;
        if ((effects.TiersDone & (1 << slot)) == 0)
        {
            effects.TiersDone |= (byte)(1 << slot);
            if (state.Active(effects.Info.TierKeys[slot]) is { } belief)
            {
                var prior = engine.Options.For(BeliefKind.PriceTier).PriorMean;
                var effect = engine.Options.Rerank.PriceTierWeight * (state.Confidence(belief) - prior) * Certainty(belief);
                effects.Tiers[slot] = Significant(new Reason(belief.Id, belief.Statement, effect) { Key = belief.Key });
            }
        }
        return effects.Tiers[slot];
    }

    private Reason? ReplenishmentReason(Pass state, CategoryInfo info, History history, long asOf)
    {
        if (state.Active(info.ReplenishmentKey) is not { Holds: true } belief
            || belief.Belief.ExpectedAt is not { } expected
            || history.Find(info.Path) is not { MeanIntervalTicks: > 0 } stats)
        {
            return null;
        }
        var window = engine.Options.Rerank.ReplenishmentDueShare * stats.MeanIntervalTicks;
        var distance = Math.Abs(asOf - expected.UtcTicks);
        if (window <= 0 || distance > window)
        {
            return null;
        }
        var effect = engine.Options.Rerank.ReplenishmentWeight * state.Confidence(belief) * Certainty(belief) * (1 - distance / window);
        return new Reason(belief.Id, belief.Statement, effect) { Key = belief.Key };
    }

    // Override: "ready for a change" demotes the genre of the current streak.
    private Reason? VarietyReason(Pass state, CategoryInfo info, History history)
    {
        if (state.Active(info.VarietyKey) is not { Holds: true } belief
            || history.Find(info.Root) is not { } root
            || !string.Equals(root.StreakGenre, info.Genre, StringComparison.Ordinal))
        {
            return null;
        }
        var confidence = state.Confidence(belief);
        if (confidence < engine.Options.Rerank.VarietyOverrideConfidence)
        {
            return null;
        }
        // An override, not a nudge: gated by confidence and activity, it is not scaled down by evidence.
        var effect = -engine.Options.Rerank.VarietyWeight * confidence;
        return new Reason(belief.Id, belief.Statement, effect) { Key = belief.Key };
    }

    /// <summary>
    /// Greedy category-aware diversification of the top <paramref name="limit"/>: each pick pays a
    /// penalty per item of the same leaf category above it (half per item of the same parent).
    /// </summary>
    private void Diversify(Scored[] scored, int count, int limit, IReadOnlyList<Candidate> candidates, RerankOptions options)
    {
        var leaves = new Dictionary<string, int>(StringComparer.Ordinal);
        var parents = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var position = 0; position < limit; position++)
        {
            var best = -1;
            var bestScore = double.NegativeInfinity;
            var bestPenalty = 0.0;
            for (var j = position; j < count; j++)
            {
                var penalty = Penalty(candidates[scored[j].Index].Category, leaves, parents, options);
                var value = scored[j].Score - penalty;
                if (value > bestScore || (value == bestScore && scored[j].Index < scored[best].Index))
                {
                    best = j;
                    bestScore = value;
                    bestPenalty = penalty;
                }
            }
            var pick = scored[best];
            Array.Copy(scored, position, scored, position + 1, best - position);
            if (bestPenalty >= options.MinimumEffect)
            {
                (pick.Reasons ??= []).Add(new Reason(DiversityId, "Spread across categories (optimizeFor: diversity)", -bestPenalty));
                pick.Score -= bestPenalty;
            }
            scored[position] = pick;
            var category = candidates[pick.Index].Category;
            leaves[category] = leaves.GetValueOrDefault(category) + 1;
            var parent = engine.Category(category).SelfAndAncestors is { Length: > 1 } path ? path[1] : category;
            parents[parent] = parents.GetValueOrDefault(parent) + 1;
        }
    }

    private double Penalty(string category, Dictionary<string, int> leaves, Dictionary<string, int> parents, RerankOptions options)
    {
        var sameLeaf = leaves.GetValueOrDefault(category);
        var path = engine.Category(category).SelfAndAncestors;
        var sameParent = parents.GetValueOrDefault(path.Length > 1 ? path[1] : category);
        return options.DiversityPenalty * sameLeaf + options.DiversityPenalty / 2 * Math.Max(0, sameParent - sameLeaf);
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

    /// <summary>
    /// A stable id for the decision: a hash of the seed (user), the request and the model's state, so
    /// the same request on the same model is the same decision.
    /// </summary>
    private static string DecisionId(SelfModel model, RerankRequest request)
    {
        var hash = BeliefEngine.StableHash(request.Seed);
        void Mix(long value) => hash = unchecked((hash ^ value) * 1099511628211L);
        Mix(BeliefEngine.StableHash(request.Context));
        Mix(BeliefEngine.StableHash(request.OptimizeFor));
        Mix(request.Limit ?? -1);
        Mix(request.AsOf.UtcTicks);
        foreach (var c in request.Candidates)
        {
            Mix(BeliefEngine.StableHash(c.Id));
            Mix(BeliefEngine.StableHash(c.Category));
            Mix(BitConverter.DoubleToInt64Bits(c.Score ?? double.NaN));
            Mix(BitConverter.DoubleToInt64Bits(c.Price ?? double.NaN));
        }
        // The model: how many signals made it, and the masses of its beliefs (order-free sum).
        Mix(model.SignalCount);
        var masses = 0L;
        foreach (var belief in model.Beliefs.Values)
        {
            masses = unchecked(masses + BitConverter.DoubleToInt64Bits(belief.Support.Value) * 31 + BitConverter.DoubleToInt64Bits(belief.Against.Value));
        }
        Mix(masses);
        return "d-" + ((ulong)hash).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
    }
}
