using Clarity.Engine.Beliefs;
using Clarity.Engine.Ranking;
using Clarity.Engine.Signals;
using static Clarity.Engine.Tests.Signals;

namespace Clarity.Engine.Tests;

/// <summary>The user's word: confirm, reject, forget and stated answers, and the ranking of statements.</summary>
public sealed class CorrectionsTests
{
    private static readonly BeliefEngine Engine = new(new EngineOptions());
    private static readonly Reranker Reranker = new(Engine);
    private static readonly BeliefKey Knives = new(BeliefKind.Affinity, "home/kitchen/knives");
    private static readonly DateTimeOffset Now = T0.AddDays(3);

    private static readonly Candidate[] Candidates =
    [
        new("book-1", "books/fiction", 0.9),
        new("garden-1", "garden/tools", 0.8),
        new("knife-1", "home/kitchen/knives", 0.7),
    ];

    // Each knife purchase is a distinct event; the builders give each a fresh id.
    private static Signal[] KnifeHistory() =>
    [
        Make(SignalType.Purchase, "home/kitchen/knives", T0, id: "k1"),
        Make(SignalType.Purchase, "home/kitchen/knives", T0.AddDays(1), id: "k2"),
    ];

    private static SelfModel KnifeBuyer()
    {
        var model = new SelfModel();
        foreach (var signal in KnifeHistory())
        {
            Engine.Apply(model, signal);
        }
        return model;
    }

    private static BeliefSnapshot Snapshot(SelfModel model, BeliefKey key, DateTimeOffset asOf) =>
        Engine.Evaluate(model, asOf).Single(b => b.Key == key);

    private static IEnumerable<string> ReasonIds(RerankResult result) =>
        result.Items.SelectMany(i => i.Reasons).Concat(result.Suppressed.SelectMany(s => s.Reasons)).Select(r => r.BeliefId);

    [Fact]
    public void A_rejected_belief_stops_influencing_reranks_at_once()
    {
        var model = KnifeBuyer();
        Assert.Contains(Knives.Id(), ReasonIds(Reranker.Rerank(model, new RerankRequest(Candidates, Now))));

        var rejected = Engine.Reject(model, Knives.Id(), Now)!;

        Assert.Equal(BeliefSource.Corrected, rejected.Belief.Source);
        Assert.Equal(UserVerdict.Rejected, rejected.Belief.Correction!.Verdict);
        Assert.Equal(BeliefStatus.Dormant, rejected.Status);
        Assert.Equal(1 - Engine.Options.Corrections.StatedConfidence, rejected.Confidence, 12);
        Assert.Equal(0, rejected.Evidence);
        Assert.Equal("Interested in knives (home, kitchen)", rejected.Statement);
        Assert.DoesNotContain(Knives.Id(), ReasonIds(Reranker.Rerank(model, new RerankRequest(Candidates, Now))));
    }

    [Fact]
    public void Replaying_the_old_evidence_does_not_bring_a_rejected_belief_back()
    {
        var model = KnifeBuyer();
        Engine.Reject(model, Knives.Id(), Now);

        // The same ids are duplicates; the same events under new ids (a client re-sync) are old evidence.
        foreach (var signal in KnifeHistory())
        {
            Assert.False(Engine.Apply(model, signal));
            Assert.True(Engine.Apply(model, signal with { Id = signal.Id + "-resent" }));
        }

        var after = Snapshot(model, Knives, Now);
        Assert.Equal(UserVerdict.Rejected, after.Belief.Correction!.Verdict);
        Assert.Equal(0, after.Evidence);
        Assert.Equal(0, after.Belief.Observations);
        Assert.DoesNotContain(Knives.Id(), ReasonIds(Reranker.Rerank(model, new RerankRequest(Candidates, Now))));
    }

