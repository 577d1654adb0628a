using Clarity.Engine.Beliefs;
using Clarity.Engine.Signals;
using static Clarity.Engine.Tests.Signals;

namespace Clarity.Engine.Tests;

public sealed class BeliefEngineTests
{
    private static readonly BeliefEngine Engine = new(new EngineOptions());

    private static BeliefSnapshot Affinity(SelfModel model, string category, DateTimeOffset asOf) =>
        Engine.Evaluate(model, asOf).Single(b => b.Key == new BeliefKey(BeliefKind.Affinity, category));

    [Fact]
    public void Evidence_halves_after_one_half_life()
    {
        var model = new SelfModel();
        Engine.Apply(model, Make(SignalType.Purchase, "home/kitchen", T0));
        var halfLife = TimeSpan.FromDays(Engine.Options.For(BeliefKind.Affinity).HalfLifeDays);

        var atStart = Affinity(model, "home/kitchen", T0).Evidence;
        var afterOne = Affinity(model, "home/kitchen", T0 + halfLife).Evidence;
        var afterTwo = Affinity(model, "home/kitchen", T0 + halfLife + halfLife).Evidence;

        Assert.Equal(2.0, atStart, 12);
        Assert.Equal(1.0, afterOne, 12);
        Assert.Equal(0.5, afterTwo, 12);
    }

    [Fact]
    public void Confidence_returns_to_the_prior_without_support()
    {
        var model = new SelfModel();
        Engine.Apply(model, Make(SignalType.Purchase, "books", T0));
        var kind = Engine.Options.For(BeliefKind.Affinity);
        var prior = kind.PriorMean;

        var fresh = Affinity(model, "books", T0);
        var yearsLater = Affinity(model, "books", T0.AddYears(5));

        Assert.True(fresh.Posterior > prior + 0.2);
        Assert.Equal(prior, yearsLater.Posterior, 6);
        // What is reported returns to the prior as the kind's calibration map reports it.
        Assert.Equal(kind.Calibration.Apply(prior), yearsLater.Confidence, 6);
    }

    [Fact]
    public void Order_of_arrival_does_not_change_the_model()
    {
        var signals = new[]
        {
            Make(SignalType.Purchase, "home/kitchen/knives", T0),
            Make(SignalType.View, "home/kitchen/pans", T0.AddHours(3)),
            Make(SignalType.Dismiss, "home/bathroom", T0.AddDays(2)),
            Make(SignalType.Rating, "home/kitchen/knives", T0.AddDays(5), value: 5),
            Make(SignalType.Impression, "home/bathroom/toilet-seats", T0.AddDays(9)),
        };
        var inOrder = new SelfModel();
        var reversed = new SelfModel();
        foreach (var s in signals)
        {
            Engine.Apply(inOrder, s);
        }
        foreach (var s in signals.Reverse())
        {
            Engine.Apply(reversed, s);
        }

        var asOf = T0.AddDays(30);
        var a = Engine.Evaluate(inOrder, asOf);
        var b = Engine.Evaluate(reversed, asOf);
        Assert.Equal(a.Select(x => x.Id), b.Select(x => x.Id));
        for (var i = 0; i < a.Count; i++)
        {
            Assert.Equal(a[i].Confidence, b[i].Confidence, 12);
            Assert.Equal(a[i].Evidence, b[i].Evidence, 12);
            Assert.Equal(a[i].Belief.Observations, b[i].Belief.Observations);
            Assert.Equal(a[i].Belief.Contradictions, b[i].Belief.Contradictions);
            Assert.Equal(a[i].Belief.Trail.Select(t => t.SignalId), b[i].Belief.Trail.Select(t => t.SignalId));
        }
    }

    [Fact]
    public void A_duplicate_signal_id_changes_nothing()
    {
        var model = new SelfModel();
        var purchase = Make(SignalType.Purchase, "garden", T0, id: "evt-1");
        Assert.True(Engine.Apply(model, purchase));
        var before = Affinity(model, "garden", T0.AddDays(1));

        var changes = new List<BeliefChange>();
        Assert.False(Engine.Apply(model, purchase with { OccurredAt = T0.AddDays(1) }, changes));

        var after = Affinity(model, "garden", T0.AddDays(1));
        Assert.Empty(changes);
        Assert.Equal(before.Evidence, after.Evidence);
        Assert.Equal(1, after.Belief.Observations);
        Assert.Equal(1, model.SignalCount);
    }

