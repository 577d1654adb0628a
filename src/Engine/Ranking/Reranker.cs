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
public sealed partial class Reranker(BeliefEngine engine)
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
        // One pass object per thread, reused: its tables keep their capacity across requests, so a
        // rerank allocates only its answer (and the reasons, once per category).
        var state = t_pass ?? new Pass();
        t_pass = null;
        try
        {
            return Rerank(state, model, request);
        }
        finally
        {
            state.End();
            t_pass = state;
        }
    }

    [ThreadStatic]
    private static Pass? t_pass;

    private RerankResult Rerank(Pass state, SelfModel model, RerankRequest request)
    {
        var options = engine.Options.Rerank;
        var candidates = request.Candidates;
        var n = candidates.Count;
        var baseScores = state.BaseScores(n);
        NormaliseScores(candidates, baseScores);
        var history = model.Current.History;
        var asOf = request.AsOf.UtcTicks;
        var effectsOf = state.EffectsOf(n);
        var decisionId = DecisionId(state, model, request, effectsOf);
        state.Begin(engine, model, request, decisionId);

        var scored = state.Scored(n);
        var reasonsOf = state.Reasons(n);
        var scoreOf = state.ScoreOf(n);
        var order = state.Order(n);
        var keys = state.Keys(n);
        var kept = 0;
        List<SuppressedItem>? suppressed = null;
        for (var i = 0; i < n; i++)
        {
            var candidate = candidates[i];
            var effects = effectsOf[i];
            if (effects.Info is null)
            {
                Effects(state, effects, engine.Category(candidate.Category), history, asOf);
            }
            var why = effects.Satiation ?? (effects.PostPurchase is { } bought && !IsComplementary(candidate, options) ? bought : null);
            if (why is not null)
            {
                (suppressed ??= []).Add(new SuppressedItem(candidate.Id, [why]));
                continue;
            }
            var tier = TierReason(state, candidate, effects, history);
            var research = effects.Researcher is { } researched && effects.Root is { } root && root.HasResearched(candidate.Id) ? researched : null;
            var rebuy = history.Items.Count == 0 ? null : ItemRepeatReason(state, candidate, history, asOf);
            var count = (effects.Affinity is null ? 0 : 1) + (effects.Replenishment is null ? 0 : 1) + (effects.Variety is null ? 0 : 1)
                + (tier is null ? 0 : 1) + (research is null ? 0 : 1) + (rebuy is null ? 0 : 1);
            var score = baseScores[i];
            Reason[]? reasons = null;
            if (count > 0)
            {
                reasons = new Reason[count];
                var at = 0;
                Add(reasons, ref at, effects.Affinity, ref score);
                Add(reasons, ref at, tier, ref score);
                Add(reasons, ref at, effects.Replenishment, ref score);
                Add(reasons, ref at, rebuy, ref score);
                Add(reasons, ref at, research, ref score);
                Add(reasons, ref at, effects.Variety, ref score);
            }
            reasonsOf[i] = reasons;
            scoreOf[i] = score;
            order[kept] = i;
            keys[kept++] = SortKey(score);
        }

        // Stable order: score, then upstream position; untouched items keep their relative order.
        Sort(keys, order, kept);
        for (var r = 0; r < kept; r++)
        {
            scored[r] = new Scored(order[r], scoreOf[order[r]], baseScores[order[r]]);
        }
        var limit = Math.Min(request.Limit ?? kept, kept);
        if (string.Equals(request.OptimizeFor, Objectives.Diversity, StringComparison.Ordinal))
        {
            Diversify(state, scored, reasonsOf, kept, limit, candidates, options);
        }
        var items = new RankedItem[limit];
        for (var r = 0; r < limit; r++)
        {
            var s = scored[r];
            items[r] = new RankedItem(candidates[s.Index].Id, r + 1, s.Score, s.BaseScore, reasonsOf[s.Index] ?? []);
        }
        return new RerankResult(items, suppressed is null ? [] : suppressed, decisionId);
    }

    private static void Add(Reason[] reasons, ref int at, Reason? reason, ref double score)
    {
        if (reason is not null)
        {
            reasons[at++] = reason;
            score += reason.Effect;
        }
    }

    /// <summary>What the beliefs do to any item of one category, computed once per category per request.</summary>
    private sealed class CategoryEffects
    {
        public CategoryInfo? Info;
        public Reason? Satiation;
        public Reason? PostPurchase;
        public Reason? Affinity;
        public Reason? Replenishment;
        public Reason? Researcher;
        public CategoryStats? Root;
        public Reason? Variety;
        public readonly Reason?[] Tiers = new Reason?[3];
        public byte TiersDone;
        public bool UsualPriceDone;
        public double? UsualPrice;
        public bool CategoryHashed;
        public long CategoryHash;

        public void Reset()
        {
            Info = null;
            Satiation = PostPurchase = Affinity = Replenishment = Researcher = Variety = null;
            Root = null;
            Array.Clear(Tiers);
            TiersDone = 0;
            UsualPriceDone = false;
            UsualPrice = null;
            CategoryHashed = false;
        }
    }

    private void Effects(Pass state, CategoryEffects effects, CategoryInfo info, History history, long asOf)
    {
        var options = engine.Options.Rerank;
        effects.Info = info;
        effects.Satiation = SatiationReason(state, info);
        effects.Affinity = Significant(AffinityReason(state, info));
        effects.Replenishment = Significant(ReplenishmentReason(state, info, history, asOf));
        effects.Variety = Significant(VarietyReason(state, info, history));
        effects.Root = history.Find(info.Root);
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
        if (state.Active(info.ResearcherKey) is { } researcher && researcher.Value.Holds && effects.Root is not null)
        {
            var effect = options.ResearcherWeight * state.Confidence(researcher) * Certainty(researcher);
            effects.Researcher = Significant(Reason(researcher, effect));
        }
    }

    private static Reason Reason(Active belief, double effect) =>
        new(belief.Belief.Id, belief.Belief.Statement(belief.Value.Holds), effect) { Key = belief.Belief.Key };

    private Reason? Significant(Reason? reason) =>
        reason is not null && Math.Abs(reason.Effect) >= engine.Options.Rerank.MinimumEffect ? reason : null;

    // No references inside, so that sorting moves plain values (the reasons are kept by candidate index).
    private struct Scored(int index, double score, double baseScore)
    {
        public readonly int Index = index;
        public double Score = score;
        public readonly double BaseScore = baseScore;
    }

    /// <summary>
    /// An unsigned key that orders scores descending as <see cref="double.CompareTo(double)"/> would
    /// (NaN last, -0 equal to 0), so that the sort compares plain integers.
    /// </summary>
    private static ulong SortKey(double score)
    {
        if (double.IsNaN(score))
        {
            return ulong.MaxValue;
        }
        var bits = BitConverter.DoubleToInt64Bits(score == 0 ? 0.0 : score);
        var ascending = bits >= 0 ? (ulong)bits | 0x8000000000000000UL : ~(ulong)bits;
        return ~ascending;
    }

    /// <summary>
    /// Score descending, then upstream position: a total order, so the result is the one any correct
    /// sort gives. Sorts integer keys (fast, unstable), then puts equal scores in upstream order.
    /// </summary>
    private static void Sort(ulong[] keys, int[] order, int count)
    {
        Array.Sort(keys, order, 0, count);
        for (var start = 0; start < count;)
        {
            var end = start + 1;
            while (end < count && keys[end] == keys[start])
            {
                end++;
            }
            if (end - start > 1)
            {
                Array.Sort(order, start, end - start);
            }
            start = end;
        }
    }

    /// <summary>An active belief as evaluated for this request.</summary>
    private readonly record struct Active(Belief Belief, Evaluation Value);

    /// <summary>
    /// Per-request state: each belief evaluated once (with its exploration sample), the effects of
    /// each category, and scratch arrays. Reused across requests on one thread (see <see cref="Rerank(SelfModel, RerankRequest)"/>).
    /// </summary>
    private sealed class Pass
    {
        private struct Slot
        {
            public Belief? Belief;
            public Evaluation Value;
            public bool Sampled;
            public double Sample;
        }

        private readonly Dictionary<BeliefKey, Slot> _beliefs = [];
        private readonly Dictionary<string, CategoryEffects> _categories = new(StringComparer.Ordinal);
        private readonly List<CategoryEffects> _effects = [];
        private int _effectsUsed;
        private double[] _baseScores = [];
        private Scored[] _scored = [];
        private double[] _scoreOf = [];
        private int[] _order = [];
        private ulong[] _keys = [];
        private Reason[]?[] _reasons = [];
        private CategoryEffects[] _effectsOf = [];
        private BeliefEngine? _engine;
        private SelfModel? _model;
        private long _asOf;
        private bool _explore;
        private DeterministicRandom _random;

        public Dictionary<string, int> Leaves { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, int> Parents { get; } = new(StringComparer.Ordinal);

        public string Context { get; private set; } = "";

        public double[] BaseScores(int n) => _baseScores.Length >= n ? _baseScores : _baseScores = new double[n];

        public Scored[] Scored(int n) => _scored.Length >= n ? _scored : _scored = new Scored[n];

        public double[] ScoreOf(int n) => _scoreOf.Length >= n ? _scoreOf : _scoreOf = new double[n];

        public int[] Order(int n) => _order.Length >= n ? _order : _order = new int[n];

        public ulong[] Keys(int n) => _keys.Length >= n ? _keys : _keys = new ulong[n];

        /// <summary>Each candidate's category effects, by upstream index.</summary>
        public CategoryEffects[] EffectsOf(int n) => _effectsOf.Length >= n ? _effectsOf : _effectsOf = new CategoryEffects[n];

        /// <summary>Each candidate's reasons, by upstream index.</summary>
        public Reason[]?[] Reasons(int n) => _reasons.Length >= n ? _reasons : _reasons = new Reason[]?[n];

        public void Begin(BeliefEngine engine, SelfModel model, RerankRequest request, string decisionId)
        {
            _engine = engine;
            _model = model;
            _asOf = request.AsOf.UtcTicks;
            Context = request.Context;
            _explore = string.Equals(request.OptimizeFor, Objectives.Exploration, StringComparison.Ordinal);
            if (_explore)
            {
                _random = new DeterministicRandom((ulong)BeliefEngine.StableHash(decisionId));
            }
        }

        /// <summary>Forgets the request (nothing of one user's model stays reachable from the thread).</summary>
        public void End()
        {
            _beliefs.Clear();
            _categories.Clear();
            for (var i = 0; i < _effectsUsed; i++)
            {
                _effects[i].Reset();
            }
            _effectsUsed = 0;
            Array.Clear(_reasons);
            Array.Clear(_effectsOf);
            Leaves.Clear();
            Parents.Clear();
            _engine = null;
            _model = null;
        }

        /// <summary>The effects of one category: fresh (Info null) the first time the category is seen in this request.</summary>
        public CategoryEffects Effects(string category)
        {
            ref var effects = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_categories, category, out var exists);
            if (!exists)
            {
                if (_effectsUsed == _effects.Count)
                {
                    _effects.Add(new CategoryEffects());
                }
                effects = _effects[_effectsUsed++];
            }
            return effects!;
        }

        /// <summary>Whether the model holds this belief at all, whatever its status.</summary>
        public bool Contains(BeliefKey key) => _model!.TryGet(key, out _);

        public Active? Active(BeliefKey key)
        {
            ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_beliefs, key, out var exists);
            if (!exists && _model!.TryGet(key, out var belief))
            {
                var value = _engine!.EvaluateForRerank(belief, _asOf);
                if (value.Status == BeliefStatus.Active)
                {
                    slot.Belief = belief;
                    slot.Value = value;
                }
            }
            return slot.Belief is null ? null : new Active(slot.Belief, slot.Value);
        }

        /// <summary>
        /// The confidence to act on: the raw posterior mean, or under exploration one Thompson sample
        /// from the same Beta. Effects are distances from the kind's prior mean, so they are taken on
        /// the posterior's own scale; the calibrated confidence is what reasons report.
        /// </summary>
        public double Confidence(Active belief)
        {
            if (!_explore)
            {
                return belief.Value.Posterior;
            }
            ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(_beliefs, belief.Belief.Key);
            if (!slot.Sampled)
            {
                var (alpha, beta) = _engine!.Parameters(belief.Belief, _asOf);
                slot.Sample = _random.NextBeta(alpha, beta);
                slot.Sampled = true;
            }
            return slot.Sample;
        }
    }

    private Reason? SatiationReason(Pass state, CategoryInfo info)
    {
        foreach (var key in info.SatiationKeys)
        {
            if (state.Active(key) is { } satiation && satiation.Value.Holds
                && satiation.Value.Posterior >= engine.Options.Rerank.SatiationFilterConfidence)
            {
                return Reason(satiation, -1.0);
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

    private double Certainty(Active belief) =>
        belief.Value.Evidence / (belief.Value.Evidence + engine.Options.Rerank.EvidenceHalfSaturation);

    // The most specific category belief with enough evidence; a weak leaf backs off to its parent.
    private Reason? AffinityReason(Pass state, CategoryInfo info)
    {
        var options = engine.Options.Rerank;
        foreach (var key in info.AffinityKeys)
        {
            if (state.Active(key) is { } belief && belief.Value.Evidence >= options.BackoffBelowEvidence)
            {
                var prior = engine.Kind(BeliefKind.Affinity).PriorMean;
                var confidence = state.Confidence(belief);
                // Interest and its absence have separate weights: how much a taste should reorder a
                // good upstream list is not how hard "not interested" must push a category away.
                var weight = confidence >= prior ? options.AffinityWeight : options.NotInterestedWeight;
                var effect = weight * (confidence - prior) * Certainty(belief);
                return Reason(belief, effect);
            }
        }
        return null;
    }

    private Reason? TierReason(Pass state, Candidate candidate, CategoryEffects effects, History history)
    {
        var info = effects.Info!;
        if (candidate.Price is not null && !effects.UsualPriceDone)
        {
            effects.UsualPrice = engine.UsualPrice(info, history);
            effects.UsualPriceDone = true;
        }
        if (engine.Classify(effects.UsualPrice, candidate.Price, candidate.Tags) is not { } tier)
        {
            return null;
        }
        var slot = (int)tier;
        if ((effects.TiersDone & (1 << slot)) == 0)
        {
            effects.TiersDone |= (byte)(1 << slot);
            if (state.Active(info.TierKeys[slot]) is { } belief)
            {
                var prior = engine.Kind(BeliefKind.PriceTier).PriorMean;
                var effect = engine.Options.Rerank.PriceTierWeight * (state.Confidence(belief) - prior) * Certainty(belief);
                effects.Tiers[slot] = Significant(Reason(belief, effect));
            }
        }
        return effects.Tiers[slot];
    }

    private Reason? ReplenishmentReason(Pass state, CategoryInfo info, History history, long asOf)
    {
        if (state.Active(info.ReplenishmentKey) is not { } belief
            || !belief.Value.Holds
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
        return Reason(belief, effect);
    }

    // Override: "ready for a change" demotes the genre of the current streak.
    private Reason? VarietyReason(Pass state, CategoryInfo info, History history)
    {
        if (state.Active(info.VarietyKey) is not { } belief
            || !belief.Value.Holds
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
        return Reason(belief, effect);
    }

    /// <summary>
    /// Greedy category-aware diversification of the top <paramref name="limit"/>: each pick pays a
    /// penalty per item of the same leaf category above it (half per item of the same parent).
    /// </summary>
    private void Diversify(Pass state, Scored[] scored, Reason[]?[] reasonsOf, int count, int limit, IReadOnlyList<Candidate> candidates, RerankOptions options)
    {
        var leaves = state.Leaves;
        var parents = state.Parents;
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
                var reasons = reasonsOf[pick.Index] ?? [];
                Array.Resize(ref reasons, reasons.Length + 1);
                reasons[^1] = new Reason(DiversityId, "Spread across categories (optimizeFor: diversity)", -bestPenalty);
                reasonsOf[pick.Index] = reasons;
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
        var result = new double[candidates.Count];
        NormaliseScores(candidates, result);
        return result;
    }

    private static void NormaliseScores(IReadOnlyList<Candidate> candidates, double[] result)
    {
        var n = candidates.Count;
        var allScored = n > 0;
        double min = double.MaxValue, max = double.MinValue;
        for (var i = 0; i < n; i++)
        {
            if (candidates[i].Score is not { } s)
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
    }

    /// <summary>
    /// A stable id for the decision: a hash of the seed (user), the request and the model's state, so
    /// the same request on the same model is the same decision. Looks up each candidate's category
    /// effects on the way (<paramref name="effectsOf"/>), so that a category's name is hashed once.
    /// </summary>
    private static string DecisionId(Pass state, SelfModel model, RerankRequest request, CategoryEffects[] effectsOf)
    {
        var hash = BeliefEngine.StableHash(request.Seed);
        Mix(ref hash, BeliefEngine.StableHash(request.Context));
        Mix(ref hash, BeliefEngine.StableHash(request.OptimizeFor));
        Mix(ref hash, request.Limit ?? -1);
        Mix(ref hash, request.AsOf.UtcTicks);
        var candidates = request.Candidates;
        for (var i = 0; i < candidates.Count; i++)
        {
            var c = candidates[i];
            var effects = effectsOf[i] = state.Effects(c.Category);
            if (!effects.CategoryHashed)
            {
                effects.CategoryHash = BeliefEngine.StableHash(c.Category);
                effects.CategoryHashed = true;
            }
            Mix(ref hash, BeliefEngine.StableHash(c.Id));
            Mix(ref hash, effects.CategoryHash);
            Mix(ref hash, BitConverter.DoubleToInt64Bits(c.Score ?? double.NaN));
            Mix(ref hash, BitConverter.DoubleToInt64Bits(c.Price ?? double.NaN));
        }
        // The model: how many signals made it, and the masses of its beliefs (order-free sum).
        Mix(ref hash, model.SignalCount);
        var masses = 0L;
        foreach (var belief in model.Beliefs.Values)
        {
            masses = unchecked(masses + BitConverter.DoubleToInt64Bits(belief.Support.Value) * 31 + BitConverter.DoubleToInt64Bits(belief.Against.Value));
        }
        Mix(ref hash, masses);
        return "d-" + ((ulong)hash).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Mix(ref long hash, long value) => hash = unchecked((hash ^ value) * 1099511628211L);
}
