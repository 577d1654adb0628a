using Clarity.Engine.Beliefs;
using Clarity.Engine.Ranking;
using Clarity.Engine.Signals;
using static Clarity.Engine.Tests.Signals;

namespace Clarity.Engine.Tests;

/// <summary>The per-kind calibration map from the raw posterior mean to the reported confidence.</summary>
public sealed class CalibrationTests
{
    private static readonly BeliefKey Knives = new(BeliefKind.Affinity, "home/kitchen/knives");

    private static BeliefEngine EngineWith(CalibrationMap affinity)
    {
        var options = new EngineOptions();
        options.Kinds[BeliefKind.Affinity].Calibration = affinity;
        return new BeliefEngine(options);
    }

    private static SelfModel KnifeBuyer(BeliefEngine engine)
    {
        var model = new SelfModel();
        engine.Apply(model, Make(SignalType.Purchase, "home/kitchen/knives", T0, id: "k1"));
        engine.Apply(model, Make(SignalType.Purchase, "home/kitchen/knives", T0.AddDays(1), id: "k2"));
        return model;
    }

    private static BeliefSnapshot Knife(BeliefEngine engine, SelfModel model, DateTimeOffset asOf) =>
        engine.Evaluate(model, asOf).Single(s => s.Key == Knives);

    [Fact]
    public void The_map_is_a_logistic_in_logit_space()
    {
        var map = new CalibrationMap { Slope = 2, Intercept = -1 };

        // logit(0.5) = 0, so 0.5 maps to sigmoid(-1); logit(0.8) = ln 4, so 0.8 maps to sigmoid(2 ln 4 - 1) = 16/(16 + e).
        Assert.Equal(1 / (1 + Math.E), map.Apply(0.5), 12);
        Assert.Equal(16 / (16 + Math.E), map.Apply(0.8), 12);
        Assert.Equal(0.37, new CalibrationMap().Apply(0.37), 15);
    }

    [Fact]
    public void The_map_is_strictly_increasing_and_stays_within_0_and_1()
    {
        var map = new CalibrationMap { Slope = 0.6, Intercept = 0.5 };
        var previous = -1.0;
        foreach (var p in new[] { 0.0, 1e-12, 0.01, 0.2, 0.5, 0.8, 0.99, 1 - 1e-12, 1.0 })
        {
            var q = map.Apply(p);
            Assert.InRange(q, 0, 1);
            Assert.True(q >= previous, $"not increasing at {p}");
            previous = q;
        }
    }

    [Fact]
    public void Reported_confidence_is_the_kinds_map_of_the_posterior()
    {
        var map = new CalibrationMap { Slope = 2, Intercept = -1.5 };
        var engine = EngineWith(map);
        var snapshot = Knife(engine, KnifeBuyer(engine), T0.AddDays(2));

        Assert.Equal(map.Apply(snapshot.Posterior), snapshot.Confidence, 12);
        Assert.NotEqual(snapshot.Posterior, snapshot.Confidence);
        // The posterior itself is the Beta mean, whatever the map.
        var identity = EngineWith(new CalibrationMap());
        Assert.Equal(Knife(identity, KnifeBuyer(identity), T0.AddDays(2)).Posterior, snapshot.Posterior, 12);
    }

    [Fact]
    public void Reranks_and_flips_act_on_the_posterior_so_the_map_changes_only_what_is_reported()
    {
        Candidate[] candidates = [new("book-1", "books/fiction", 0.9), new("knife-1", "home/kitchen/knives", 0.7)];
        var identity = EngineWith(new CalibrationMap());
        var steep = EngineWith(new CalibrationMap { Slope = 3, Intercept = -2 });
        var asOf = T0.AddDays(2);

        var plain = new Reranker(identity).Rerank(KnifeBuyer(identity), new RerankRequest(candidates, asOf));
        var mapped = new Reranker(steep).Rerank(KnifeBuyer(steep), new RerankRequest(candidates, asOf));

        Assert.Equal(plain.Items.Select(i => (i.Id, i.Score)), mapped.Items.Select(i => (i.Id, i.Score)));
        Assert.Equal(Knife(identity, KnifeBuyer(identity), asOf).Holds, Knife(steep, KnifeBuyer(steep), asOf).Holds);
    }