    [Fact]
    public void Evidence_at_a_leaf_counts_attenuated_for_its_ancestors()
    {
        var model = new SelfModel();
        Engine.Apply(model, Make(SignalType.Purchase, "home/kitchen/knives", T0));

        Assert.Equal(2.0, Affinity(model, "home/kitchen/knives", T0).Evidence, 12);
        Assert.Equal(1.0, Affinity(model, "home/kitchen", T0).Evidence, 12);
        Assert.Equal(0.5, Affinity(model, "home", T0).Evidence, 12);
    }

    [Fact]
    public void Ignoring_different_items_of_a_category_turns_the_category_belief_against_it()
    {
        var model = new SelfModel();
        var changes = new List<BeliefChange>();
        Engine.Apply(model, Make(SignalType.View, "home/bathroom/toilet-seats", T0, item: "seat-0"));
        for (var i = 1; i <= 6; i++)
        {
            Engine.Apply(model, Make(SignalType.Impression, "home/bathroom/toilet-seats", T0.AddHours(i), item: $"seat-{i}"), changes);
        }

        var belief = Affinity(model, "home/bathroom/toilet-seats", T0.AddHours(7));
        Assert.False(belief.Holds);
        Assert.Equal("Not interested in toilet seats (home, bathroom)", belief.Statement);
        Assert.True(belief.Confidence < Engine.Options.For(BeliefKind.Affinity).PriorMean);
        Assert.Equal(6, belief.Belief.Contradictions);
        var flip = Assert.Single(changes, c => c.Kind == ChangeKind.Flipped && c.Key == belief.Key);
        Assert.Contains(belief.Belief.Trail, t => t.SignalId == flip.SignalId && t.Note == "flipped: no longer holds");
    }

    [Fact]
    public void A_gift_purchase_says_nothing_about_the_buyers_tastes()
    {
        var model = new SelfModel();
        var changes = new List<BeliefChange>();
        Engine.Apply(model, Make(SignalType.Purchase, "baby/clothing", T0, gift: true), changes);

        Assert.Empty(Engine.Evaluate(model, T0));
        Assert.Empty(changes);
    }

    [Fact]
    public void Housekeeping_demotes_with_hysteresis_and_prunes_below_the_floor()
    {
        var model = new SelfModel();
        Engine.Apply(model, Make(SignalType.AddToCart, "toys", T0));
        var kind = Engine.Options.For(BeliefKind.Affinity);
        var id = model.Beliefs.Values.Single().Id;

        // Evidence 1.0 is active at once; it goes dormant below 0.2, after log2(5) = 2.3 half-lives.
        Assert.Empty(Engine.Housekeep(model, T0.AddDays(1)));
        Assert.Empty(Engine.Housekeep(model, T0.AddDays(kind.HalfLifeDays * 2.2)));
        var dormant = Engine.Housekeep(model, T0.AddDays(kind.HalfLifeDays * 2.4));
        Assert.Equal([new BeliefChange(ChangeKind.Dormant, id, new BeliefKey(BeliefKind.Affinity, "toys"))], dormant);

        var pruned = Engine.Housekeep(model, T0.AddDays(kind.HalfLifeDays * 10));
        Assert.Equal([new BeliefChange(ChangeKind.Pruned, id, new BeliefKey(BeliefKind.Affinity, "toys"))], pruned);
        Assert.Empty(model.Beliefs);
    }

    [Fact]
    public void The_number_of_beliefs_is_bounded_and_the_least_evidenced_go_first()
    {
        var engine = new BeliefEngine(new EngineOptions { MaxBeliefs = 3 });
        var model = new SelfModel();
        engine.Apply(model, Make(SignalType.Purchase, "a", T0));
        engine.Apply(model, Make(SignalType.View, "b", T0));
        engine.Apply(model, Make(SignalType.AddToCart, "c", T0));
        engine.Apply(model, Make(SignalType.Purchase, "d", T0));

        Assert.Equal(["a", "c", "d"], model.Beliefs.Keys.Select(k => k.Subject).Order());
    }

    [Fact]
    public void Belief_ids_are_stable_and_distinct()
    {
        var a = new BeliefKey(BeliefKind.Affinity, "home/kitchen");
        Assert.Equal(a.Id(), new BeliefKey(BeliefKind.Affinity, "home/kitchen").Id());
        Assert.NotEqual(a.Id(), new BeliefKey(BeliefKind.Satiation, "home/kitchen").Id());
        Assert.Matches("^b-[0-9a-f]{16}$", a.Id());
    }
}
