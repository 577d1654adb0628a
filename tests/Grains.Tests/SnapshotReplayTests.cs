using Clarity.Engine;
using Clarity.Grains.Interfaces;
using Clarity.Grains.State;
using Microsoft.Extensions.DependencyInjection;

namespace Clarity.Grains.Tests;

/// <summary>
/// Activation in isolation: a snapshot at a known log position plus the log after it gives exactly
/// the model that applying every signal in memory gives.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SnapshotReplayTests(ClusterFixture fixture)
{
    private static SignalData Signal(string id, string type, string category, DateTimeOffset at, double? price = null, double? value = null) => new()
    {
        Id = id,
        Type = type,
        OccurredAt = at,
        Item = new ItemData { Id = "item-" + id, Category = category, Price = price },
        Value = value,
    };

    [Fact]
    public async Task A_snapshot_plus_the_replayed_log_tail_equals_one_engine_applying_every_signal()
    {
        var key = SelfModelKey.For("t1", "replay-" + Guid.NewGuid().ToString("N"));
        var (tenant, user) = SelfModelKey.Parse(key);
        var grain = fixture.Grains.GetGrain<ISelfModelGrain>(key);
        var services = fixture.Cluster.GetSiloServiceProvider();
        var log = services.GetRequiredService<ISignalLog>();
        var at = ClusterFixture.Start;
        SignalData[] head =
        [
            Signal("h1", "view", "home/kitchen/knives", at, price: 80),
            Signal("h2", "view", "home/kitchen/knives", at.AddMinutes(2), price: 95),
            Signal("h3", "purchase", "home/kitchen/knives", at.AddMinutes(10), price: 120),
            Signal("h4", "purchase", "home/bathroom/toilet-seats", at.AddHours(1), price: 39),
        ];
        SignalData[] tail =
        [
            Signal("t1", "view", "home/kitchen/pans", at.AddHours(2), price: 60),
            // Late: older than the newest signal in the snapshot, so the replay must reorder it.
            Signal("t2", "click", "home/kitchen/knives", at.AddMinutes(30)),
            Signal("t3", "rating", "home/kitchen/pans", at.AddHours(3), value: 5),
            Signal("t4", "purchase", "home/kitchen/pans", at.AddHours(4), price: 140),
        ];
        using var recorded = new StorageEventRecorder(fixture.Events, key);
        // The head through the grain; deactivation writes the snapshot at the head's last position.
        Assert.Equal(new IngestResult(4, 0), await grain.IngestAsync(head));
        await fixture.Cluster.DeactivateAsync(grain);
        var snapshotAt = Assert.Single(recorded.Snapshots);
        // The tail reaches the log only, as when a silo dies after acknowledging and before the
        // next snapshot.
        var positions = await log.AppendAsync(tenant, user, tail);
        Assert.All(positions, p => Assert.True(p > snapshotAt));

        var model = await grain.GetSelfModelAsync(at.AddDays(1));

        Assert.Equal(2, recorded.Activations.Count);
        Assert.Equal((0L, 0), (recorded.Activations[0].Snapshot, recorded.Activations[0].Replayed.Count));
        var activation = recorded.Activations[1];
        Assert.Equal(snapshotAt, activation.Snapshot);
        Assert.Equal(positions.Select(p => p!.Value), activation.Replayed);
        var engine = services.GetRequiredService<BeliefEngine>();
        var reference = new Clarity.Engine.SelfModel();
        foreach (var signal in head.Concat(tail))
        {
            engine.Apply(reference, signal.ToSignal(engine));
        }
        var expected = engine.Evaluate(reference, at.AddDays(1)).Select(b => b.ToView()).ToList();
        // The late tail signal reads as it would have without the snapshot in between (the
        // reorder window is part of the snapshot): the researcher reading depends on it.
        Assert.Equal(expected, model.Beliefs);
        Assert.Contains(model.Beliefs, b => b.Kind == "researcher");
        Assert.Equal(8, (await grain.ExportAsync()).Signals.Count);

        // Replayed ids are remembered: sending a tail signal again is a duplicate and changes nothing.
        Assert.Equal(new IngestResult(0, 1), await grain.IngestAsync([tail[2]]));
        Assert.Equal(new IngestResult(1, 1), await grain.IngestAsync([head[0], Signal("n1", "view", "books", at.AddHours(5))]));
        Assert.Equal(9, (await grain.ExportAsync()).Signals.Count);
    }
}
