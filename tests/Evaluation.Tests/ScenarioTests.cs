using Clarity.Engine.Beliefs;
using Clarity.Engine.Signals;
using Clarity.Evaluation.Scenarios;

namespace Clarity.Evaluation.Tests;

public class ScenarioTests
{
    private static readonly Catalog Catalog = new();

    private static List<SimUser> Simulate(int users, int seed) =>
        new Simulator(Catalog, new ScenarioSettings(users, seed)).Generate();

    [Fact]
    public void The_same_seed_gives_the_same_streams_and_a_user_does_not_depend_on_how_many_are_simulated()
    {
        var a = Simulate(16, 5);
        var b = Simulate(24, 5);
        var c = Simulate(16, 6);

        for (var i = 0; i < 16; i++)
        {
            Assert.Equal(a[i].Events, b[i].Events);
        }
        Assert.NotEqual(a[0].Events, c[0].Events);
    }

    [Fact]
    public void Streams_hold_every_signal_type_and_every_archetype_in_event_time_order()
    {
        var users = Simulate(32, 42);

        Assert.Equal(Enum.GetValues<Archetype>().Length, users.Select(u => u.Archetype).Distinct().Count());
        var types = users.SelectMany(u => u.Events).Select(e => e.Type).ToHashSet();
        Assert.Equal(Enum.GetValues<SignalType>().ToHashSet(), types);
        Assert.All(users, u => Assert.True(u.Events.Zip(u.Events.Skip(1)).All(p => p.First.Day <= p.Second.Day)));
        Assert.All(users.SelectMany(u => u.Events).Where(e => e.Type == SignalType.Purchase), e => Assert.True(e.Value > 0));
        Assert.Contains(users.SelectMany(u => u.Events), e => e.Gift);
    }

    [Fact]
    public void Durable_categories_are_never_rebought_and_replenishers_rebuy_at_their_interval()
    {
        var users = Simulate(64, 42);

        foreach (var u in users)
        {
            var durable = u.Events.Where(e => e.Type == SignalType.Purchase && Catalog.CategoryOf(e.Item).Role == CategoryRole.Durable)
                .Select(e => Catalog.Items[e.Item].Category).ToList();
            Assert.Equal(durable.Count, durable.Distinct().Count());
            if (u.ReplenishItem >= 0)
            {
                var days = u.Events.Where(e => e.Type == SignalType.Purchase && e.Item == u.ReplenishItem).Select(e => e.Day).ToList();
                var gaps = days.Zip(days.Skip(1), (x, y) => y - x).ToList();
                Assert.InRange(gaps.Average(), u.ReplenishInterval * 0.85, u.ReplenishInterval * 1.15);
            }
        }
    }

    [Fact]
    public void Durability_learned_from_training_purchases_finds_exactly_the_durable_categories()
    {
        var users = Simulate(160, 42);

        var learned = ScenarioEvaluator.LearnDurable(Catalog, users, 310);

        Assert.Equal(Catalog.Of(CategoryRole.Durable).ToHashSet(), learned.Set);
    }

