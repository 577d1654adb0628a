using Clarity.Engine.Beliefs;
using Clarity.Engine.Ranking;
using Clarity.Engine.Signals;
using static Clarity.Engine.Tests.Signals;

namespace Clarity.Engine.Tests;

/// <summary>
/// Item-level repeat purchase, durable needs met after comparing, purchase-only buyers and "not
/// interested" at a small taste weight: the readings the evaluation on real purchases asked for.
/// </summary>
public sealed class ItemRepeatTests
{
    private static readonly BeliefEngine Engine = new(new EngineOptions());
    private static readonly Reranker Reranker = new(Engine);

    [Fact]
    public void Re_buying_an_item_makes_an_item_belief_that_lifts_it_and_names_it()
    {
        var model = new SelfModel();
        for (var i = 0; i < 3; i++)
        {
            Engine.Apply(model, Make(SignalType.Purchase, "grocery/tea", T0.AddDays(20 * i), item: "earl-grey"));
        }
        Engine.Apply(model, Make(SignalType.Purchase, "grocery/tea", T0.AddDays(40), item: "green-tea"));

        var key = ItemSubjects.Replenishment("earl-grey");
        Assert.True(model.TryGet(key, out var belief));
        Assert.Equal(2, belief.Observations);
        Assert.Equal(T0.AddDays(60), belief.ExpectedAt);
        Assert.Equal("Re-buys item earl-grey", Engine.Evaluate(belief, T0.AddDays(60)).Statement);
        // Bought once: no habit yet (the first-purchase evidence is a tenant's choice, off by default).
        Assert.False(model.TryGet(ItemSubjects.Replenishment("green-tea"), out _));

        // Upstream scores are min-max scaled: the kettle and the mug keep 0.7 and 0.6 where they are.
        Candidate[] candidates =
        [
            new("kettle", "home/kitchen/kettles", 1), new("green-tea", "grocery/tea", 0.7), new("earl-grey", "grocery/tea", 0.6), new("mug", "home/kitchen/mugs", 0),
        ];
        var result = Reranker.Rerank(model, new RerankRequest(candidates, T0.AddDays(60)));
        var ids = result.Items.Select(i => i.Id).ToList();
        Assert.True(ids.IndexOf("earl-grey") < ids.IndexOf("green-tea"), string.Join(", ", ids));
        var reason = Assert.Single(result.Items.Single(i => i.Id == "earl-grey").Reasons, r => r.Key == key);
        Assert.Equal(belief.Id, reason.BeliefId);
        Assert.True(reason.Effect > 0);
    }

    [Fact]
    public void The_item_effect_grows_from_its_early_share_to_full_at_the_usual_interval()
    {
        var model = new SelfModel();
        Engine.Apply(model, Make(SignalType.Purchase, "grocery/coffee", T0, item: "beans"));
        Engine.Apply(model, Make(SignalType.Purchase, "grocery/coffee", T0.AddDays(30), item: "beans"));
        Candidate[] candidates = [new("beans", "grocery/coffee", 0.5), new("mug", "home/kitchen/mugs", 0.5)];

        double Effect(DateTimeOffset at) => Reranker.Rerank(model, new RerankRequest(candidates, at)).Items
            .Single(i => i.Id == "beans").Reasons.Single(r => r.Key == ItemSubjects.Replenishment("beans")).Effect;

        var justBought = Effect(T0.AddDays(30));
        var halfway = Effect(T0.AddDays(45));
        var due = Effect(T0.AddDays(60));
        // Evidence decays meanwhile, so the shape, not exact ratios: rising until due.
        Assert.True(justBought < halfway && halfway < due, $"{justBought} {halfway} {due}");
    }

    [Fact]
    public void Lines_of_one_basket_are_one_purchase_of_the_item()
    {
        var model = new SelfModel();
        Engine.Apply(model, Make(SignalType.Purchase, "grocery/tea", T0, item: "earl-grey"));
        Engine.Apply(model, Make(SignalType.Purchase, "grocery/tea", T0, item: "earl-grey"));
        Assert.False(model.TryGet(ItemSubjects.Replenishment("earl-grey"), out _));
    }

    [Fact]
    public void A_durable_need_met_after_comparing_is_satiation_too_unless_the_tenant_reads_it_as_taste()
    {
        static SelfModel Researched(BeliefEngine engine)
        {
            var model = new SelfModel();
            for (var i = 0; i < 6; i++)
            {
                engine.Apply(model, Make(SignalType.View, "electronics/tv", T0.AddMinutes(i), item: $"tv-{i}"));
            }
            engine.Apply(model, Make(SignalType.Purchase, "electronics/tv", T0.AddHours(1), item: "tv-3"));
            return model;
        }
        var satiation = new BeliefKey(BeliefKind.Satiation, "electronics/tv");

        var model = Researched(Engine);
        var snapshot = Engine.Evaluate(model, T0.AddDays(1)).Single(b => b.Key == satiation);
        Assert.True(snapshot.Confidence >= Engine.Options.Rerank.SatiationFilterConfidence);
        Candidate[] candidates = [new("tv-9", "electronics/tv", 0.9), new("cable", "electronics/cables", 0.2)];
        var result = Reranker.Rerank(model, new RerankRequest(candidates, T0.AddDays(1)));
        Assert.Equal("tv-9", Assert.Single(result.Suppressed).Id);

        var tasteEngine = new BeliefEngine(new EngineOptions { Interpretation = { SatiateResearchedDurables = false } });
        Assert.False(Researched(tasteEngine).TryGet(satiation, out _));
    }

    [Fact]
    public void A_buyer_who_only_purchases_is_not_frozen_to_the_categories_of_their_first_purchases()
    {
        var model = new SelfModel();
        var at = T0;
        foreach (var category in new[] { "home/candles", "home/mugs", "garden/pots", "toys/blocks", "books/crime", "kitchen/tins" })
        {
            Engine.Apply(model, Make(SignalType.Purchase, category, at = at.AddDays(1)));
        }
        // The first purchase far outside the profile reads like a gift; the second there is the user's own.
        Engine.Apply(model, Make(SignalType.Purchase, "party/bunting", at.AddDays(1), item: "bunting-1"));
        Assert.False(model.TryGet(new BeliefKey(BeliefKind.Affinity, "party/bunting"), out _));
        Engine.Apply(model, Make(SignalType.Purchase, "party/bunting", at.AddDays(20), item: "bunting-2"));
        Assert.True(model.TryGet(new BeliefKey(BeliefKind.Affinity, "party/bunting"), out _));
    }

    [Fact]
    public void Not_interested_pushes_a_category_down_even_when_tastes_weigh_little()
    {
        var engine = new BeliefEngine(new EngineOptions { Rerank = { AffinityWeight = 0.1 } });
        var model = new SelfModel();
        for (var i = 0; i < 6; i++)
        {
            engine.Apply(model, Make(SignalType.Dismiss, "toys/dolls", T0.AddMinutes(i), item: $"doll-{i}"));
        }
        Candidate[] candidates = [new("doll-9", "toys/dolls", 1.0), new("blocks", "garden/blocks", 0.5), new("kite", "sports/kites", 0.1)];
        var result = new Reranker(engine).Rerank(model, new RerankRequest(candidates, T0.AddHours(1)));
        // At a taste weight of 0.1 the demotion could be at most a thirtieth of the score range.
        Assert.Equal(["blocks", "doll-9", "kite"], result.Items.Select(i => i.Id));
        var effect = result.Items[1].Reasons.Single().Effect;
        Assert.True(effect < -0.5, $"{effect}");
    }
}