    [Fact]
    public void The_users_word_is_not_remapped()
    {
        var engine = EngineWith(new CalibrationMap { Slope = 3, Intercept = -2 });
        var stated = engine.Options.Corrections.StatedConfidence;

        var confirmedModel = KnifeBuyer(engine);
        var confirmed = engine.Confirm(confirmedModel, Knives.Id(), T0.AddDays(2))!;
        var rejectedModel = KnifeBuyer(engine);
        var rejected = engine.Reject(rejectedModel, Knives.Id(), T0.AddDays(2))!;

        Assert.Equal(stated, confirmed.Confidence, 12);
        Assert.Equal(stated, confirmed.Posterior, 12);
        Assert.Equal(stated, Knife(engine, confirmedModel, T0.AddDays(30)).Confidence, 12);
        Assert.Equal(1 - stated, rejected.Confidence, 12);
        Assert.Equal(1 - stated, rejected.Posterior, 12);
    }

    [Fact]
    public void Invalid_maps_fail_validation_naming_the_key()
    {
        var options = new EngineOptions();
        options.Kinds[BeliefKind.Affinity].Calibration = new CalibrationMap { Slope = 0 };
        options.Kinds[BeliefKind.Variety].Calibration = new CalibrationMap { Intercept = double.NaN };

        var errors = options.Validate();

        Assert.Contains(errors, e => e.StartsWith("Clarity:Engine:Kinds:Affinity:Calibration:Slope must be greater than 0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Clarity:Engine:Kinds:Variety:Calibration:Intercept must be a finite number", StringComparison.Ordinal));
        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void Points_replace_the_logistic_with_a_monotone_piecewise_linear_map()
    {
        var map = new CalibrationMap { Slope = 3, Intercept = -2, Points = "0.4:0.1 0.6:0.1 0.8:0.9" };

        Assert.Equal(0.1, map.Apply(0.2), 12);   // flat before the first knot
        Assert.Equal(0.1, map.Apply(0.5), 12);   // a tie, never a reversal
        Assert.Equal(0.5, map.Apply(0.7), 12);   // linear between knots
        Assert.Equal(0.9, map.Apply(0.95), 12);  // flat after the last
        Assert.False(map.IsIdentity);
        var copy = map.Clone();
        copy.Points = "";
        Assert.Equal(0.1, map.Apply(0.5), 12);
        Assert.Equal(new CalibrationMap { Slope = 3, Intercept = -2 }.Apply(0.5), copy.Apply(0.5), 12);
    }

    [Theory]
    [InlineData("0.4:0.1 0.3:0.2")]
    [InlineData("0.4:0.3 0.5:0.2")]
    [InlineData("0.4:1.3")]
    [InlineData("0.4")]
    [InlineData("x:0.1")]
    public void Points_that_are_not_increasing_knots_in_0_1_fail_validation_naming_the_key(string points)
    {
        var options = new EngineOptions();
        options.Kinds[BeliefKind.Replenishment].Calibration = new CalibrationMap { Points = points };

        var errors = options.Validate();

        Assert.Single(errors);
        Assert.StartsWith("Clarity:Engine:Kinds:Replenishment:Calibration:Points must be", errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Shipped_defaults_are_valid_and_map_regular_replenishment_high_and_occasional_low()
    {
        var options = new EngineOptions();
        Assert.Empty(options.Validate());
        var map = options.For(BeliefKind.Replenishment).Calibration;
        Assert.True(map.Apply(0.5) < 0.2);
        Assert.True(map.Apply(0.8) > 0.9);
    }

    [Fact]
    public void Default_maps_leave_price_tier_alternatives_summing_to_one()
    {
        // The three tiers are one Dirichlet; the shipped defaults keep its map the identity.
        Assert.True(new EngineOptions().For(BeliefKind.PriceTier).Calibration.IsIdentity);
    }

    [Fact]
    public void Cloning_kind_options_copies_the_map()
    {
        var original = new EngineOptions().For(BeliefKind.Affinity);
        var copy = original.Clone();
        copy.Calibration.Slope = 5;

        Assert.NotEqual(5, original.Calibration.Slope);
    }
}