    [Fact]
    public void A_rejected_belief_built_in_the_reorder_window_is_unchanged_by_a_rebuild()
    {
        // Both purchases are still in the reorder window when the user rejects the belief, so the
        // folded state has no knife evidence; a late signal then rebuilds the current state from it.
        var model = KnifeBuyer();
        Engine.Reject(model, Knives.Id(), Now);
        var before = Describe(model.Beliefs[Knives]);

        Assert.True(Engine.Apply(model, Make(SignalType.View, "books/fiction", T0.AddHours(12), id: "late")));

        Assert.Equal(before, Describe(model.Beliefs[Knives]));
        Assert.Equal(T0.AddDays(1), model.Beliefs[Knives].LastObservedAt);
    }

    private static string Describe(Belief b) =>
        $"first {b.FirstObservedAt:o} last {b.LastObservedAt:o} status {b.Status} holds {b.Holds} source {b.Source} " +
        $"verdict {b.Correction?.Verdict} observations {b.Observations}/{b.Contradictions} support {b.Support} against {b.Against} " +
        $"expected {b.ExpectedAt:o} trail {string.Join(",", b.Trail.Select(t => t.SignalId))}";

    [Fact]
    public void Only_clearly_new_evidence_brings_a_rejected_belief_back_as_a_new_inference()
    {
        var model = KnifeBuyer();
        Engine.Reject(model, Knives.Id(), Now);

        Engine.Apply(model, Make(SignalType.Purchase, "home/kitchen/knives", Now.AddDays(1), id: "new-1"));
        var weak = Snapshot(model, Knives, Now.AddDays(1));
        Assert.Equal(UserVerdict.Rejected, weak.Belief.Correction?.Verdict);
        Assert.Equal(BeliefStatus.Dormant, weak.Status);

        Engine.Apply(model, Make(SignalType.Purchase, "home/kitchen/knives", Now.AddDays(2), id: "new-2"));
        var back = Snapshot(model, Knives, Now.AddDays(2));

        Assert.Null(back.Belief.Correction);
        Assert.Equal(BeliefSource.Inferred, back.Belief.Source);
        Assert.Equal(BeliefStatus.Active, back.Status);
        Assert.Equal(2, back.Belief.Observations);
        Assert.Equal("inferred again from new evidence after it was rejected", back.Belief.Trail[0].Note);
        Assert.Contains(Knives.Id(), ReasonIds(Reranker.Rerank(model, new RerankRequest(Candidates, Now.AddDays(2)))));
    }

    [Fact]
    public void A_confirmed_belief_keeps_the_users_confidence_against_contradicting_inference()
    {
        var model = KnifeBuyer();
        var confirmed = Engine.Confirm(model, Knives.Id(), Now)!;
        Assert.Equal(BeliefSource.Corrected, confirmed.Belief.Source);
        Assert.Equal(Engine.Options.Corrections.StatedConfidence, confirmed.Confidence, 12);

        Engine.Apply(model, Make(SignalType.Return, "home/kitchen/knives", Now.AddDays(1)));
        Engine.Apply(model, Make(SignalType.Dismiss, "home/kitchen/knives", Now.AddDays(1)));

        var after = Snapshot(model, Knives, Now.AddDays(1));
        Assert.Equal(Engine.Options.Corrections.StatedConfidence, after.Confidence, 12);
        Assert.True(after.Holds);
        Assert.Equal(BeliefStatus.Active, after.Status);
    }

    [Fact]
    public void A_forgotten_belief_is_gone_and_its_old_evidence_cannot_recreate_it()
    {
        var model = KnifeBuyer();
        Assert.True(Engine.Forget(model, Knives.Id(), Now));
        Assert.False(model.TryGet(Knives, out _));
        Assert.False(Engine.Forget(model, Knives.Id(), Now));

        foreach (var signal in KnifeHistory())
        {
            Engine.Apply(model, signal with { Id = signal.Id + "-resent" });
        }
        Assert.False(model.TryGet(Knives, out _));

        Engine.Apply(model, Make(SignalType.View, "home/kitchen/knives", Now.AddDays(1)));
        var fresh = Snapshot(model, Knives, Now.AddDays(1));
        Assert.Equal(BeliefSource.Inferred, fresh.Belief.Source);
        Assert.Equal(1, fresh.Belief.Observations);
    }

