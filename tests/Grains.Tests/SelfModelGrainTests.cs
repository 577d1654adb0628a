using Clarity.Engine.Beliefs;
using Clarity.Grains.Interfaces;

namespace Clarity.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class SelfModelGrainTests(ClusterFixture fixture)
{
    private static SignalData Signal(string id, string type, string category, DateTimeOffset at) => new()
    {
        Id = id,
        Type = type,
        OccurredAt = at,
        Item = new ItemData { Id = "item-" + id, Category = category },
    };

    private ISelfModelGrain NewUser() =>
        fixture.Grains.GetGrain<ISelfModelGrain>(SelfModelKey.For("t1", "user-" + Guid.NewGuid().ToString("N")));

    [Fact]
    public async Task State_survives_deactivation_and_reactivation()
    {
        var grain = NewUser();
        var at = ClusterFixture.Start;
        await grain.IngestAsync([Signal("a", "purchase", "home/kitchen", at), Signal("b", "view", "books", at.AddHours(1))]);
        var before = await grain.GetSelfModelAsync(at.AddDays(1));

        await fixture.Cluster.DeactivateAsync(grain);
        var after = await grain.GetSelfModelAsync(at.AddDays(1));

        Assert.Equal(["books", "home", "home/kitchen"], before.Beliefs.Where(b => b.Kind == "affinity").Select(b => b.Subject).Order());
        Assert.Equal(before.Beliefs, after.Beliefs);
        // Deduplication survives too: the same ids are duplicates after reactivation.
        Assert.Equal(new IngestResult(0, 1), await grain.IngestAsync([Signal("a", "purchase", "home/kitchen", at)]));
    }

    [Fact]
    public async Task Keys_that_look_like_hex_do_not_collide()
    {
        var lower = fixture.Grains.GetGrain<ISelfModelGrain>(SelfModelKey.For("t1", "cafe"));
        var upper = fixture.Grains.GetGrain<ISelfModelGrain>(SelfModelKey.For("t1", "CAFE"));
        var otherTenant = fixture.Grains.GetGrain<ISelfModelGrain>(SelfModelKey.For("t2", "cafe"));

        await lower.IngestAsync([Signal("x", "purchase", "garden", ClusterFixture.Start)]);
        await fixture.Cluster.DeactivateAsync(lower);

        // A purchase without browsing: affinity for garden, and a little evidence against "researcher".
        Assert.Equal(["affinity", "researcher"], (await lower.GetSelfModelAsync(ClusterFixture.Start)).Beliefs.Select(b => b.Kind).Order());
        Assert.Empty((await upper.GetSelfModelAsync(ClusterFixture.Start)).Beliefs);
        Assert.Empty((await otherTenant.GetSelfModelAsync(ClusterFixture.Start)).Beliefs);
    }

    [Fact]
    public async Task The_housekeeping_timer_prunes_decayed_beliefs_and_persists_it()
    {
        var grain = NewUser();
        var key = grain.GetPrimaryKeyString();
        var now = fixture.Clock.GetUtcNow();
        await grain.IngestAsync([Signal("v", "view", "toys", now)]);
        var pruned = new TaskCompletionSource<IReadOnlyList<BeliefChange>>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnHousekept(string grainKey, IReadOnlyList<BeliefChange> changes)
        {
            if (grainKey == key && changes.Any(c => c.Kind == ChangeKind.Pruned))
            {
                pruned.TrySetResult(changes);
            }
        }
        fixture.Events.Housekept += OnHousekept;
        try
        {
            // Years of silence: the next tick finds the view's evidence below the pruning floor.
            fixture.Clock.Advance(TimeSpan.FromDays(3 * 365));
            var changes = await pruned.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Contains(changes, c => c.Kind == ChangeKind.Pruned && c.Key == new BeliefKey(BeliefKind.Affinity, "toys"));
        }
        finally
        {
            fixture.Events.Housekept -= OnHousekept;
        }

        await fixture.Cluster.DeactivateAsync(grain);
        Assert.Empty((await grain.GetSelfModelAsync(now)).Beliefs);
    }

    [Fact]
    public async Task An_invalid_signal_from_an_internal_caller_is_rejected_and_nothing_is_applied()
    {
        var grain = NewUser();
        var good = Signal("ok", "purchase", "garden", ClusterFixture.Start);
        var bad = Signal("bad", "buy", "garden", ClusterFixture.Start);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => grain.IngestAsync([good, bad]));

        Assert.Contains("signals[1].type", error.Message, StringComparison.Ordinal);
        Assert.Empty((await grain.GetSelfModelAsync(ClusterFixture.Start)).Beliefs);
    }
}
