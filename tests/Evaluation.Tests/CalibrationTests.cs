using Clarity.Engine.Beliefs;
using Clarity.Engine.Signals;
using Clarity.Evaluation.Calibration;

namespace Clarity.Evaluation.Tests;

public class CalibrationTests
{
    [Fact]
    public void Brier_skill_and_ece_are_exact_on_a_small_set()
    {
        // Bin of 0.1 (three predictions, one event) and bin of 0.9 (one prediction, an event).
        (double, bool)[] pairs = [(0.1, false), (0.1, true), (0.1, false), (0.9, true)];

        var c = KindCalibration.Of("affinity", pairs);

        var brier = (0.01 + 0.81 + 0.01 + 0.01) / 4;
        Assert.Equal(4, c.Predictions);
        Assert.Equal(0.5, c.BaseRate, 12);
        Assert.Equal(brier, c.Brier, 12);
        Assert.Equal(1 - brier / 0.25, c.BrierSkill, 12);
        Assert.Equal(0.75 * Math.Abs(0.1 - 1.0 / 3) + 0.25 * 0.1, c.Ece, 12);
        Assert.Equal(2, c.Bins.Count);
        Assert.Equal(3, c.Bins[0].Count);
    }

    [Fact]
    public void Confidence_of_one_falls_in_the_last_of_fifteen_bins()
    {
        var c = KindCalibration.Of("satiation", [(1.0, true), (0.0, false)]);

        Assert.Equal(0, c.Ece, 12);
        Assert.Equal(14.0 / 15, c.Bins[^1].Low, 12);
    }

    [Fact]
    public void No_predictions_give_no_numbers()
    {
        var c = KindCalibration.Of("variety", []);

        Assert.Equal(0, c.Predictions);
        Assert.True(double.IsNaN(c.Ece));
    }

    [Fact]
    public void Each_kind_predicts_its_event_within_its_horizon()
    {
        var h = new Horizons();
        const double cut = 100;
        OutcomeEvent Buy(double day, string item, string category, int tier = 1, bool gift = false) =>
            new(day, SignalType.Purchase, item, category, Gift: gift, Tier: tier);
        List<OutcomeEvent> before =
        [
            new(95, SignalType.View, "tv-1", "electronics/tv"), new(96, SignalType.View, "tv-2", "electronics/tv"),
            new(97, SignalType.View, "tv-3", "electronics/tv"),
            new(91, SignalType.View, "sp-1", "electronics/audio"), new(94, SignalType.View, "sp-2", "electronics/audio"),
            new(97, SignalType.View, "sp-3", "electronics/audio"), new(99, SignalType.View, "sp-4", "electronics/audio"),
        ];
        List<OutcomeEvent> after =
        [
            new(101.85, SignalType.View, "tv-5", "electronics/tv"), new(101.9, SignalType.View, "tv-6", "electronics/tv"),
            new(101.95, SignalType.View, "tv-7", "electronics/tv"), new(101.99, SignalType.View, "tv-4", "electronics/tv"),
            Buy(102, "tv-4", "electronics/tv", tier: 2),
            Buy(103, "sp-4", "electronics/audio", tier: 2),
            new(110, SignalType.Click, "k-1", "home/kitchen/knives"),
            Buy(150, "seat-1", "home/bathroom/toilet-seats", gift: true),
            new(105, SignalType.Consume, "b-1", "books/fiction/scifi", 0.9),
        ];

        Assert.True(KindEvents.Outcome(BeliefKind.Affinity, "home/kitchen", cut, before, after, h, purchasesOnly: false));
        Assert.False(KindEvents.Outcome(BeliefKind.Affinity, "home/kitchen", cut, before, after, h, purchasesOnly: true));
        Assert.False(KindEvents.Outcome(BeliefKind.Satiation, "electronics/tv", cut, before, after, h, false));
        // A gift purchase does not end satiation: the buyer is still not in the market for themselves.
        Assert.True(KindEvents.Outcome(BeliefKind.Satiation, "home/bathroom/toilet-seats", cut, before, after, h, false));
        // Four TVs compared within hours of the purchase: researched. Four speakers seen on
        // different days before buying one: browsing, not research.
        Assert.True(KindEvents.Outcome(BeliefKind.Researcher, "electronics/tv", cut, before, after, h, false));
        Assert.False(KindEvents.Outcome(BeliefKind.Researcher, "electronics/audio", cut, before, after, h, false));
        Assert.Null(KindEvents.Outcome(BeliefKind.Researcher, "home/kitchen/knives", cut, before, after, h, false));
        Assert.True(KindEvents.Outcome(BeliefKind.PriceTier, "premium@electronics", cut, before, after, h, false));
        Assert.False(KindEvents.Outcome(BeliefKind.PriceTier, "budget@electronics", cut, before, after, h, false));
        Assert.True(KindEvents.Outcome(BeliefKind.Variety, "books/fiction/crime", cut, before, after, h, false));
        Assert.False(KindEvents.Outcome(BeliefKind.Variety, "books/fiction", cut, before, after, h, false));
        // Replenishment without a date, or without a purchase before the cut, makes no dated claim.
        Assert.Null(KindEvents.Outcome(BeliefKind.Replenishment, "tv-4", cut, before, after, h, false, nextDay: 101));
        Assert.Null(KindEvents.Outcome(BeliefKind.Replenishment, "home/bathroom/toilet-seats", cut, before, after, h, false));
    }

