using Clarity.Engine.Beliefs;
using Clarity.Engine.Ranking;
using Clarity.Engine.Signals;
using static Clarity.Engine.Tests.Signals;

namespace Clarity.Engine.Tests;

/// <summary>Late signals, the reorder boundary, bounds and configuration.</summary>
public sealed class DynamicsTests
{
    private static readonly BeliefEngine Engine = new(new EngineOptions());

    private static List<string> Describe(BeliefEngine engine, SelfModel model, DateTimeOffset asOf) =>
        [.. engine.Evaluate(model, asOf).Select(b => $"{b.Id} {b.Confidence:R} {b.Evidence:R} {b.Status} {b.Holds}")];

    [Fact]
    public void Late_views_reinterpret_a_purchase_as_researched_rather_than_a_replacement()
    {
        var views = Enumerable.Range(0, 3).Select(i => Make(SignalType.View, "home/bathroom/toilet-seats", T0.AddMinutes(i), item: $"seat-{i}")).ToList();
        var purchase = Make(SignalType.Purchase, "home/bathroom/toilet-seats", T0.AddMinutes(10), item: "seat-1");

        var inOrder = new SelfModel();
        foreach (var s in views.Append(purchase))
        {
            Engine.Apply(inOrder, s);
        }
        var late = new SelfModel();
        Engine.Apply(late, purchase);
        Assert.True(late.TryGet(new BeliefKey(BeliefKind.Satiation, "home/bathroom/toilet-seats"), out _));
        var changes = new List<BeliefChange>();
        foreach (var s in views)
        {
            Engine.Apply(late, s, changes);
        }

        // Still satiation (a durable need met), now read as bought after comparing, exactly as in order.
        Assert.Equal("bought after comparing", Assert.Single(late.Beliefs[new BeliefKey(BeliefKind.Satiation, "home/bathroom/toilet-seats")].Trail).Note);
        Assert.Equal(Describe(Engine, inOrder, T0.AddDays(1)), Describe(Engine, late, T0.AddDays(1)));
        // Changes report what the late signals themselves contributed.
        Assert.All(changes, c => Assert.Contains(c.SignalId, views.Select(v => v.Id)));
    }

    [Fact]
    public void Beyond_the_reorder_window_additive_evidence_is_still_exact()
    {
        var engine = new BeliefEngine(new EngineOptions { Interpretation = { ReorderWindowSignals = 4 } });
        var signals = Enumerable.Range(0, 10).Select(i => Make(SignalType.Click, "garden/tools", T0.AddHours(i), item: $"t{i}")).ToList();
        var inOrder = new SelfModel();
        var reversed = new SelfModel();
        foreach (var s in signals)
        {
            engine.Apply(inOrder, s);
        }
        foreach (var s in Enumerable.Reverse(signals))
        {
            engine.Apply(reversed, s);
        }

        Assert.True(inOrder.WindowSignals.Count <= 4);
        var a = engine.Evaluate(inOrder, T0.AddDays(2));
        var b = engine.Evaluate(reversed, T0.AddDays(2));
        Assert.Equal(a.Select(x => x.Id), b.Select(x => x.Id));
        Assert.All(a.Zip(b), p => Assert.Equal(p.First.Evidence, p.Second.Evidence, 12));
    }

    [Fact]
    public void State_is_bounded_window_trails_and_category_statistics()
    {
        var engine = new BeliefEngine(new EngineOptions { TrailLength = 5, Interpretation = { MaxCategoryStats = 10 } });
        var model = new SelfModel();
        for (var i = 0; i < 500; i++)
        {
            engine.Apply(model, Make(SignalType.View, $"cat-{i % 40}/leaf", T0.AddMinutes(i), item: $"i{i}"));
        }

        Assert.True(model.WindowSignals.Count <= engine.Options.Interpretation.ReorderWindowSignals);
        Assert.All(model.Beliefs.Values, b => Assert.True(b.Trail.Count <= 5));
        Assert.True(model.Current.History.StatsCount <= 10);
        Assert.True(model.Beliefs.Count <= engine.Options.MaxBeliefs);
    }

