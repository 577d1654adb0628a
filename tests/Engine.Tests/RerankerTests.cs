using Clarity.Engine.Ranking;
using Clarity.Engine.Signals;
using static Clarity.Engine.Tests.Signals;

namespace Clarity.Engine.Tests;

public sealed class RerankerTests
{
    private static readonly BeliefEngine Engine = new(new EngineOptions());
    private static readonly Reranker Reranker = new(Engine);

    private static SelfModel KitchenLover()
    {
        var model = new SelfModel();
        Engine.Apply(model, Make(SignalType.Purchase, "home/kitchen/knives", T0));
        Engine.Apply(model, Make(SignalType.Purchase, "home/kitchen/knives", T0.AddDays(1)));
        Engine.Apply(model, Make(SignalType.AddToCart, "home/kitchen/pans", T0.AddDays(2)));
        return model;
    }

    private static readonly Candidate[] Candidates =
    [
        new("seat-1", "home/bathroom/toilet-seats", 0.9),
        new("book-1", "books/fiction", 0.8),
        new("knife-1", "home/kitchen/knives", 0.7),
        new("book-2", "books/poetry", 0.4),
        new("pan-1", "home/kitchen/pans", 0.3),
    ];

    [Fact]
    public void Equal_scores_keep_upstream_order_and_higher_scores_lead()
    {
        // Ties (equal upstream scores, no belief touching them) must keep the client's order; the
        // reranker sorts integer keys and then orders ties by position, which this pins down.
        Candidate[] candidates =
        [
            new("a", "books/fiction", 0.5), new("b", "books/fiction", 0.5), new("c", "garden/tools", 0.9),
            new("d", "books/poetry", 0.5), new("e", "garden/tools", 0.1), new("f", "books/poetry", 0.5),
        ];

        var result = Reranker.Rerank(new SelfModel(), new RerankRequest(candidates, T0));

        Assert.Equal(["c", "a", "b", "d", "f", "e"], result.Items.Select(i => i.Id));
        Assert.Equal([1, 2, 3, 4, 5, 6], result.Items.Select(i => i.Rank));
    }

    [Fact]
    public void Affinity_lifts_the_liked_category_with_a_reason()
    {
        var result = Reranker.Rerank(KitchenLover(), new RerankRequest(Candidates, T0.AddDays(3)));

        Assert.Equal(["seat-1", "knife-1", "book-1"], result.Items.Take(3).Select(i => i.Id));
        var reason = Assert.Single(result.Items[1].Reasons);
        Assert.Equal("Interested in knives (home, kitchen)", reason.Statement);
        Assert.True(reason.Effect > 0);
    }

    [Fact]
    public void Untouched_items_keep_their_upstream_relative_order()
    {
        var result = Reranker.Rerank(KitchenLover(), new RerankRequest(Candidates, T0.AddDays(3)));

        var untouched = result.Items.Where(i => i.Reasons.Count == 0).Select(i => i.Id).ToList();
        Assert.Equal(["book-1", "book-2"], untouched);
        // The toilet seat is touched: with no bathroom belief, it backs off to the "home" affinity.
        Assert.Equal("Interested in home", Assert.Single(result.Items.Single(i => i.Id == "seat-1").Reasons).Statement);
    }

    [Fact]
    public void Each_score_is_the_base_score_plus_the_sum_of_its_reasons()
    {
        var result = Reranker.Rerank(KitchenLover(), new RerankRequest(Candidates, T0.AddDays(3)));

        Assert.All(result.Items, item => Assert.Equal(item.BaseScore + item.Reasons.Sum(r => r.Effect), item.Score, 12));
        var baseScores = result.Items.OrderBy(i => Array.FindIndex(Candidates, c => c.Id == i.Id)).Select(i => i.BaseScore).ToList();
        Assert.Equal([1.0, 5.0 / 6, 4.0 / 6, 1.0 / 6, 0.0], baseScores, (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void The_same_request_on_the_same_model_answers_the_same()
    {
        var model = KitchenLover();
        var request = new RerankRequest(Candidates, T0.AddDays(3));

        var first = Reranker.Rerank(model, request);
        var second = Reranker.Rerank(model, request);

        Assert.Equal(first.Items, second.Items, (a, b) => a.Id == b.Id && a.Score == b.Score && a.Reasons.SequenceEqual(b.Reasons));
    }

    [Fact]
    public void Without_scores_list_order_is_the_score_and_limit_cuts()
    {
        var unscored = Candidates.Select(c => c with { Score = null }).ToList();
        var result = Reranker.Rerank(new SelfModel(), new RerankRequest(unscored, T0, Limit: 2));

        Assert.Equal(["seat-1", "book-1"], result.Items.Select(i => i.Id));
        Assert.Equal([1, 2], result.Items.Select(i => i.Rank));
        Assert.Equal([1.0, 0.8], result.Items.Select(i => i.BaseScore));
    }

    [Fact]
    public void Scores_a_hair_apart_are_ordered_exactly()
    {
        // The sort packs each item's upstream index into the lowest bits of its score key; scores that
        // differ only in those bits must still come out by score, then by upstream position. With 0
        // and 1 among the upstream scores, the normalised scores are the upstream scores exactly.
        var half = 0.5;
        var above = Math.BitIncrement(half);
        var above2 = Math.BitIncrement(above);
        Candidate[] candidates =
        [
            new("a", "books/fiction", half), new("b", "books/fiction", above), new("c", "books/fiction", 1.0),
            new("d", "books/fiction", above2), new("e", "books/fiction", half), new("f", "books/fiction", 0.0),
            new("g", "books/fiction", above),
        ];

        var result = Reranker.Rerank(new SelfModel(), new RerankRequest(candidates, T0));

        Assert.Equal(["c", "d", "b", "g", "a", "e", "f"], result.Items.Select(i => i.Id));
        Assert.Equal([1.0, above2, above, above, half, half, 0.0], result.Items.Select(i => i.Score));
    }

    [Fact]
    public void An_item_gets_the_same_reasons_whatever_else_is_in_the_request()
    {
        // Beliefs are looked up key by key for a request with few categories and noted all at once for
        // a request with many (the cheaper way for each, switching at 8 beliefs per category); both
        // must read the model the same way.
        var model = KitchenLover();
        string[] others = ["books/fiction", "books/poetry", "garden/tools", "garden/seeds", "sports/running", "toys/lego"];
        var at = T0.AddDays(3);
        foreach (var category in others)
        {
            Engine.Apply(model, Make(SignalType.Purchase, category, at = at.AddHours(1), price: 20));
            Engine.Apply(model, Make(SignalType.AddToCart, category, at = at.AddHours(1), price: 30));
        }
        Assert.InRange(model.Beliefs.Count, 9, 8 * (others.Length + 1));
        Candidate[] kitchen =
        [
            new("knife-1", "home/kitchen/knives", 1.0, 25), new("knife-2", "home/kitchen/knives", 0.6, 90),
            new("knife-3", "home/kitchen/knives", 0.0),
        ];
        Candidate[] many = [.. kitchen, .. others.Select((c, i) => new Candidate($"o-{i}", c, 0.5, 25))];

        var alone = Reranker.Rerank(model, new RerankRequest(kitchen, at.AddDays(1)));
        var among = Reranker.Rerank(model, new RerankRequest(many, at.AddDays(1)));

        Assert.Contains(alone.Items, i => i.Reasons.Count > 0);
        foreach (var item in alone.Items)
        {
            var same = among.Items.Single(i => i.Id == item.Id);
            Assert.Equal(item.Score, same.Score);
            Assert.Equal(item.Reasons, same.Reasons);
        }
    }
}