    [Fact]
    public void A_replenishment_belief_predicts_the_next_purchase_inside_its_due_window()
    {
        // Coffee bought on day 60; the engine expects the next on day 100 (a 40-day interval), so the
        // due window is 100 +- 10 (a quarter of the interval, the reranker's boost window).
        var h = new Horizons();
        List<OutcomeEvent> before = [new(60, SignalType.Purchase, "c-1", "home/kitchen/coffee")];
        bool? At(double day, double cut = 95, double end = double.PositiveInfinity) =>
            KindEvents.Outcome(BeliefKind.Replenishment, "home/kitchen/coffee", cut, before,
                [new(day, SignalType.Purchase, "c-2", "home/kitchen/coffee")], h, false, nextDay: 100, end: end);

        Assert.True(At(93, cut: 92));
        Assert.True(At(109));
        Assert.False(At(85, cut: 80));  // early: an irregular buyer who buys often anyway misses
        Assert.False(At(111));          // late
        // No purchase: a miss once the window is over, unscored while it is still open at the end of the data.
        Assert.False(KindEvents.Outcome(BeliefKind.Replenishment, "home/kitchen/coffee", 95, before, [], h, false, nextDay: 100, end: 120));
        Assert.Null(KindEvents.Outcome(BeliefKind.Replenishment, "home/kitchen/coffee", 95, before, [], h, false, nextDay: 100, end: 105));
        // Item level ("re-buys this item"): early counts, only later than the window's end misses.
        List<OutcomeEvent> item = [new(60, SignalType.Purchase, "c-1", "home/kitchen/coffee")];
        Assert.True(KindEvents.Outcome(BeliefKind.Replenishment, "item:c-1", 80, item, [new(85, SignalType.Purchase, "c-1", "home/kitchen/coffee")], h, false, nextDay: 100));
        Assert.False(KindEvents.Outcome(BeliefKind.Replenishment, "item:c-1", 80, item, [new(111, SignalType.Purchase, "c-1", "home/kitchen/coffee")], h, false, nextDay: 100));
        // A gift does not count as the user's own re-buy.
        Assert.False(KindEvents.Outcome(BeliefKind.Replenishment, "home/kitchen/coffee", 95, before,
            [new(100, SignalType.Purchase, "c-2", "home/kitchen/coffee", Gift: true)], h, false, nextDay: 100, end: 200));
    }

    [Fact]
    public void Each_kind_is_scored_at_every_instant_whose_horizon_ends_inside_the_period()
    {
        var h = new Horizons();

        Assert.Equal([220.0, 225, 230, 235, 240, 245, 250, 255, 260, 265, 270, 275, 280], h.Instants(220, 310, BeliefKind.Variety, false));
        Assert.Equal([220.0], h.Instants(220, 310, BeliefKind.Satiation, false));
        Assert.Equal([220.0, 225, 230, 235, 240, 245, 250], h.Instants(220, 310, BeliefKind.Replenishment, false));
        Assert.Equal([220.0], h.Instants(220, 240, BeliefKind.Variety, false));
    }

    [Fact]
    public void A_monotone_map_fits_a_rate_that_is_flat_and_then_jumps()
    {
        // Events 12% of the time below 0.7, 95% above: no logistic follows it, the isotonic map does.
        var random = new Random(11);
        var pairs = new List<(double P, bool O)>();
        for (var i = 0; i < 6000; i++)
        {
            var p = 0.35 + 0.5 * random.NextDouble();
            pairs.Add((p, random.NextDouble() < (p < 0.7 ? 0.12 : 0.95)));
        }
        var logistic = Platt.Fit(pairs);
        var map = new Clarity.Engine.Beliefs.CalibrationMap { Points = Isotonic.Fit(pairs) };

        var errors = new List<string>();
        map.Validate("map", errors);
        Assert.Empty(errors);
        Assert.True(KindCalibration.Of("x", [.. pairs.Select(x => (Platt.Apply(logistic, x.P), x.O))]).Ece > 0.05);
        Assert.True(KindCalibration.Of("x", [.. pairs.Select(x => (map.Apply(x.P), x.O))]).Ece < 0.03);
        Assert.InRange(map.Apply(0.5), 0.08, 0.16);
        Assert.InRange(map.Apply(0.8), 0.9, 1);
    }

    [Fact]
    public void A_logistic_map_fitted_on_miscalibrated_confidences_calibrates_them()
    {
        // Confidences twice the true probability: the map must bring ECE down.
        var random = new Random(7);
        var pairs = new List<(double P, bool O)>();
        for (var i = 0; i < 5000; i++)
        {
            var truth = 0.05 + 0.4 * random.NextDouble();
            pairs.Add((2 * truth, random.NextDouble() < truth));
        }
        var fit = Platt.Fit(pairs);
        var mapped = pairs.Select(x => (Platt.Apply(fit, x.P), x.O)).ToList();

        Assert.True(KindCalibration.Of("x", pairs).Ece > 0.15);
        Assert.True(KindCalibration.Of("x", mapped).Ece < 0.03, $"ECE after the map: {KindCalibration.Of("x", mapped).Ece}");
    }
}
