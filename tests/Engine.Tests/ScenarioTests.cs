using Clarity.Engine.Beliefs;
using Clarity.Engine.Ranking;
using Clarity.Engine.Signals;
using static Clarity.Engine.Tests.Signals;

namespace Clarity.Engine.Tests;

/// <summary>The seed scenarios, end to end through the engine: signals in, beliefs and reranks out.</summary>
public sealed class ScenarioTests
{
    private static readonly BeliefEngine Engine = new(new EngineOptions());
    private static readonly Reranker Reranker = new(Engine);

    private static BeliefSnapshot Belief(SelfModel model, BeliefKind kind, string subject, DateTimeOffset asOf) =>
        Engine.Evaluate(model, asOf).Single(b => b.Key == new BeliefKey(kind, subject));

    private static bool Has(SelfModel model, BeliefKind kind, string subject) => model.TryGet(new BeliefKey(kind, subject), out _);

    /// <summary>Browses kitchen tools at ordinary prices (so the usual price is learned) and buys premium ones.</summary>
    internal static SelfModel PremiumKitchenShopper(BeliefEngine engine, DateTimeOffset start)
    {
        var model = new SelfModel();
        var at = start;
        double[] seen = [40, 55, 60, 45, 50, 65];
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < seen.Length; i++)
            {
                engine.Apply(model, Make(SignalType.View, "home/kitchen/knives", at = at.AddMinutes(7), item: $"knife-{round}-{i}", price: seen[i]));
            }
            engine.Apply(model, Make(SignalType.Purchase, "home/kitchen/knives", at = at.AddMinutes(7), item: $"knife-{round}-p", price: 140));
            at = at.AddDays(9);
        }
        return model;
    }

    [Fact]
    public void A_replacement_toilet_seat_suppresses_seats_after_purchase_while_premium_kitchen_tools_rise()
    {
        var model = PremiumKitchenShopper(Engine, T0);
        var bought = T0.AddDays(40);
        Engine.Apply(model, Make(SignalType.Purchase, "home/bathroom/toilet-seats", bought, item: "seat-bought", price: 39));

        var satiation = Belief(model, BeliefKind.Satiation, "home/bathroom/toilet-seats", bought.AddHours(1));
        Assert.Equal("Bought a replacement in toilet seats (home, bathroom); not in the market for another", satiation.Statement);
        Assert.True(satiation.Confidence > 0.8);
        // A replacement is not a taste: no affinity for toilet seats.
        Assert.False(Has(model, BeliefKind.Affinity, "home/bathroom/toilet-seats"));

        Candidate[] candidates =
        [
            new("seat-1", "home/bathroom/toilet-seats", 0.95, 35),
            new("seat-2", "home/bathroom/toilet-seats", 0.93, 60),
            new("seat-3", "home/bathroom/toilet-seats", 0.90, 42),
            new("towel-1", "home/bathroom/towels", 0.70, 20),
            new("knife-cheap", "home/kitchen/knives", 0.62, 15),
            new("knife-premium", "home/kitchen/knives", 0.55, 150),
            new("pan-premium", "home/kitchen/pans", 0.58, 160),
            new("mop", "home/cleaning/mops", 0.50, 30),
        ];
        var result = Reranker.Rerank(model, new RerankRequest(candidates, bought.AddHours(2), Context: "post_purchase"));

        Assert.Equal(["seat-1", "seat-2", "seat-3"], result.Suppressed.Select(s => s.Id));
        Assert.All(result.Suppressed, s => Assert.Equal(satiation.Id, Assert.Single(s.Reasons).BeliefId));
        Assert.Equal("knife-premium", result.Items[0].Id);
        // The premium pan rises above items the recommender ranked higher, by the same two beliefs.
        var pan = result.Items.Single(i => i.Id == "pan-premium");
        Assert.True(pan.Rank < result.Items.Single(i => i.Id == "towel-1").Rank);
        Assert.Contains(pan.Reasons, r => r.Statement == "Prefers premium home products" && r.Effect > 0);
        var top = result.Items[0].Reasons.Select(r => r.Statement).ToList();
        Assert.Contains("Interested in knives (home, kitchen)", top);
        Assert.Contains("Prefers premium home products", top);
        Assert.All(result.Items[0].Reasons, r => Assert.True(r.Effect > 0));
        // The cheap knife is held back by the same price-tier Dirichlet (budget is not preferred).
        Assert.Contains(result.Items.Single(i => i.Id == "knife-cheap").Reasons, r => r.Statement == "Does not prefer budget home products" && r.Effect < 0);
    }

    [Fact]
    public void Satiation_lasts_about_the_replacement_interval()
    {
        var model = new SelfModel();
        Engine.Apply(model, Make(SignalType.Purchase, "home/bathroom/toilet-seats", T0, price: 39));
        var interval = Engine.Options.Interpretation.Categories["home/bathroom"].ReplacementIntervalDays;
        var filter = Engine.Options.Rerank.SatiationFilterConfidence;
        Candidate[] seat = [new("seat", "home/bathroom/toilet-seats", 1)];

        // The filter reads the raw posterior (rerank thresholds are on the posterior's scale).
        Assert.True(Belief(model, BeliefKind.Satiation, "home/bathroom/toilet-seats", T0.AddDays(interval * 0.9)).Posterior >= filter);
        Assert.True(Belief(model, BeliefKind.Satiation, "home/bathroom/toilet-seats", T0.AddDays(interval * 1.1)).Posterior < filter);
        Assert.Single(Reranker.Rerank(model, new RerankRequest(seat, T0.AddDays(interval * 0.9))).Suppressed);
        Assert.Empty(Reranker.Rerank(model, new RerankRequest(seat, T0.AddDays(interval * 1.1))).Suppressed);
    }

    [Fact]
    public void A_repeat_purchase_contradicts_satiation_and_the_flip_is_in_the_trail()
    {
        var model = new SelfModel();
        Engine.Apply(model, Make(SignalType.Purchase, "home/bathroom/toilet-seats", T0, id: "first"));
        Engine.Apply(model, Make(SignalType.Purchase, "home/bathroom/toilet-seats", T0.AddDays(3), id: "second"));
        Engine.Apply(model, Make(SignalType.Purchase, "home/bathroom/toilet-seats", T0.AddDays(4), id: "third"));

        var satiation = Belief(model, BeliefKind.Satiation, "home/bathroom/toilet-seats", T0.AddDays(5));
        Assert.False(satiation.Holds);
        Assert.Equal("Still shopping for toilet seats (home, bathroom)", satiation.Statement);
        Assert.Contains(satiation.Belief.Trail, t => t.SignalId == "second" && t.Note!.Contains("flipped: no longer holds", StringComparison.Ordinal));
    }

    [Fact]
    public void A_baby_shower_gift_is_not_a_taste()
    {
        var model = PremiumKitchenShopper(Engine, T0);
        var before = Engine.Evaluate(model, T0.AddDays(40)).Select(b => (b.Id, b.Evidence)).ToList();
        Engine.Apply(model, Make(SignalType.Purchase, "baby/clothing/onesies", T0.AddDays(30), price: 25, gift: true));

        Assert.DoesNotContain(model.Beliefs.Keys, k => k.Subject.StartsWith("baby", StringComparison.Ordinal));
        Assert.Equal(before, Engine.Evaluate(model, T0.AddDays(40)).Select(b => (b.Id, b.Evidence)).ToList());
        var result = Reranker.Rerank(model, new RerankRequest([new("onesie", "baby/clothing/onesies", 0.9)], T0.AddDays(31)));
        Assert.Empty(result.Items.Single().Reasons);
    }

    [Fact]
    public void A_purchase_far_outside_the_profile_is_read_as_a_gift_even_unmarked()
    {
        var model = PremiumKitchenShopper(Engine, T0);
        Engine.Apply(model, Make(SignalType.Purchase, "baby/toys/rattles", T0.AddDays(30), price: 12));

        Assert.DoesNotContain(model.Beliefs.Keys, k => k.Subject.StartsWith("baby", StringComparison.Ordinal));

        // Once the user engages with the category it is theirs: the next purchase there counts.
        Engine.Apply(model, Make(SignalType.View, "baby/toys/blocks", T0.AddDays(31)));
        Engine.Apply(model, Make(SignalType.Purchase, "baby/toys/blocks", T0.AddDays(31).AddMinutes(5)));
        Assert.True(Has(model, BeliefKind.Affinity, "baby/toys/blocks"));
    }

    /// <summary>Alternates genres over eight films, then watches three prestige dramas in a row.</summary>
    internal static SelfModel GenreAlternatorOnAStreak(BeliefEngine engine, DateTimeOffset start)
    {
        var model = new SelfModel();
        string[] genres = ["comedy", "drama", "thriller", "comedy", "documentary", "drama", "sci-fi", "comedy"];
        var at = start;
        foreach (var genre in genres.Concat(["prestige-drama", "prestige-drama", "prestige-drama"]))
        {
            engine.Apply(model, Make(SignalType.Consume, $"movies/{genre}", at = at.AddHours(20), item: $"film-{at.Ticks}", value: 0.95));
        }
        return model;
    }

    [Fact]
    public void A_genre_alternator_on_a_prestige_drama_streak_is_ready_for_a_change()
    {
        var model = GenreAlternatorOnAStreak(Engine, T0);
        var asOf = T0.AddDays(10);

        var variety = Belief(model, BeliefKind.Variety, "movies/prestige-drama", asOf);
        Assert.True(variety.Holds);
        Assert.Equal(BeliefStatus.Active, variety.Status);
        Assert.Equal("Likely ready for a change from prestige drama (movies)", variety.Statement);

        Candidate[] candidates =
        [
            new("pd-1", "movies/prestige-drama", 0.9),
            new("pd-2", "movies/prestige-drama", 0.85),
            new("comedy-1", "movies/comedy", 0.6),
            new("thriller-1", "movies/thriller", 0.5),
        ];
        var result = Reranker.Rerank(model, new RerankRequest(candidates, asOf));

        Assert.Equal(["comedy-1", "thriller-1"], result.Items.Take(2).Select(i => i.Id));
        Assert.Contains(result.Items.Single(i => i.Id == "pd-1").Reasons, r => r.BeliefId == variety.Id && r.Effect < 0);
    }

    [Fact]
    public void When_the_alternator_changes_genre_the_belief_about_the_ended_streak_is_emptied()
    {
        var model = GenreAlternatorOnAStreak(Engine, T0);
        var changedAt = T0.AddDays(10);
        var changes = new List<BeliefChange>();
        Engine.Apply(model, Make(SignalType.Consume, "movies/comedy", changedAt, item: "film-change", value: 0.9), changes);

        // The claim was about the prestige-drama streak, and the change came: no longer a claim about what comes next.
        var variety = Belief(model, BeliefKind.Variety, "movies/prestige-drama", changedAt);
        Assert.Equal(BeliefStatus.Dormant, variety.Status);
        Assert.Equal(0, variety.Evidence);
        Assert.Equal("changed genre after 3 in a row", variety.Belief.Trail[0].Note);
        Assert.Contains(changes, c => c.Kind == ChangeKind.Dormant && c.BeliefId == variety.Id);

        // Nothing about the new genre yet: one film is not a streak.
        Assert.DoesNotContain(model.Beliefs.Keys, k => k.Kind == BeliefKind.Variety && k.Subject == "movies/comedy");
    }

    [Fact]
    public void An_emptied_belief_is_pruned_once_and_no_rebuild_brings_it_back()
    {
        var model = GenreAlternatorOnAStreak(Engine, T0);
        var changedAt = T0.AddDays(10);
        Engine.Apply(model, Make(SignalType.Consume, "movies/comedy", changedAt, item: "film-change", value: 0.9));
        var key = new BeliefKey(BeliefKind.Variety, "movies/prestige-drama");
        var pruned = 0;

        // Dormant with no evidence, and built by the streak's signals, still in the reorder window.
        // A rebuild (here a late signal; in a silo also a restore or a compacted model's next use)
        // replays them: a belief pruned while they are there comes back, to be pruned and reported again.
        Housekeep(changedAt.AddHours(1));
        Engine.Apply(model, Make(SignalType.View, "books/fiction", changedAt.AddHours(-30), id: "late"));
        var later = changedAt.AddDays(8);
        Housekeep(later);
        Engine.Apply(model, Make(SignalType.View, "books/fiction", later.AddDays(-1), id: "late-2"));
        Engine.Apply(model, Make(SignalType.View, "books/fiction", later.AddDays(-2), id: "late-3"));
        Housekeep(later.AddHours(1));

        Assert.Equal(1, pruned);
        Assert.False(model.Beliefs.ContainsKey(key));

        void Housekeep(DateTimeOffset at) => pruned += Engine.Housekeep(model, at).Count(c => c.Kind == ChangeKind.Pruned && c.Key == key);
    }

    [Fact]
    public void An_alternator_whose_streak_runs_past_the_usual_length_reads_as_settling_on_the_genre()
    {
        var model = GenreAlternatorOnAStreak(Engine, T0);
        var at = T0.AddDays(10);
        var settledAfter = Engine.Options.Interpretation.VarietySettledAfter;
        var beforeSettling = 0.0;
        for (var length = 4; length <= settledAfter + 3; length++)
        {
            Engine.Apply(model, Make(SignalType.Consume, "movies/prestige-drama", at = at.AddHours(20), item: $"pd-{length}", value: 0.95));
            var now = Belief(model, BeliefKind.Variety, "movies/prestige-drama", at);
            if (length == settledAfter)
            {
                beforeSettling = now.Posterior;
                Assert.True(now.Holds);
                Assert.StartsWith("alternates genres", now.Belief.Trail[0].Note, StringComparison.Ordinal);
            }
        }

        // Three more of the same genre past the usual streak: each one counted against a change.
        var variety = Belief(model, BeliefKind.Variety, "movies/prestige-drama", at);
        Assert.True(variety.Posterior < beforeSettling, $"{variety.Posterior} should fall below {beforeSettling}");
        Assert.Equal($"settling on the genre; {settledAfter + 3} in a row", variety.Belief.Trail[0].Note);
        Assert.Equal(3, variety.Belief.Trail.Count(e => e.Note!.StartsWith("settling on the genre", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_loyal_genre_watcher_is_not_ready_for_a_change()
    {
        // Twelve dramas, one comedy, seven dramas: one switch in twelve items before the streak. (One
        // excursion in seven would switch as often as an alternator with streaks of six.)
        var model = new SelfModel();
        for (var i = 0; i < 20; i++)
        {
            Engine.Apply(model, Make(SignalType.Consume, i == 12 ? "movies/comedy" : "movies/drama", T0.AddHours(20 * i), item: $"f{i}", value: 1));
        }

        var variety = Belief(model, BeliefKind.Variety, "movies/drama", T0.AddDays(17));
        Assert.False(variety.Holds);
        Assert.Equal("Happy to keep going with drama (movies)", variety.Statement);
    }

    [Fact]
    public void Premium_kitchen_appliances_and_research_before_electronics()
    {
        var model = new SelfModel();
        var at = T0;
        for (var round = 0; round < 2; round++)
        {
            foreach (var price in new double[] { 60, 75, 50, 80, 65 })
            {
                Engine.Apply(model, Make(SignalType.Impression, "kitchen/appliances/blenders", at = at.AddMinutes(3), item: $"b-{round}-{price}", price: price));
            }
            Engine.Apply(model, Make(SignalType.Purchase, "kitchen/appliances/blenders", at = at.AddMinutes(3), item: $"vitamix-{round}", price: 190));
            for (var i = 0; i < 7; i++)
            {
                Engine.Apply(model, Make(SignalType.View, "electronics/tv", at = at.AddHours(2), item: $"tv-{round}-{i}"));
            }
            Engine.Apply(model, Make(SignalType.Purchase, "electronics/tv", at = at.AddHours(1), item: $"tv-{round}-bought"));
            at = at.AddDays(20);
        }

        var premium = Belief(model, BeliefKind.PriceTier, "premium@kitchen", at);
        var mid = Belief(model, BeliefKind.PriceTier, "mid@kitchen", at);
        var budget = Belief(model, BeliefKind.PriceTier, "budget@kitchen", at);
        Assert.Equal("Prefers premium kitchen products", premium.Statement);
        Assert.True(premium.Confidence > 0.6);
        // One Dirichlet: the alternatives compete and their confidences sum to one.
        Assert.Equal(1.0, premium.Confidence + mid.Confidence + budget.Confidence, 12);

        var researcher = Belief(model, BeliefKind.Researcher, "electronics", at);
        Assert.Equal("Researches extensively before buying electronics", researcher.Statement);
        Assert.True(researcher.Confidence > 0.6);
        Assert.Equal(2, researcher.Belief.Observations);
        // A researched TV still met the need (satiation), but the second TV contradicted it: not filtered.
        var satiation = Belief(model, BeliefKind.Satiation, "electronics/tv", at);
        Assert.True(satiation.Confidence < Engine.Options.Rerank.SatiationFilterConfidence);

        // Researching the next purchase: the comparison set stays at hand in a rerank.
        Engine.Apply(model, Make(SignalType.View, "electronics/soundbars", at.AddMinutes(1), item: "bar-1"));
        Engine.Apply(model, Make(SignalType.View, "electronics/soundbars", at.AddMinutes(2), item: "bar-2"));
        Candidate[] bars = [new("bar-new", "electronics/soundbars", 0.9), new("bar-2", "electronics/soundbars", 0.88), new("cable", "electronics/cables", 0.1)];
        var result = Reranker.Rerank(model, new RerankRequest(bars, at.AddMinutes(3)));
        Assert.Equal("bar-2", result.Items[0].Id);
        Assert.Contains(result.Items[0].Reasons, r => r.BeliefId == researcher.Id);
    }

    [Fact]
    public void A_buyer_without_research_is_not_a_researcher()
    {
        var model = new SelfModel();
        Engine.Apply(model, Make(SignalType.Purchase, "garden/tools", T0));
        Engine.Apply(model, Make(SignalType.Purchase, "garden/seeds", T0.AddDays(2)));

        var researcher = Belief(model, BeliefKind.Researcher, "garden", T0.AddDays(3));
        Assert.True(researcher.Confidence < Engine.Options.For(BeliefKind.Researcher).PriorMean);
    }

    [Fact]
    public void Short_visits_on_different_days_before_a_purchase_are_browsing_not_research()
    {
        var model = new SelfModel();
        var at = T0;
        for (var round = 0; round < 3; round++)
        {
            // Three visits a day apart, two items each: six items seen since the last purchase,
            // but the purchase follows a visit of two.
            for (var visit = 0; visit < 3; visit++)
            {
                at = at.AddDays(1);
                Engine.Apply(model, Make(SignalType.View, "garden/tools", at, item: $"t-{round}-{visit}-a"));
                Engine.Apply(model, Make(SignalType.View, "garden/tools", at.AddMinutes(4), item: $"t-{round}-{visit}-b"));
            }
            Engine.Apply(model, Make(SignalType.Purchase, "garden/tools", at = at.AddMinutes(9), item: $"t-{round}-2-b"));
        }

        // Two items compared before each purchase: neither research nor buying blind.
        Assert.DoesNotContain(model.Beliefs.Keys, k => k.Kind == BeliefKind.Researcher);

        // The same six items looked at in one afternoon before buying are a comparison.
        for (var i = 0; i < 6; i++)
        {
            Engine.Apply(model, Make(SignalType.View, "garden/mowers", at = at.AddDays(i == 0 ? 1 : 0).AddMinutes(40), item: $"m-{i}"));
        }
        Engine.Apply(model, Make(SignalType.Purchase, "garden/mowers", at = at.AddMinutes(30), item: "m-5"));
        var researched = Belief(model, BeliefKind.Researcher, "garden", at);
        Assert.Equal("6 items viewed before buying", researched.Belief.Trail[0].Note);
    }

    [Fact]
    public void Regular_purchases_make_a_replenishment_belief_with_the_next_date_and_a_boost_when_due()
    {
        var model = new SelfModel();
        for (var i = 0; i < 4; i++)
        {
            Engine.Apply(model, Make(SignalType.Purchase, "grocery/coffee", T0.AddDays(30 * i), item: "beans"));
        }
        var last = T0.AddDays(90);

        var belief = Belief(model, BeliefKind.Replenishment, "grocery/coffee", last);
        Assert.True(belief.Holds);
        Assert.True(belief.Confidence > 0.6);
        Assert.Equal(T0.AddDays(120), belief.Belief.ExpectedAt);
        Assert.Equal("Buys coffee (grocery) again at a regular interval", belief.Statement);

        Candidate[] candidates = [new("tea", "grocery/tea", 0.9), new("beans", "grocery/coffee", 0.8)];
        var due = Reranker.Rerank(model, new RerankRequest(candidates, T0.AddDays(119)));
        var early = Reranker.Rerank(model, new RerankRequest(candidates, T0.AddDays(95)));
        Assert.Contains(due.Items.Single(i => i.Id == "beans").Reasons, r => r.BeliefId == belief.Id && r.Effect > 0);
        Assert.DoesNotContain(early.Items.Single(i => i.Id == "beans").Reasons, r => r.BeliefId == belief.Id);
        // Replenishable: bought just now, still not suppressed after the purchase.
        Assert.Empty(Reranker.Rerank(model, new RerankRequest(candidates, last.AddHours(1), Context: "post_purchase")).Suppressed);
    }

    [Fact]
    public void Irregular_repeats_contradict_replenishment()
    {
        var model = new SelfModel();
        foreach (var day in new[] { 0, 30, 33, 110, 112 })
        {
            Engine.Apply(model, Make(SignalType.Purchase, "garden/seeds", T0.AddDays(day)));
        }

        var belief = Belief(model, BeliefKind.Replenishment, "garden/seeds", T0.AddDays(113));
        Assert.True(belief.Belief.Contradictions >= 2);
        var kind = Engine.Options.For(BeliefKind.Replenishment);
        Assert.True(belief.Posterior < kind.PriorMean);
        // The shipped map is flat below the prior (occasional and irregular repeat buyers hit the due
        // window equally rarely), so the reported confidence may tie the prior's but never exceeds it.
        Assert.True(belief.Confidence <= kind.Calibration.Apply(kind.PriorMean));
        Assert.False(belief.Holds);
    }

    [Fact]
    public void Thirty_views_of_one_item_in_a_session_saturate()
    {
        var repeated = new SelfModel();
        var distinct = new SelfModel();
        for (var i = 0; i < 30; i++)
        {
            Engine.Apply(repeated, Make(SignalType.View, "garden/tools", T0.AddMinutes(i), item: "spade", session: "s1"));
            Engine.Apply(distinct, Make(SignalType.View, "garden/tools", T0.AddMinutes(i), item: $"spade-{i}", session: "s1"));
        }

        var view = Engine.Options.Affinity.View;
        var saturated = Belief(repeated, BeliefKind.Affinity, "garden/tools", T0.AddMinutes(30));
        Assert.True(saturated.Evidence < view / (1 - Engine.Options.Interpretation.SaturationFactor) + 1e-9);
        Assert.True(Belief(distinct, BeliefKind.Affinity, "garden/tools", T0.AddMinutes(30)).Evidence > 8);
        Assert.Equal(30, saturated.Belief.Observations);
    }

    [Fact]
    public void A_barely_started_single_episode_is_weak_evidence()
    {
        var model = new SelfModel();
        Engine.Apply(model, Make(SignalType.Consume, "tv/true-crime", T0, value: 0.15));

        var belief = Belief(model, BeliefKind.Affinity, "tv/true-crime", T0);
        Assert.Equal(Engine.Options.Affinity.Consume * 0.15 * Engine.Options.Interpretation.SingleEpisodeFactor, belief.Evidence, 12);
        Assert.Equal(BeliefStatus.Dormant, belief.Status);
        var result = Reranker.Rerank(model, new RerankRequest([new("doc", "tv/true-crime", 0.5)], T0));
        Assert.Empty(result.Items.Single().Reasons);
    }

    [Fact]
    public void A_return_strongly_contradicts_affinity_and_price_tier()
    {
        var model = PremiumKitchenShopper(Engine, T0);
        var at = T0.AddDays(30);
        var affinityBefore = Belief(model, BeliefKind.Affinity, "home/kitchen/knives", at).Confidence;
        var premiumBefore = Belief(model, BeliefKind.PriceTier, "premium@home", at).Confidence;

        Engine.Apply(model, Make(SignalType.Return, "home/kitchen/knives", at, item: "knife-2-p", price: 140));
        Engine.Apply(model, Make(SignalType.Return, "home/kitchen/knives", at.AddMinutes(1), item: "knife-1-p", price: 140));

        var affinity = Belief(model, BeliefKind.Affinity, "home/kitchen/knives", at.AddMinutes(2));
        var premium = Belief(model, BeliefKind.PriceTier, "premium@home", at.AddMinutes(2));
        Assert.True(affinity.Confidence < affinityBefore - 0.15);
        Assert.True(premium.Confidence < premiumBefore - 0.15);
        Assert.Equal(2, premium.Belief.Trail.Count(t => t.Type == SignalType.Return));
    }

    [Fact]
    public void Ignoring_a_boosted_category_lowers_it_until_it_leaves_the_top_within_five_impressions()
    {
        // Stated bound: with the default constants, a category lifted to the top by an affinity built
        // from one purchase and one click falls out of the top after at most 5 decisions in which its
        // item was shown and ignored (5 impressions carrying the decision id).
        const int bound = 5;
        var model = new SelfModel();
        Engine.Apply(model, Make(SignalType.Purchase, "home/kitchen/knives", T0, item: "k0"));
        Engine.Apply(model, Make(SignalType.Click, "home/kitchen/knives", T0.AddHours(1), item: "k1"));
        Candidate[] candidates = [new("book", "books/fiction", 0.9), new("knife", "home/kitchen/knives", 0.85), new("pen", "office/pens", 0.1)];
        var at = T0.AddDays(1);

        var first = Engine.Reranker().Decide(model, new RerankRequest(candidates, at, Seed: "u1"));
        Assert.Equal("knife", first.Result.Items[0].Id);
        var affinityBefore = Belief(model, BeliefKind.Affinity, "home/kitchen/knives", at).Confidence;

        var decisions = 0;
        var decision = first;
        while (decision.Result.Items[0].Id == "knife" && decisions < 10)
        {
            Engine.Record(model, decision);
            Engine.Apply(model, Make(SignalType.Impression, "home/kitchen/knives", at = at.AddMinutes(10), item: "knife", decision: decision.Id));
            decisions++;
            decision = Engine.Reranker().Decide(model, new RerankRequest(candidates, at = at.AddMinutes(1), Seed: "u1"));
        }

        Assert.InRange(decisions, 1, bound);
        var affinity = Belief(model, BeliefKind.Affinity, "home/kitchen/knives", at);
        Assert.True(affinity.Confidence < affinityBefore);
        Assert.Contains(affinity.Belief.Trail, t => t.Note is { } note && note.StartsWith("feedback on d-", StringComparison.Ordinal));
    }

    [Fact]
    public void Engagement_with_a_boosted_item_credits_the_belief_that_boosted_it()
    {
        var model = PremiumKitchenShopper(Engine, T0);
        var at = T0.AddDays(30);
        var decision = Engine.Reranker().Decide(model, new RerankRequest([new("knife", "home/kitchen/knives", 0.5, 150)], at, Seed: "u"));
        Engine.Record(model, decision);
        var drivers = decision.Drivers["knife"];
        var before = drivers.Select(d => model.Beliefs[d.Key].Observations).ToList();

        Engine.Apply(model, Make(SignalType.Click, "home/kitchen/knives", at.AddMinutes(1), item: "knife", decision: decision.Id));

        Assert.All(drivers.Select((d, i) => model.Beliefs[d.Key].Observations - before[i]), delta => Assert.True(delta >= 1));
        Assert.Contains(model.Beliefs[drivers[0].Key].Trail, t => t.Note == $"feedback on {decision.Id}");
    }
}

internal static class EngineTestExtensions
{
    public static Reranker Reranker(this BeliefEngine engine) => new(engine);
}
