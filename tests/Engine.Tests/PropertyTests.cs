using Clarity.Engine.Beliefs;
using Clarity.Engine.Signals;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Clarity.Engine.Tests;

/// <summary>One generated signal, as indices into small vocabularies so that histories overlap.</summary>
public sealed record SignalSpec(int Type, int Category, int Item, int Minutes, int Value, int Price, bool Gift, int Session);

/// <summary>A generated history: signals within the reorder window's span, and a permutation of them.</summary>
public sealed record History(SignalSpec[] Signals, int[] Arrival, int LaterDays);

public static class HistoryArbitrary
{
    // Mixes durable, replenishable, consumable and plain categories at several depths.
    internal static readonly string[] Categories =
    [
        "home/bathroom/toilet-seats", "home/kitchen/knives", "home/kitchen/pans", "grocery/coffee",
        "movies/drama", "movies/comedy", "electronics/tv", "books", "garden/tools/spades",
    ];

    public static Arbitrary<History> Histories()
    {
        var spec =
            from type in Gen.Choose(0, 8)
            from category in Gen.Choose(0, Categories.Length - 1)
            from item in Gen.Choose(0, 4)
            // Within six days: inside the default reorder window's seven.
            from minutes in Gen.Choose(0, 6 * 24 * 60)
            from value in Gen.Choose(0, 5)
            from price in Gen.Choose(0, 4)
            from gift in Gen.Frequency((9, Gen.Constant(false)), (1, Gen.Constant(true)))
            from session in Gen.Choose(0, 2)
            select new SignalSpec(type, category, item, minutes, value, price, gift, session);
        var history =
            from signals in Gen.ArrayOf(spec).Select(a => a.Length > 60 ? a[..60] : a)
            from arrival in Gen.Shuffle(Enumerable.Range(0, signals.Length).ToArray())
            from later in Gen.Choose(0, 400)
            select new History(signals, arrival, later);
        return history.ToArbitrary();
    }

    internal static Signal ToSignal(this SignalSpec s, int index)
    {
        var type = (SignalType)s.Type;
        double? value = type switch
        {
            SignalType.Rating => 1 + s.Value % 5,
            SignalType.Consume => s.Value / 5.0,
            _ => null,
        };
        double? price = s.Price == 0 ? null : s.Price * 20;
        var category = Categories[s.Category];
        return new Signal($"p-{index}", type, Signals.T0.AddMinutes(s.Minutes), new ItemRef($"{category}#{s.Item}", category, price),
            value, new SignalContext($"session-{s.Session}", null, s.Gift));
    }
}

/// <summary>Invariants of the belief engine over generated histories.</summary>
[Properties(Arbitrary = [typeof(HistoryArbitrary)], MaxTest = 150)]
public sealed class PropertyTests
{
    private static readonly BeliefEngine Engine = new(new EngineOptions());

    private static SelfModel Build(History h, bool inArrivalOrder)
    {
        var model = new SelfModel();
        for (var i = 0; i < h.Signals.Length; i++)
        {
            var index = inArrivalOrder ? h.Arrival[i] : i;
            Engine.Apply(model, h.Signals[index].ToSignal(index));
        }
        return model;
    }

    private static DateTimeOffset End(History h) => Signals.T0.AddDays(7 + h.LaterDays);

    private static string Describe(BeliefSnapshot b) =>
        $"{b.Id} c={b.Confidence:R} e={b.Evidence:R} {b.Status} {b.Holds} o={b.Belief.Observations} x={b.Belief.Contradictions} " +
        $"t=[{string.Join(",", b.Belief.Trail.Select(t => $"{t.SignalId}:{t.Effect:R}:{t.Note}"))}] next={b.Belief.ExpectedAt}";

    private static void AssertSame(List<string> expected, List<string> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], actual[i]);
        }
    }

    [Property]
    public void Confidence_is_a_probability(History h)
    {
        var model = Build(h, inArrivalOrder: true);
        foreach (var asOf in new[] { Signals.T0, Signals.T0.AddDays(3), End(h) })
        {
            Assert.All(Engine.Evaluate(model, asOf), b =>
            {
                Assert.InRange(b.Confidence, 0, 1);
                Assert.True(b.Evidence >= 0);
            });
        }
    }

    [Property]
    public void Price_tier_alternatives_share_one_Dirichlet(History h)
    {
        var model = Build(h, inArrivalOrder: true);
        var tiers = Engine.Evaluate(model, End(h)).Where(b => b.Key.Kind == BeliefKind.PriceTier)
            .GroupBy(b => b.Key.Subject[(b.Key.Subject.IndexOf('@', StringComparison.Ordinal) + 1)..]);
        Assert.All(tiers, scope => Assert.Equal(1.0, scope.Sum(b => b.Confidence), 9));
    }

    [Property]
    public void Any_arrival_order_gives_the_same_model(History h)
    {
        var inOrder = Build(h, inArrivalOrder: false);
        var shuffled = Build(h, inArrivalOrder: true);

        var asOf = End(h);
        AssertSame(Engine.Evaluate(inOrder, asOf).Select(Describe).ToList(), Engine.Evaluate(shuffled, asOf).Select(Describe).ToList());
    }

    [Property]
    public void Housekeeping_at_t1_then_evaluating_at_t2_equals_evaluating_at_t2(History h)
    {
        var tidied = Build(h, inArrivalOrder: true);
        var untouched = Build(h, inArrivalOrder: true);
        var t1 = Signals.T0.AddDays(7 + h.LaterDays / 2);
        var t2 = End(h);

        Engine.Housekeep(tidied, t1);

        // Pruning removes only beliefs whose evidence is below the floor; everything kept reads the same.
        var kept = Engine.Evaluate(tidied, t2).Select(Describe).ToList();
        Assert.Equal(Engine.Evaluate(untouched, t2).Where(b => tidied.Beliefs.ContainsKey(b.Key)).Select(Describe), kept);
    }

    [Property]
    public void Duplicates_change_nothing(History h)
    {
        var model = Build(h, inArrivalOrder: true);
        var before = Engine.Evaluate(model, End(h)).Select(Describe).ToList();
        var count = model.SignalCount;

        for (var i = 0; i < h.Signals.Length; i += 2)
        {
            var again = h.Signals[i].ToSignal(i);
            Assert.False(Engine.Apply(model, again with { OccurredAt = again.OccurredAt.AddHours(1) }));
        }

        Assert.Equal(before, Engine.Evaluate(model, End(h)).Select(Describe));
        Assert.Equal(count, model.SignalCount);
    }

    [Property]
    public void Without_new_evidence_evidence_never_grows(History h)
    {
        var model = Build(h, inArrivalOrder: true);
        var t1 = Signals.T0.AddDays(7);
        var t2 = End(h);

        var earlier = Engine.Evaluate(model, t1).ToDictionary(b => b.Key, b => b.Evidence);
        Assert.All(Engine.Evaluate(model, t2), b => Assert.True(b.Evidence <= earlier[b.Key] + 1e-12));
    }
}