    [Fact]
    public void Truth_follows_the_latent_parameters()
    {
        var simulator = new Simulator(Catalog, new ScenarioSettings(16, 42));
        var users = simulator.Generate();

        var taste = users.First(u => u.Archetype == Archetype.TasteChange);
        var late = simulator.TruthAt(taste, 310);
        Assert.All(taste.LikedAfter, c => Assert.Contains(late, t => t.Kind == BeliefKind.Affinity && t.Holds && t.Subject == Catalog.Categories[c].Path));
        Assert.All(taste.LikedBefore, c => Assert.Contains(late, t => t.Kind == BeliefKind.Affinity && !t.Holds && t.Subject == Catalog.Categories[c].Path));
        var early = simulator.TruthAt(taste, 1);
        Assert.DoesNotContain(early, t => t.Kind == BeliefKind.Affinity && !t.Holds);

        var ignorer = users.First(u => u.Archetype == Archetype.Ignorer);
        Assert.Contains(simulator.TruthAt(ignorer, 310), t => t.Kind == BeliefKind.Affinity && !t.Holds && t.Subject == Catalog.Categories[ignorer.Ignored].Path);

        var replacement = users.First(u => u.Archetype == Archetype.ReplacementBuyer);
        Assert.Contains(simulator.TruthAt(replacement, 310), t => t.Kind == BeliefKind.Satiation && t.Holds);
        var premium = users.First(u => u.Archetype == Archetype.PremiumBuyer);
        Assert.Contains(simulator.TruthAt(premium, 310), t => t.Kind == BeliefKind.PriceTier && t.Holds && t.Subject.StartsWith("premium@", StringComparison.Ordinal));

        // The traits of one archetype are false statements about everyone else's liked categories.
        Assert.Contains(simulator.TruthAt(taste, 310), t => t.Kind == BeliefKind.PriceTier && !t.Holds);
        Assert.DoesNotContain(simulator.TruthAt(premium, 310), t => t.Kind == BeliefKind.PriceTier && !t.Holds);
        var researcher = users.First(u => u.Archetype == Archetype.Researcher);
        Assert.All(simulator.TruthAt(researcher, 310).Where(t => t.Kind == BeliefKind.Researcher), t => Assert.True(t.Holds));
        Assert.Contains(simulator.TruthAt(replacement, 310), t => t.Kind == BeliefKind.Researcher && !t.Holds);
    }

    [Fact]
    public void Discrimination_is_the_chance_a_true_statement_outscores_a_false_one()
    {
        Assert.Equal(1.0, ScenarioEvaluator.Auc([(0.9, true), (0.8, true), (0.3, false), (0.1, false)]));
        Assert.Equal(0.0, ScenarioEvaluator.Auc([(0.1, true), (0.9, false)]));
        Assert.Equal(0.5, ScenarioEvaluator.Auc([(0.4, true), (0.4, false), (0.4, false)]));
        // True 0.7 beats both false; true 0.2 beats 0.1 and loses to 0.5: 3 of 4 pairs.
        Assert.Equal(0.75, ScenarioEvaluator.Auc([(0.7, true), (0.2, true), (0.5, false), (0.1, false)]));
        // One class only: undefined.
        Assert.True(double.IsNaN(ScenarioEvaluator.Auc([(0.7, true), (0.2, true)])));
    }

    [Fact]
    public void Engine_subjects_match_truths_at_any_level_of_the_tree_except_affinity()
    {
        Assert.True(ScenarioEvaluator.SubjectMatches(BeliefKind.Satiation, "electronics", "electronics/tv"));
        Assert.True(ScenarioEvaluator.SubjectMatches(BeliefKind.Researcher, "electronics/tv", "electronics"));
        Assert.False(ScenarioEvaluator.SubjectMatches(BeliefKind.Affinity, "electronics", "electronics/tv"));
        Assert.True(ScenarioEvaluator.SubjectMatches(BeliefKind.PriceTier, "premium@home", "premium@home"));
        Assert.False(ScenarioEvaluator.SubjectMatches(BeliefKind.PriceTier, "budget@home", "premium@home"));
    }
}

public class TenantKnowledgeTests
{
    [Fact]
    public void Category_attributes_learned_before_the_cut_match_the_catalog_roles()
    {
        var catalog = new Catalog();
        var users = new Simulator(catalog, new ScenarioSettings(160, 42)).Generate();

        var attributes = ScenarioEvaluator.TenantCategories(catalog, users, 310);

        foreach (var c in catalog.Categories)
        {
            var a = attributes[c.Path];
            Assert.Equal(c.Role == CategoryRole.Durable, a.Durable);
            Assert.Equal(c.Role == CategoryRole.Replenishable, a.Replenishable);
            Assert.Equal(c.Role == CategoryRole.Media, a.Consumable);
            Assert.Equal(c.BasePrice, a.UsualPrice);
        }
    }
}
