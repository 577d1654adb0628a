using System.Text.Json;
using Clarity.Grains.Interfaces;
using Clarity.Grains.State;
using Microsoft.Extensions.DependencyInjection;

namespace Clarity.Grains.Tests;

/// <summary>Recorded decisions outlive the activation: written behind, read back on demand, bounded, erased.</summary>
[Collection(ClusterCollection.Name)]
public sealed class DurableDecisionsTests(ClusterFixture fixture)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static SignalData Signal(string id, string type, string category, DateTimeOffset at, string? item = null, string? decision = null) => new()
    {
        Id = id,
        Type = type,
        OccurredAt = at,
        Item = new ItemData { Id = item ?? "item-" + id, Category = category, Price = 120 },
        Context = decision is null ? null : new SignalContextData { DecisionId = decision },
    };

    private static RerankCall Call(DateTimeOffset asOf) => new()
    {
        Candidates =
        [
            new CandidateData { Id = "book", Category = "books/fiction", Score = 0.9 },
            new CandidateData { Id = "knife", Category = "home/kitchen/knives", Score = 0.85 },
            new CandidateData { Id = "pen", Category = "office/pens", Score = 0.1 },
        ],
        AsOf = asOf,
    };

    private IDecisionStore Store => fixture.Cluster.GetSiloServiceProvider().GetRequiredService<IDecisionStore>();

    private (ISelfModelGrain Grain, string User) NewUser()
    {
        var user = "decisions-" + Guid.NewGuid().ToString("N");
        return (fixture.Grains.GetGrain<ISelfModelGrain>(SelfModelKey.For("t1", user)), user);
    }

    private async Task<ISelfModelGrain> KitchenLoverAsync()
    {
        var (grain, _) = NewUser();
        var at = ClusterFixture.Start;
        await grain.IngestAsync([
            Signal("k1", "purchase", "home/kitchen/knives", at, item: "k1"),
            Signal("k2", "purchase", "home/kitchen/knives", at.AddMinutes(5), item: "k2"),
            Signal("k3", "click", "home/kitchen/knives", at.AddMinutes(9), item: "k3"),
        ]);
        return grain;
    }

    [Fact]
    public async Task A_decision_reads_the_same_after_deactivation_and_its_feedback_still_counts()
    {
        var grain = await KitchenLoverAsync();
        var at = ClusterFixture.Start;
        var answer = await grain.RerankAsync(Call(at.AddHours(1)));
        var before = await grain.GetDecisionAsync(answer.DecisionId);
        Assert.NotNull(before);
        Assert.Contains(answer.Items.Single(i => i.Id == "knife").Reasons, r => r.Effect > 0);

        await fixture.Cluster.DeactivateAsync(grain);
        var after = await grain.GetDecisionAsync(answer.DecisionId);

        Assert.NotNull(after);
        Assert.Equal(JsonSerializer.Serialize(before, Json), JsonSerializer.Serialize(after, Json));

        // Feedback after the reactivation finds the decision's drivers: the ignored knife blames the belief.
        var booster = answer.Items.Single(i => i.Id == "knife").Reasons.First(r => r.Effect > 0);
        await grain.IngestAsync([Signal("imp", "impression", "home/kitchen/knives", at.AddHours(2), item: "knife", decision: answer.DecisionId)]);
        var belief = await grain.GetBeliefAsync(booster.BeliefId, at.AddHours(2));
        Assert.Contains(belief!.Trail!, t => t.SignalId == "imp" && t.Note == $"feedback on {answer.DecisionId}");
    }

    [Fact]
    public async Task A_rerank_writes_nothing_but_a_signal_answering_it_stores_the_decision_before_it_is_logged()
    {
        var grain = await KitchenLoverAsync();
        var (tenant, user) = SelfModelKey.Parse(grain.GetPrimaryKeyString());
        var at = ClusterFixture.Start;
        var answer = await grain.RerankAsync(Call(at.AddHours(1)));

        Assert.Empty(await Store.ReadAsync(tenant, user, 100));

        await grain.IngestAsync([Signal("click", "click", "home/kitchen/knives", at.AddHours(2), item: "knife", decision: answer.DecisionId)]);

        var stored = Assert.Single(await Store.ReadAsync(tenant, user, 100));
        Assert.Equal(answer.DecisionId, stored.DecisionId);
    }

    [Fact]
    public async Task The_last_hundred_decisions_are_kept_and_feedback_replayed_from_the_log_finds_its_decision()
    {
        var grain = await KitchenLoverAsync();
        var (tenant, user) = SelfModelKey.Parse(grain.GetPrimaryKeyString());
        var at = ClusterFixture.Start;
        var ids = new List<string>();
        for (var i = 0; i < 101; i++)
        {
            ids.Add((await grain.RerankAsync(Call(at.AddHours(1).AddMinutes(i)))).DecisionId);
        }
        Assert.Equal(101, ids.Distinct().Count());
        await fixture.Cluster.DeactivateAsync(grain);
        // A signal answering the newest decision that reached the log but no snapshot (as after a
        // crash): the next activation replays it against the stored decision.
        var feedback = Signal("imp", "impression", "home/kitchen/knives", at.AddHours(3), item: "knife", decision: ids[^1]);
        await fixture.Cluster.GetSiloServiceProvider().GetRequiredService<ISignalLog>().AppendAsync(tenant, user, [feedback]);
        // The same user history and decision, with the feedback applied live and never replayed.
        var twin = await KitchenLoverAsync();
        var twinDecision = await twin.RerankAsync(Call(at.AddHours(1).AddMinutes(100)));
        await twin.IngestAsync([feedback with { Context = new SignalContextData { DecisionId = twinDecision.DecisionId } }]);

        var replayed = await grain.GetSelfModelAsync(at.AddHours(4));

        Assert.Equal((await twin.GetSelfModelAsync(at.AddHours(4))).Beliefs, replayed.Beliefs);
        Assert.Contains(replayed.Beliefs, b => b.Contradictions > 0);
        Assert.Equal(ids.Skip(1), (await Store.ReadAsync(tenant, user, 1000)).Select(d => d.DecisionId));
        Assert.Null(await grain.GetDecisionAsync(ids[0]));
        Assert.NotNull(await grain.GetDecisionAsync(ids[1]));
        Assert.Equal(ids.Skip(1), (await grain.ExportAsync()).Decisions.Select(d => d.DecisionId));
    }

    [Fact]
    public async Task Erasure_deletes_the_stored_decisions()
    {
        var grain = await KitchenLoverAsync();
        var (tenant, user) = SelfModelKey.Parse(grain.GetPrimaryKeyString());
        var answer = await grain.RerankAsync(Call(ClusterFixture.Start.AddHours(1)));
        await fixture.Cluster.DeactivateAsync(grain);
        Assert.Single(await Store.ReadAsync(tenant, user, 100));

        await grain.EraseAsync();

        Assert.Empty(await Store.ReadAsync(tenant, user, 100));
        Assert.Null(await grain.GetDecisionAsync(answer.DecisionId));
        Assert.Empty((await grain.ExportAsync()).Decisions);
    }
}