    [Fact]
    public void Stated_answers_move_a_new_users_reranks()
    {
        var model = new SelfModel();
        // Upstream scores close together, as a recommender's top candidates often are.
        Candidate[] candidates =
        [
            new("book-1", "books/fiction", 0.90),
            new("garden-1", "garden/tools", 0.88),
            new("knife-1", "home/kitchen/knives", 0.86),
            new("toy-1", "toys", 0.10),
        ];
        var upstream = Reranker.Rerank(model, new RerankRequest(candidates, Now));
        Assert.Equal(["book-1", "garden-1", "knife-1", "toy-1"], upstream.Items.Select(i => i.Id));

        Engine.State(model, new BeliefKey(BeliefKind.Affinity, "home/kitchen"), holds: true, Now);
        Engine.State(model, new BeliefKey(BeliefKind.Affinity, "books"), holds: false, Now);
        var stated = Snapshot(model, new BeliefKey(BeliefKind.Affinity, "books"), Now);
        var result = Reranker.Rerank(model, new RerankRequest(candidates, Now));

        Assert.Equal(BeliefSource.Stated, stated.Belief.Source);
        Assert.Equal("Not interested in books", stated.Statement);
        Assert.Equal(["knife-1", "garden-1", "book-1", "toy-1"], result.Items.Select(i => i.Id));
        Assert.True(result.Items[0].Reasons.Single().Effect > 0);
        Assert.Empty(result.Items[1].Reasons);
        Assert.True(result.Items[2].Reasons.Single().Effect < 0);
    }

    [Fact]
    public void A_stated_answer_outranks_inference_until_the_user_changes_it()
    {
        var model = KnifeBuyer();
        Engine.State(model, Knives, holds: false, Now);
        for (var i = 0; i < 5; i++)
        {
            Engine.Apply(model, Make(SignalType.Purchase, "home/kitchen/knives", Now.AddDays(1 + i)));
        }
        var overruled = Snapshot(model, Knives, Now.AddDays(6));
        Assert.False(overruled.Holds);
        Assert.Equal(1 - Engine.Options.Corrections.StatedConfidence, overruled.Confidence, 12);

        Engine.State(model, Knives, holds: true, Now.AddDays(7));
        Assert.True(Snapshot(model, Knives, Now.AddDays(7)).Holds);
    }

    [Fact]
    public void Statements_rank_uncertain_and_consequential_first_and_answered_last()
    {
        var model = KnifeBuyer();
        StatementTarget[] targets =
        [
            new("st-books", new BeliefKey(BeliefKind.Affinity, "books")),
            new("st-garden", new BeliefKey(BeliefKind.Affinity, "garden")),
            new("st-kitchen", new BeliefKey(BeliefKind.Affinity, "home/kitchen")),
            new("st-knives", Knives),
        ];
        Engine.State(model, new BeliefKey(BeliefKind.Affinity, "books"), holds: true, Now);

        var ranked = Engine.RankStatements(model, targets, Now);

        // The kitchen is where this user shops but Clarity is unsure there; the knives belief is
        // already confident; garden is unknown but nothing of the user's lies there; books is answered.
        Assert.Equal(["st-kitchen", "st-knives", "st-garden", "st-books"], ranked.Select(r => r.StatementId));
        Assert.Equal(0, ranked[^1].Value);
        Assert.Equal(UserVerdict.Stated, ranked[^1].Answer!.Verdict);
        Assert.All(ranked.Take(3), r => Assert.True(r.Value > 0));

        // With nothing known, every statement is worth the same and catalogue order stands.
        var fresh = Engine.RankStatements(new SelfModel(), targets, Now);
        Assert.Equal(targets.Select(t => t.StatementId), fresh.Select(r => r.StatementId));
    }
}
