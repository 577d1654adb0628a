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
        var history = model.Current.History;
        var asOf = request.AsOf.UtcTicks;
        var effectsOf = state.EffectsOf(n);
        var decisionId = DecisionId(state, model, request, effectsOf, out var scale);
        state.Begin(engine, model, request, decisionId);

        var baseScores = state.BaseScores(n);
        var scored = state.Scored(n);
        var listOf = state.ListOf(n);
        var scoreOf = state.ScoreOf(n);
        var order = state.Order(n);
        var keys = state.Keys(n);
        var kept = 0;
        List<SuppressedItem>? suppressed = null;
        for (var i = 0; i < n; i++)
        {
            var candidate = candidates[i];
            var baseScore = baseScores[i] = scale.Normalise(candidate.Score, i, n);
            var effects = state.EffectsAt(effectsOf[i]);
            if (effects.Info is null)
            {
                Effects(state, effects, engine.Category(candidate.Category), history, asOf);
            }
            if (effects.Filters && Suppression(effects, candidate, options) is { } why)
            {
                (suppressed ??= []).Add(new SuppressedItem(candidate.Id, [why]));
                continue;
            }
            var tierSlot = TierSlot(effects, candidate, history);
            var list = effects.Lists[tierSlot];
            // The common case stays in this loop: an item of a category and tier seen before, that
            // nothing of its own moves. Anything else is worked out (once, or per item) out of line.
            if (list < 0
                || (effects.Researcher is not null && effects.Root is { } root && root.HasResearched(candidate.Id))
                || (state.HasItemBeliefs && history.ItemCount > 0))
            {
                list = ItemReasons(state, effects, tierSlot, candidate, history, asOf);
            }
            var score = baseScore;
            if (state.List(list) is { } reasons)
            {
                // Summed in list order, as the reasons are listed, so the score is their exact sum.
                foreach (var reason in reasons)
                {
                    score += reason.Effect;
                }
            }
            listOf[i] = list;
            scoreOf[i] = score;
            order[kept] = i;
            keys[kept++] = SortKey(score);
        }

        // Stable order: score, then upstream position; untouched items keep their relative order.
        Sort(keys, order, kept, n, scoreOf);
        for (var r = 0; r < kept; r++)
        {
            scored[r] = new Scored(order[r], scoreOf[order[r]], baseScores[order[r]]);
        }
        var limit = Math.Min(request.Limit ?? kept, kept);
        if (string.Equals(request.OptimizeFor, Objectives.Diversity, StringComparison.Ordinal))
        {
            Diversify(state, scored, listOf, effectsOf, kept, limit, options);
        }
        return new RerankResult(Answer(state, scored, listOf, limit, candidates), suppressed is null ? [] : suppressed, decisionId);
    }

    private static RankedItem[] Answer(Pass state, Scored[] scored, int[] listOf, int limit, IReadOnlyList<Candidate> candidates)
    {
        var items = new RankedItem[limit];
        for (var r = 0; r < limit; r++)
        {
            var s = scored[r];
            items[r] = new RankedItem(candidates[s.Index].Id, r + 1, s.Score, s.BaseScore, state.List(listOf[s.Index]) ?? []);
        }
        return items;
    }

    /// <summary>Why an item is not shown: confident satiation, or the post-purchase rule unless it complements the purchase.</summary>
    private static Reason? Suppression(CategoryEffects effects, Candidate candidate, RerankOptions options) =>
        effects.Satiation ?? (effects.PostPurchase is { } bought && !IsComplementary(candidate, options) ? bought : null);

    /// <summary>
    /// The number of an item's reason list: its category and tier's shared list (made on first use)
    /// unless research or its own re-buying adds a reason, then a list of its own.
    /// </summary>
    // Kept out of the candidate loop (not inlined into it): the loop's registers are for the common case.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private int ItemReasons(Pass state, CategoryEffects effects, int tierSlot, Candidate candidate, History history, long asOf)
    {
        // In the order the effects were always computed, so that exploration samples the beliefs in
        // the same order (tier, then the item's own).
        var tier = TierReason(state, effects, tierSlot);
        var research = effects.Researcher is { } researched && effects.Root is { } root && root.HasResearched(candidate.Id) ? researched : null;
        // Only a model holding an item-level "re-buys this item" belief can give one (DecisionId
        // looks): the per-item history lookup is skipped for everyone else.
        var rebuy = state.HasItemBeliefs && history.ItemCount > 0 ? ItemRepeatReason(state, candidate, history, asOf) : null;
        if (research is null && rebuy is null)
        {
            var shared = effects.Lists[tierSlot];
            return shared >= 0 ? shared : effects.Lists[tierSlot] = state.AddList(CategoryReasons(effects, tier));
        }
        var count = (effects.Affinity is null ? 0 : 1) + (effects.Replenishment is null ? 0 : 1) + (effects.Variety is null ? 0 : 1)
            + (tier is null ? 0 : 1) + (research is null ? 0 : 1) + (rebuy is null ? 0 : 1);
        var reasons = new Reason[count];
        var at = 0;
        Add(reasons, ref at, effects.Affinity);
        Add(reasons, ref at, tier);
        Add(reasons, ref at, effects.Replenishment);
        Add(reasons, ref at, rebuy);
        Add(reasons, ref at, research);
        Add(reasons, ref at, effects.Variety);
        return state.AddList(reasons);
    }

    /// <summary>
    /// The reasons of an item of this category and tier that nothing item-specific moves (null when
    /// there are none); the same list, in the same order, as the per-item path builds.
    /// </summary>
    private static Reason[]? CategoryReasons(CategoryEffects effects, Reason? tier)
    {
        var count = (effects.Affinity is null ? 0 : 1) + (tier is null ? 0 : 1) + (effects.Replenishment is null ? 0 : 1) + (effects.Variety is null ? 0 : 1);
        if (count == 0)
        {
            return null;
        }
        var reasons = new Reason[count];
        var at = 0;
        Add(reasons, ref at, effects.Affinity);
        Add(reasons, ref at, tier);
        Add(reasons, ref at, effects.Replenishment);
        Add(reasons, ref at, effects.Variety);
        return reasons;
    }

    private static void Add(Reason[] reasons, ref int at, Reason? reason)
    {
        if (reason is not null)
        {
            reasons[at++] = reason;
        }
    }

    /// <summary>What the beliefs do to any item of one category, computed once per category per request.</summary>
    private sealed class CategoryEffects
    {
        public CategoryInfo? Info;
        public Reason? Satiation;
        public Reason? PostPurchase;

        /// <summary>Whether items of this category may be suppressed (see <see cref="Suppression"/>).</summary>
        public bool Filters;
        public Reason? Affinity;
        public Reason? Replenishment;
        public Reason? Researcher;
        public CategoryStats.TopLevel? Root;
        public Reason? Variety;
        public readonly Reason?[] Tiers = new Reason?[3];
        public byte TiersDone;

        /// <summary>
        /// The shared reason lists (see <see cref="Pass.List"/>) by tier slot, <see cref="NoTier"/>
        /// last; -1 until made (see <see cref="CategoryReasons"/>).
        /// </summary>
        public readonly int[] Lists = [-1, -1, -1, -1];
        public bool UsualPriceDone;
        public double? UsualPrice;
        public bool CategoryHashed;
        public long CategoryHash;

        public void Reset()
        {
            Info = null;
            Satiation = PostPurchase = Affinity = Replenishment = Researcher = Variety = null;
            Filters = false;
            Root = null;
            Array.Clear(Tiers);
            TiersDone = 0;
            Lists.AsSpan().Fill(-1);
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
        effects.Root = history.FindTop(info.Root);
        effects.Variety = Significant(VarietyReason(state, info, effects.Root));
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
            // The same for every category within the purchase: made once per request.
            if (state.PostPurchase is null)
            {
                var key = new BeliefKey(BeliefKind.Satiation, bought);
                var statement = $"Just bought {Statements.Readable(bought)}; not showing another right after";
                state.PostPurchase = state.Contains(key)
                    ? new Reason(key.Id(), statement, -1.0) { Key = key }
                    : new Reason(PostPurchaseId, statement, -1.0);
            }
            effects.PostPurchase = state.PostPurchase;
        }
        effects.Filters = effects.Satiation is not null || effects.PostPurchase is not null;
        if (state.Active(info.ResearcherKey) is { } researcher && researcher.Value.Holds && effects.Root is not null)
        {
            var effect = options.ResearcherWeight * state.Confidence(researcher) * Certainty(researcher);
            effects.Researcher = Significant(Reason(researcher, effect));
        }
    }

    // Categories that back off to the same parent, share a root or a price-tier scope reach the same
    // belief with the same effect: one reason object for all of them (compared bit for bit, so that
    // even the sign of a zero is the one computed).
    private static Reason Reason(Active belief, double effect) =>
        belief.Reason is { } made && BitConverter.DoubleToInt64Bits(made.Effect) == BitConverter.DoubleToInt64Bits(effect)
            ? made
            : belief.Reason = new(belief.Belief.Id, belief.Belief.Statement(belief.Value.Holds), effect) { Key = belief.Belief.Key };

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
    /// sort gives. Sorts one array of integers, each a score's key with the item's upstream index in
    /// its lowest bits (about twice as fast as sorting keys with items); items whose keys differ only
    /// in those bits, rare, are then put in exact order.
    /// </summary>
    private static void Sort(ulong[] keys, int[] order, int count, int candidates, double[] scoreOf)
    {
        var bits = 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)Math.Max(1, candidates - 1));
        var mask = (1UL << bits) - 1;
        for (var r = 0; r < count; r++)
        {
            keys[r] = (keys[r] & ~mask) | (uint)order[r];
        }
        Array.Sort(keys, 0, count);
        for (var r = 0; r < count; r++)
        {
            order[r] = (int)(keys[r] & mask);
        }
        for (var start = 0; start < count;)
        {
            var end = start + 1;
            while (end < count && (keys[end] & ~mask) == (keys[start] & ~mask))
            {
                end++;
            }
            if (end - start > 1)
            {
                for (var r = start; r < end; r++)
                {
                    keys[r] = SortKey(scoreOf[order[r]]);
                }
                SortExactly(keys, order, start, end);
            }
            start = end;
        }
    }

    /// <summary>Sorts a range by full key, then equal keys by upstream index.</summary>
    private static void SortExactly(ulong[] keys, int[] order, int from, int to)
    {
        Array.Sort(keys, order, from, to - from);
        for (var start = from; start < to;)
        {
            var end = start + 1;
            while (end < to && keys[end] == keys[start])
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

    /// <summary>A belief of the model as evaluated for this request, when first asked for (pooled by <see cref="Pass"/>).</summary>
    private sealed class Active
    {
        public Belief Belief = null!;
        public bool Evaluated;
        public bool IsActive;
        public Evaluation Value;
        public bool Sampled;
        public double Sample;

        /// <summary>The last reason made from this belief (see <see cref="Reranker.Reason(Active, double)"/>).</summary>
        public Reason? Reason;
    }

    /// <summary>
    /// Per-request state: each belief evaluated once (with its exploration sample), the effects of
    /// each category, and scratch arrays. Reused across requests on one thread (see <see cref="Rerank(SelfModel, RerankRequest)"/>).
    /// </summary>
    private sealed class Pass
    {
        // The beliefs of the model this request asks about, evaluated when first asked for. Filled
        // with all of them up front when the model is small for the request (see NoteBeliefsEagerly).
        private readonly Dictionary<BeliefKey, Active> _beliefs = [];
        private bool _eager;
        // Per kind, one bit per key hash (of 64) for the keys the model holds: most keys a category asks
        // about are not held (satiation of every ancestor, variety), and a clear bit answers that
        // without a lookup.
        private readonly ulong[] _held = new ulong[Enum.GetValues<BeliefKind>().Length];
        private readonly List<Active> _actives = [];
        private int _activesUsed;
        private readonly Dictionary<string, int> _categories = new(StringComparer.Ordinal);
        private readonly List<CategoryEffects> _effects = [];
        private int _effectsUsed;
        private double[] _baseScores = [];
        private Scored[] _scored = [];
        private double[] _scoreOf = [];
        private int[] _order = [];
        private ulong[] _keys = [];
        private int[] _listOf = [];
        private int[] _effectsOf = [];
        // Reason lists by number (0: none), so that the per-candidate tables hold plain integers: old
        // tables pointing at new objects would cost a write barrier per candidate and GC card scans.
        private Reason[]?[] _lists = new Reason[]?[16];
        private int _listsUsed = 1;
        private BeliefEngine? _engine;
        private SelfModel? _model;
        private long _asOf;
        private bool _explore;
        private DeterministicRandom _random;

        private readonly Dictionary<string, int> _parents = new(StringComparer.Ordinal);
        private int[] _parentOf = [];
        private int[] _leafCounts = [];
        private int[] _parentCounts = [];

        /// <summary>
        /// For diversity: each category's parent number (the category's parent path, or the category
        /// itself at the top level), and zeroed counts of picks by category and by parent.
        /// </summary>
        public (int[] ParentOf, int[] Leaves, int[] Parents) DiversityTables()
        {
            var categories = _effectsUsed;
            if (_parentOf.Length < categories)
            {
                _parentOf = new int[categories];
                _leafCounts = new int[categories];
                _parentCounts = new int[categories];
            }
            for (var c = 0; c < categories; c++)
            {
                var info = _effects[c].Info!;
                var parent = info.SelfAndAncestors is { Length: > 1 } path ? path[1] : info.Path;
                ref var number = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_parents, parent, out var exists);
                if (!exists)
                {
                    number = _parents.Count - 1;
                }
                _parentOf[c] = number;
            }
            Array.Clear(_leafCounts, 0, categories);
            Array.Clear(_parentCounts, 0, categories);
            return (_parentOf, _leafCounts, _parentCounts);
        }

        public string Context { get; private set; } = "";

        /// <summary>Whether the model holds any item-level replenishment belief (see <see cref="ItemRepeatReason"/>).</summary>
        public bool HasItemBeliefs { get; set; }

        /// <summary>The post-purchase rule's reason, once made in this request.</summary>
        public Reason? PostPurchase { get; set; }

        public double[] BaseScores(int n) => _baseScores.Length >= n ? _baseScores : _baseScores = new double[n];

        public Scored[] Scored(int n) => _scored.Length >= n ? _scored : _scored = new Scored[n];

        public double[] ScoreOf(int n) => _scoreOf.Length >= n ? _scoreOf : _scoreOf = new double[n];

        public int[] Order(int n) => _order.Length >= n ? _order : _order = new int[n];

        public ulong[] Keys(int n) => _keys.Length >= n ? _keys : _keys = new ulong[n];

        /// <summary>Each candidate's category effects (see <see cref="EffectsAt"/>), by upstream index.</summary>
        public int[] EffectsOf(int n) => _effectsOf.Length >= n ? _effectsOf : _effectsOf = new int[n];

        /// <summary>Each candidate's reason list (see <see cref="List"/>), by upstream index.</summary>
        public int[] ListOf(int n) => _listOf.Length >= n ? _listOf : _listOf = new int[n];

        public CategoryEffects EffectsAt(int number) => _effects[number];

        /// <summary>A reason list by number; number 0 is no reasons (null).</summary>
        public Reason[]? List(int number) => _lists[number];

        /// <summary>Keeps a reason list for this request and returns its number (0 for null).</summary>
        public int AddList(Reason[]? reasons)
        {
            if (reasons is null)
            {
                return 0;
            }
            if (_listsUsed == _lists.Length)
            {
                Array.Resize(ref _lists, _lists.Length * 2);
            }
            _lists[_listsUsed] = reasons;
            return _listsUsed++;
        }

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
            Array.Clear(_held);
            for (var i = 0; i < _activesUsed; i++)
            {
                var active = _actives[i];
                active.Belief = null!;
                active.Reason = null;
                active.Evaluated = false;
                active.Sampled = false;
            }
            _activesUsed = 0;
            _categories.Clear();
            for (var i = 0; i < _effectsUsed; i++)
            {
                _effects[i].Reset();
            }
            _effectsUsed = 0;
            Array.Clear(_lists, 0, _listsUsed);
            _listsUsed = 1;
            _parents.Clear();
            _engine = null;
            _model = null;
            PostPurchase = null;
        }

        /// <summary>
        /// The number (see <see cref="EffectsAt"/>) of one category's effects: fresh (Info null) the
        /// first time the category is seen in this request.
        /// </summary>
        public int Effects(string category)
        {
            ref var number = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_categories, category, out var exists);
            if (!exists)
            {
                if (_effectsUsed == _effects.Count)
                {
                    _effects.Add(new CategoryEffects());
                }
                number = _effectsUsed++;
            }
            return number;
        }

        /// <summary>Whether the model holds this belief at all, whatever its status.</summary>
        public bool Contains(BeliefKey key) => _model!.TryGet(key, out _);

        /// <summary>
        /// Whether to note every belief of the model before the first question (see <see cref="Remember"/>):
        /// then each question is one lookup and a key the model lacks costs nothing more. Worth it while
        /// the model is small next to what the request asks about (about a dozen keys per category);
        /// a large model with few categories is looked up key by key instead.
        /// </summary>
        public bool NoteBeliefsEagerly(int beliefs) => _eager = beliefs <= 8 * _effectsUsed;

        /// <summary>Notes one belief of the model (all of them, when eager, before any <see cref="Active(BeliefKey)"/>).</summary>
        public Active Remember(BeliefKey key, Belief belief)
        {
            if (_activesUsed == _actives.Count)
            {
                _actives.Add(new Active());
            }
            var active = _actives[_activesUsed++];
            active.Belief = belief;
            _beliefs.Add(key, active);
            return active;
        }

        /// <summary>Notes a key the model holds (all of them, before any <see cref="Active(BeliefKey)"/>).</summary>
        public void NoteHeld(BeliefKey key) => _held[(int)key.Kind] |= 1UL << (key.GetHashCode() & 63);

        /// <summary>The belief of this key if the model holds it and it is active at the request's instant.</summary>
        public Active? Active(BeliefKey key)
        {
            if ((_held[(int)key.Kind] & (1UL << (key.GetHashCode() & 63))) == 0)
            {
                return null;
            }
            if (!_beliefs.TryGetValue(key, out var active))
            {
                if (_eager || !_model!.TryGet(key, out var belief))
                {
                    return null;
                }
                active = Remember(key, belief);
            }
            if (!active.Evaluated)
            {
                active.Value = _engine!.EvaluateForRerank(active.Belief, _asOf);
                active.IsActive = active.Value.Status == BeliefStatus.Active;
                active.Evaluated = true;
            }
            return active.IsActive ? active : null;
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
            if (!belief.Sampled)
            {
                var (alpha, beta) = _engine!.Parameters(belief.Belief, _asOf);
                belief.Sample = _random.NextBeta(alpha, beta);
                belief.Sampled = true;
            }
            return belief.Sample;
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

    /// <summary>The slot of an item without a price tier (after the three tiers).</summary>
    private const int NoTier = 3;

    /// <summary>The item's price tier in its category (<see cref="NoTier"/> when it has none).</summary>
    private int TierSlot(CategoryEffects effects, Candidate candidate, History history)
    {
        if (candidate.Price is not null && !effects.UsualPriceDone)
        {
            effects.UsualPrice = engine.UsualPrice(effects.Info!, history);
            effects.UsualPriceDone = true;
        }
        return engine.Classify(effects.UsualPrice, candidate.Price, candidate.Tags) is { } tier ? (int)tier : NoTier;
    }

    /// <summary>What the user's price-tier belief does to items of this category and tier (once per request).</summary>
    private Reason? TierReason(Pass state, CategoryEffects effects, int slot)
    {
        if (slot == NoTier)
        {
            return null;
        }
        if ((effects.TiersDone & (1 << slot)) == 0)
        {
            effects.TiersDone |= (byte)(1 << slot);
            if (state.Active(effects.Info!.TierKeys[slot]) is { } belief)
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
    private Reason? VarietyReason(Pass state, CategoryInfo info, CategoryStats.TopLevel? rootStats)
    {
        if (state.Active(info.VarietyKey) is not { } belief
            || !belief.Value.Holds
            || rootStats is not { } root
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
    /// <remarks>
    /// The penalty of every remaining item is worked out again at every position, so it reads counts by
    /// category number (<paramref name="categoryOf"/>, as <see cref="Pass.Effects(string)"/> numbers them)
    /// and by parent number: no lookups in the quadratic loop.
    /// </remarks>
    private static void Diversify(Pass state, Scored[] scored, int[] listOf, int[] categoryOf, int count, int limit, RerankOptions options)
    {
        var (parentOf, leaves, parents) = state.DiversityTables();
        for (var position = 0; position < limit; position++)
        {
            var best = -1;
            var bestScore = double.NegativeInfinity;
            var bestPenalty = 0.0;
            for (var j = position; j < count; j++)
            {
                var category = categoryOf[scored[j].Index];
                var sameLeaf = leaves[category];
                var sameParent = parents[parentOf[category]];
                var penalty = options.DiversityPenalty * sameLeaf + options.DiversityPenalty / 2 * Math.Max(0, sameParent - sameLeaf);
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
                // A new list: the item's own may be shared with others of its category and tier.
                var reasons = state.List(listOf[pick.Index]) ?? [];
                Array.Resize(ref reasons, reasons.Length + 1);
                reasons[^1] = new Reason(DiversityId, "Spread across categories (optimizeFor: diversity)", -bestPenalty);
                listOf[pick.Index] = state.AddList(reasons);
                pick.Score -= bestPenalty;
            }
            scored[position] = pick;
            var picked = categoryOf[pick.Index];
            leaves[picked]++;
            parents[parentOf[picked]]++;
        }
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
        var scale = new ScoreScale(n);
        for (var i = 0; i < n && scale.AllScored; i++)
        {
            scale.Include(candidates[i].Score);
        }
        for (var i = 0; i < n; i++)
        {
            result[i] = scale.Normalise(candidates[i].Score, i, n);
        }
    }

    /// <summary>The range of the upstream scores, gathered one candidate at a time (see <see cref="NormaliseScores(IReadOnlyList{Candidate})"/>).</summary>
    private struct ScoreScale(int count)
    {
        public bool AllScored = count > 0;
        private double _min = double.MaxValue;
        private double _max = double.MinValue;

        public void Include(double? score)
        {
            if (score is { } s)
            {
                _min = Math.Min(_min, s);
                _max = Math.Max(_max, s);
            }
            else
            {
                AllScored = false;
            }
        }

        public readonly double Normalise(double? score, int index, int count) =>
            AllScored
                ? (_max > _min ? (score!.Value - _min) / (_max - _min) : 1.0)
                : (double)(count - index) / count;
    }

    /// <summary>
    /// A stable id for the decision: a hash of the seed (user), the request and the model's state, so
    /// the same request on the same model is the same decision. Looks up each candidate's category
    /// effects on the way (<paramref name="effectsOf"/>), so that a category's name is hashed once.
    /// </summary>
    private static string DecisionId(Pass state, SelfModel model, RerankRequest request, int[] effectsOf, out ScoreScale scale)
    {
        scale = new ScoreScale(request.Candidates.Count);
        var hash = BeliefEngine.StableHash(request.Seed);
        Mix(ref hash, BeliefEngine.StableHash(request.Context));
        Mix(ref hash, BeliefEngine.StableHash(request.OptimizeFor));
        Mix(ref hash, request.Limit ?? -1);
        Mix(ref hash, request.AsOf.UtcTicks);
        var candidates = request.Candidates;
        for (var i = 0; i < candidates.Count; i++)
        {
            var c = candidates[i];
            scale.Include(c.Score);
            var effects = state.EffectsAt(effectsOf[i] = state.Effects(c.Category));
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
        var itemBeliefs = false;
        var beliefs = model.Current.Beliefs;
        var eager = state.NoteBeliefsEagerly(beliefs.Count);
        foreach (var (key, belief) in beliefs)
        {
            state.NoteHeld(key);
            if (eager)
            {
                _ = state.Remember(key, belief);
            }
            masses = unchecked(masses + BitConverter.DoubleToInt64Bits(belief.SupportMass.Value) * 31 + BitConverter.DoubleToInt64Bits(belief.AgainstMass.Value));
            itemBeliefs |= key.Kind == BeliefKind.Replenishment && key.Subject.StartsWith(ItemSubjects.Prefix, StringComparison.Ordinal);
        }
        state.HasItemBeliefs = itemBeliefs;
        Mix(ref hash, masses);
        return string.Create(18, (ulong)hash, static (chars, value) =>
        {
            chars[0] = 'd';
            chars[1] = '-';
            value.TryFormat(chars[2..], out _, "x16", System.Globalization.CultureInfo.InvariantCulture);
        });
    }

    private static void Mix(ref long hash, long value) => hash = unchecked((hash ^ value) * 1099511628211L);
}