    [Fact]
    public void The_belief_bound_prunes_a_price_tier_dirichlet_whole_never_one_tier_of_it()
    {
        // Budget, mid and premium of one category compete as one distribution: pruning one of them
        // would leave two tiers whose confidences no longer sum to one. Tiers that decay fast make
        // them the least useful beliefs, so the bound picks them.
        static EngineOptions Options(int maxBeliefs)
        {
            var options = new EngineOptions { MaxBeliefs = maxBeliefs };
            options.Kinds[BeliefKind.PriceTier].HalfLifeDays = 1;
            return options;
        }
        var engine = new BeliefEngine(Options(256));
        var model = new SelfModel();
        for (var i = 0; i < 3; i++)
        {
            engine.Apply(model, Make(SignalType.View, "home/kitchen/pans", T0.AddMinutes(i), item: $"pan-{i}", price: 20));
        }
        engine.Apply(model, Make(SignalType.Purchase, "home/kitchen/pans", T0.AddHours(1), item: "pan-9", price: 90));
        Assert.Equal(3, model.Beliefs.Keys.Count(k => k.Kind == BeliefKind.PriceTier));

        // One belief over the bound: a view of a new leaf under known ancestors adds exactly one.
        var bounded = new BeliefEngine(Options(model.Beliefs.Count));
        var changes = new List<BeliefChange>();
        bounded.Apply(model, Make(SignalType.View, "home/kitchen/knives", T0.AddDays(60), item: "knife"), changes);

        Assert.True(model.Beliefs.Count <= bounded.Options.MaxBeliefs);
        Assert.DoesNotContain(model.Beliefs.Keys, k => k.Kind == BeliefKind.PriceTier);
        var pruned = changes.Where(c => c.Kind == ChangeKind.Pruned).ToList();
        Assert.Equal(3, pruned.Count);
        Assert.All(pruned, c => Assert.Equal(BeliefKind.PriceTier, c.Key.Kind));
    }

    [Fact]
    public void Category_attributes_are_configurable_per_tenant()
    {
        var options = new EngineOptions();
        options.Interpretation.Categories["home/kitchen"] = new CategoryAttributes { Durable = true, ReplacementIntervalDays = 400 };
        var engine = new BeliefEngine(options);
        var model = new SelfModel();
        engine.Apply(model, Make(SignalType.Purchase, "home/kitchen/kettles", T0));

        var satiation = engine.Evaluate(model, T0).Single(b => b.Key.Kind == BeliefKind.Satiation);
        Assert.Equal("home/kitchen/kettles", satiation.Key.Subject);
        Assert.Equal(400, satiation.HalfLifeDays, 9);
    }

    [Fact]
    public void Invalid_configuration_names_the_key()
    {
        var options = new EngineOptions();
        options.Interpretation.Categories["home/bathroom"] = new CategoryAttributes { Durable = true, Replenishable = true, ReplacementIntervalDays = 0 };
        options.Interpretation.BudgetAtRatio = 2;
        options.Rerank.SatiationFilterConfidence = 1.5;

        var errors = options.Validate();

        Assert.Contains(errors, e => e.StartsWith("Clarity:Engine:Interpretation:Categories:home/bathroom:ReplacementIntervalDays", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Clarity:Engine:Interpretation:Categories:home/bathroom: a category cannot be both", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Clarity:Engine:Interpretation:BudgetAtRatio", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Clarity:Engine:Rerank:SatiationFilterConfidence", StringComparison.Ordinal));
        Assert.Empty(new EngineOptions().Validate());
    }

    [Fact]
    public void Status_has_hysteresis_and_does_not_depend_on_housekeeping()
    {
        var model = new SelfModel();
        var kind = Engine.Options.For(BeliefKind.Affinity);
        Engine.Apply(model, Make(SignalType.View, "toys", T0, item: "a"));
        var key = new BeliefKey(BeliefKind.Affinity, "toys");
        // 0.3 is below the activation threshold (0.5): dormant.
        Assert.Equal(BeliefStatus.Dormant, Engine.Evaluate(model.Beliefs[key], T0).Status);
        Engine.Apply(model, Make(SignalType.View, "toys", T0.AddMinutes(1), item: "b"));
        Assert.Equal(BeliefStatus.Active, Engine.Evaluate(model.Beliefs[key], T0.AddMinutes(1)).Status);
        // Decayed to 0.3 (between the thresholds) it stays active; below 0.2 it goes dormant.
        var toPoint3 = TimeSpan.FromDays(kind.HalfLifeDays * Math.Log2(0.6 / 0.3));
        Assert.Equal(BeliefStatus.Active, Engine.Evaluate(model.Beliefs[key], T0.Add(toPoint3)).Status);
        var toPoint15 = TimeSpan.FromDays(kind.HalfLifeDays * Math.Log2(0.6 / 0.15));
        Assert.Equal(BeliefStatus.Dormant, Engine.Evaluate(model.Beliefs[key], T0.Add(toPoint15)).Status);
        // A new view lifts it to 0.45: not enough to re-activate (hysteresis).
        Engine.Apply(model, Make(SignalType.View, "toys", T0.Add(toPoint15), item: "c"));
        Assert.Equal(BeliefStatus.Dormant, Engine.Evaluate(model.Beliefs[key], T0.Add(toPoint15)).Status);
    }
}

/// <summary>Rerank: filter, objectives, determinism, explanations, decisions.</summary>
public sealed class RerankBehaviourTests
{
    private static readonly BeliefEngine Engine = new(new EngineOptions());
    private static readonly Reranker Reranker = new(Engine);

    private static Candidate[] Mixed() =>
    [
        .. Enumerable.Range(0, 6).Select(i => new Candidate($"knife-{i}", "home/kitchen/knives", 0.9 - i * 0.01, 40 + i * 20)),
        .. Enumerable.Range(0, 4).Select(i => new Candidate($"pan-{i}", "home/kitchen/pans", 0.7 - i * 0.01, 50 + i * 30)),
        .. Enumerable.Range(0, 4).Select(i => new Candidate($"book-{i}", "books/fiction", 0.6 - i * 0.01)),
        new Candidate("mop", "home/cleaning/mops", 0.1, 30),
    ];

    [Fact]
    public void Exploration_is_deterministic_per_user_request_and_model_and_explanations_add_up()
    {
        var model = ScenarioTests.PremiumKitchenShopper(Engine, T0);
        var asOf = T0.AddDays(30);
        var request = new RerankRequest(Mixed(), asOf, OptimizeFor: Objectives.Exploration, Seed: "user-1");

        var first = Reranker.Rerank(model, request);
        var again = Reranker.Rerank(model, request);
        var otherUsers = Enumerable.Range(2, 6).Select(u => Reranker.Rerank(model, request with { Seed = $"user-{u}" })).ToList();

        Assert.Equal(Flatten(first), Flatten(again));
        Assert.Equal(first.DecisionId, again.DecisionId);
        // Different seeds sample different posteriors: some effect differs.
        Assert.Contains(otherUsers, r => Flatten(r) != Flatten(first));
        foreach (var result in otherUsers.Append(first))
        {
            Assert.All(result.Items, i => Assert.Equal(i.BaseScore + i.Reasons.Sum(r => r.Effect), i.Score, 12));
        }
    }

    private static string Flatten(RerankResult r) =>
        string.Join("|", r.Items.Select(i => $"{i.Id}:{i.Score:R}:{string.Join(",", i.Reasons.Select(x => $"{x.BeliefId}={x.Effect:R}"))}"));

    [Fact]
    public void Diversity_spreads_the_top_across_categories_and_explains_the_penalty()
    {
        var model = ScenarioTests.PremiumKitchenShopper(Engine, T0);
        var asOf = T0.AddDays(30);

        var relevance = Reranker.Rerank(model, new RerankRequest(Mixed(), asOf, Limit: 4));
        var diverse = Reranker.Rerank(model, new RerankRequest(Mixed(), asOf, OptimizeFor: Objectives.Diversity, Limit: 4));

        Assert.Single(relevance.Items.Select(i => i.Id.Split('-')[0]).Distinct());
        Assert.True(diverse.Items.Select(i => i.Id.Split('-')[0]).Distinct().Count() >= 2);
        Assert.Contains(diverse.Items, i => i.Reasons.Any(r => r.BeliefId == Reranker.DiversityId && r.Effect < 0));
        Assert.All(diverse.Items, i => Assert.Equal(i.BaseScore + i.Reasons.Sum(r => r.Effect), i.Score, 12));
        Assert.Equal([1, 2, 3, 4], diverse.Items.Select(i => i.Rank));
    }

    [Fact]
    public void Post_purchase_suppresses_what_was_just_bought_but_not_complements()
    {
        var model = new SelfModel();
        Engine.Apply(model, Make(SignalType.View, "home/kitchen/knives", T0, item: "a"));
        Engine.Apply(model, Make(SignalType.View, "home/kitchen/knives", T0.AddMinutes(1), item: "b"));
        Engine.Apply(model, Make(SignalType.Purchase, "home/kitchen/knives", T0.AddMinutes(2), item: "b"));
        Candidate[] candidates =
        [
            new("knife", "home/kitchen/knives", 0.9),
            new("sharpener", "home/kitchen/knives", 0.8, Tags: ["accessory"]),
            new("pan", "home/kitchen/pans", 0.7),
        ];

        var after = Reranker.Rerank(model, new RerankRequest(candidates, T0.AddHours(1), Context: "post_purchase"));
        var browsing = Reranker.Rerank(model, new RerankRequest(candidates, T0.AddHours(1)));
        var days = Reranker.Rerank(model, new RerankRequest(candidates, T0.AddDays(5), Context: "post_purchase"));

        var suppressed = Assert.Single(after.Suppressed);
        Assert.Equal("knife", suppressed.Id);
        var reason = Assert.Single(suppressed.Reasons);
        Assert.Equal("Just bought knives (home, kitchen); not showing another right after", reason.Statement);
        // No satiation belief backs it (knives were researched, not replaced): the reason names the rule.
        Assert.False(model.TryGet(new BeliefKey(BeliefKind.Satiation, "home/kitchen/knives"), out _));
        Assert.Equal(Reranker.PostPurchaseId, reason.BeliefId);
        Assert.Equal(["sharpener", "pan"], after.Items.Select(i => i.Id));
        Assert.Empty(browsing.Suppressed);
        Assert.Empty(days.Suppressed);
    }

    [Fact]
    public void Decisions_are_recorded_with_beliefs_as_they_were_and_bounded()
    {
        var engine = new BeliefEngine(new EngineOptions { Rerank = { MaxDecisions = 3 } });
        var reranker = new Reranker(engine);
        var model = ScenarioTests.PremiumKitchenShopper(engine, T0);
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var decision = reranker.Decide(model, new RerankRequest(Mixed(), T0.AddDays(30 + i), Seed: "u"));
            engine.Record(model, decision);
            ids.Add(decision.Id);
        }

        Assert.Equal(5, ids.Distinct().Count());
        Assert.Null(model.FindDecision(ids[0]));
        var last = model.FindDecision(ids[4]);
        Assert.NotNull(last);
        Assert.Equal(3, model.RecordedDecisions.Count());
        var driving = last.Result.Items.SelectMany(i => i.Reasons).Select(r => r.BeliefId).Distinct().Order();
        Assert.Equal(driving, last.Beliefs.Select(b => b.Id).Order());
        Assert.All(last.Beliefs, b => Assert.InRange(b.Confidence, 0, 1));
    }
}

/// <summary>The interpreters' memory survives a snapshot and restore.</summary>
public sealed class MemoryTests
{
    private static readonly BeliefEngine Engine = new(new EngineOptions());

    private static SelfModel Restored(SelfModel model, bool withMemory)
    {
        var copy = new SelfModel();
        foreach (var belief in model.Beliefs.Values)
        {
            copy.Restore(belief.Clone());
        }
        if (withMemory)
        {
            Assert.True(Interpretation.Memory.Import(copy, Interpretation.Memory.Export(model), Engine.Options.Interpretation.SaturationMemory));
        }
        return copy;
    }

    [Fact]
    public void Browsing_before_a_snapshot_still_makes_the_next_purchase_researched()
    {
        var model = new SelfModel();
        for (var i = 0; i < 3; i++)
        {
            Engine.Apply(model, Make(SignalType.View, "home/bathroom/toilet-seats", T0.AddMinutes(i), item: $"seat-{i}"));
        }
        var purchase = Make(SignalType.Purchase, "home/bathroom/toilet-seats", T0.AddHours(1), item: "seat-1");
        var satiation = new BeliefKey(BeliefKind.Satiation, "home/bathroom/toilet-seats");

        var restored = Restored(model, withMemory: true);
        var forgetful = Restored(model, withMemory: false);
        Engine.Apply(restored, purchase);
        Engine.Apply(forgetful, purchase);

        // Both are satiation (a durable need met, compared first or not); the memory tells which it was.
        string Note(SelfModel m) => Assert.Single(m.Beliefs[satiation].Trail).Note!;
        Assert.Equal("bought after comparing", Note(restored));
        // Without the memory the same purchase looks like a replacement: why the memory is stored.
        Assert.Equal("replacement purchase", Note(forgetful));
    }

    [Fact]
    public void Purchases_of_an_item_before_a_snapshot_still_make_the_next_one_a_repeat()
    {
        var model = new SelfModel();
        Engine.Apply(model, Make(SignalType.Purchase, "grocery/tea", T0, item: "earl-grey"));
        var again = Make(SignalType.Purchase, "grocery/tea", T0.AddDays(20), item: "earl-grey");
        var key = ItemSubjects.Replenishment("earl-grey");

        var restored = Restored(model, withMemory: true);
        var forgetful = Restored(model, withMemory: false);
        Engine.Apply(restored, again);
        Engine.Apply(forgetful, again);

        Assert.True(restored.TryGet(key, out _));
        Assert.False(forgetful.TryGet(key, out _));
    }

    [Fact]
    public void An_unreadable_memory_document_is_dropped_not_fatal()
    {
        var model = new SelfModel();
        Assert.False(Interpretation.Memory.Import(model, "{not json", 10));
        Assert.False(Interpretation.Memory.Import(model, "{\"version\":999}", 10));
        Assert.Empty(model.Beliefs);
    }
}
