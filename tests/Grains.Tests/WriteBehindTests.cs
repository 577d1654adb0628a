using Clarity.Engine.Beliefs;
using Clarity.Grains.Interfaces;
using Clarity.Grains.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Clarity.Grains.Tests;

/// <summary>
/// When the state is written: after changes, behind the caller on the write-behind timer; never
/// because an activation only read what the log already holds.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class WriteBehindTests(ClusterFixture fixture)
{
    private static SignalData Purchase(string id, string category, DateTimeOffset at) => new()
    {
        Id = id,
        Type = "purchase",
        OccurredAt = at,
        Item = new ItemData { Id = "item-" + id, Category = category, Price = 30 },
    };

    [Fact]
    public async Task A_reactivation_that_replays_a_short_log_tail_writes_no_snapshot_and_replays_it_again_next_time()
    {
        var key = SelfModelKey.For("t1", "reader-" + Guid.NewGuid().ToString("N"));
        var (tenant, user) = SelfModelKey.Parse(key);
        var grain = fixture.Grains.GetGrain<ISelfModelGrain>(key);
        var log = fixture.Cluster.GetSiloServiceProvider().GetRequiredService<ISignalLog>();
        var at = ClusterFixture.Start;
        // As the load tool seeds a population, and as a restart finds users whose snapshot is behind.
        var positions = await log.AppendAsync(tenant, user, [Purchase("a", "books", at), Purchase("b", "garden", at.AddHours(1)), Purchase("c", "toys", at.AddHours(2))]);
        using var recorded = new StorageEventRecorder(fixture.Events, key);
        Assert.Equal(3, (await grain.GetSelfModelAsync(at.AddDays(1))).Beliefs.Count(b => b.Kind == "affinity"));
        // Deactivation writes what is dirty; a replayed short tail is not.
        await fixture.Cluster.DeactivateAsync(grain);
        Assert.Equal(3, (await grain.GetSelfModelAsync(at.AddDays(1))).Beliefs.Count(b => b.Kind == "affinity"));
        await fixture.Cluster.DeactivateAsync(grain);

        Assert.Empty(recorded.Snapshots);
        var replayed = positions.Select(p => p!.Value).ToList();
        Assert.Equal(2, recorded.Activations.Count);
        Assert.All(recorded.Activations, a =>
        {
            Assert.Equal(0L, a.Snapshot);
            Assert.Equal(replayed, a.Replayed);
        });
    }

    [Fact]
    public async Task Changes_are_written_behind_by_the_timer_also_after_a_quiet_tick_stopped_it()
    {
        var period = Options.SnapshotPeriod;
        var key = SelfModelKey.For("t1", "writer-" + Guid.NewGuid().ToString("N"));
        var grain = fixture.Grains.GetGrain<ISelfModelGrain>(key);
        var at = fixture.Clock.GetUtcNow();
        var written = new List<TaskCompletionSource<long>> { NewSignal(), NewSignal() };
        void OnSnapshotted(string grainKey, long position)
        {
            if (grainKey == key)
            {
                written.First(w => !w.Task.IsCompleted).TrySetResult(position);
            }
        }
        fixture.Events.Snapshotted += OnSnapshotted;
        try
        {
            Assert.Equal(new IngestResult(1, 0), await grain.IngestAsync([Purchase("w1", "books", at)]));
            var first = await TickUntilAsync(grain, written[0].Task);

            // After a tick with nothing left to write the timer stops; the next change starts it.
            fixture.Clock.Advance(period);
            await grain.GetSelfModelAsync(null);
            Assert.Equal(new IngestResult(1, 0), await grain.IngestAsync([Purchase("w2", "garden", at.AddMinutes(1))]));
            var second = await TickUntilAsync(grain, written[1].Task);

            Assert.True(second > first, $"the second snapshot includes the second signal ({first} then {second})");
        }
        finally
        {
            fixture.Events.Snapshotted -= OnSnapshotted;
        }

        static TaskCompletionSource<long> NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    [Fact]
    public async Task The_write_behind_writes_a_few_changes_only_once_they_are_SnapshotMaxAge_old()
    {
        var key = SelfModelKey.For("t1", "write-behind-" + Guid.NewGuid().ToString("N"));
        var grain = fixture.Grains.GetGrain<ISelfModelGrain>(key);
        var snapshotted = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSnapshotted(string grainKey, long position)
        {
            if (grainKey == key)
            {
                snapshotted.TrySetResult(fixture.Clock.GetUtcNow());
            }
        }
        fixture.Events.Snapshotted += OnSnapshotted;
        try
        {
            var changedAt = fixture.Clock.GetUtcNow();
            Assert.Equal(new IngestResult(1, 0), await grain.IngestAsync([Purchase("m1", "garden/tools", changedAt)]));

            var writtenAt = await TickUntilAsync(grain, snapshotted.Task);

            Assert.True(writtenAt - changedAt >= Options.SnapshotMaxAge, $"snapshot written {writtenAt - changedAt} after the change");
        }
        finally
        {
            fixture.Events.Snapshotted -= OnSnapshotted;
        }
    }

    [Fact]
    public async Task One_timer_serves_both_the_write_behind_and_housekeeping_on_their_own_schedules()
    {
        var key = SelfModelKey.For("t1", "one-timer-" + Guid.NewGuid().ToString("N"));
        var grain = fixture.Grains.GetGrain<ISelfModelGrain>(key);
        var activatedAt = fixture.Clock.GetUtcNow();
        var housekept = new List<DateTimeOffset>();
        var snapshotted = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
        var housekeptTwice = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnHousekept(string grainKey, IReadOnlyList<BeliefChange> changes)
        {
            if (grainKey == key)
            {
                lock (housekept)
                {
                    housekept.Add(fixture.Clock.GetUtcNow());
                    if (housekept.Count == 2)
                    {
                        housekeptTwice.TrySetResult();
                    }
                }
            }
        }
        void OnSnapshotted(string grainKey, long position)
        {
            if (grainKey == key)
            {
                snapshotted.TrySetResult(fixture.Clock.GetUtcNow());
            }
        }
        fixture.Events.Housekept += OnHousekept;
        fixture.Events.Snapshotted += OnSnapshotted;
        try
        {
            Assert.Equal(new IngestResult(1, 0), await grain.IngestAsync([Purchase("o1", "garden/tools", activatedAt)]));

            // The write-behind ticks every SnapshotPeriod while the change is unwritten; meanwhile
            // housekeeping still comes every HousekeepingPeriod, and goes on once nothing is left to write.
            var writtenAt = await TickUntilAsync(grain, snapshotted.Task);
            for (var i = 0; i < 40 && !housekeptTwice.Task.IsCompleted; i++)
            {
                fixture.Clock.Advance(Options.SnapshotPeriod);
                await grain.GetSelfModelAsync(null);
            }
            await housekeptTwice.Task.WaitAsync(TimeSpan.FromSeconds(30));

            var period = Options.HousekeepingPeriod;
            Assert.True(writtenAt - activatedAt >= Options.SnapshotMaxAge, $"snapshot written {writtenAt - activatedAt} after the change");
            lock (housekept)
            {
                Assert.True(housekept[0] - activatedAt >= period, $"first housekeeping {housekept[0] - activatedAt} after activation");
                Assert.True(housekept[1] - housekept[0] >= period, $"housekeeping {housekept[1] - housekept[0]} apart");
            }
        }
        finally
        {
            fixture.Events.Housekept -= OnHousekept;
            fixture.Events.Snapshotted -= OnSnapshotted;
        }
    }

    private SelfModelGrainOptions Options => fixture.Cluster.GetSiloServiceProvider().GetRequiredService<IOptions<SelfModelGrainOptions>>().Value;

    // One write-behind period at a time until the task completes (bounded). The call after each
    // advance runs after the tick it released (ticks and calls take turns), so a write that
    // happened at a tick is seen at that tick's time.
    private async Task<T> TickUntilAsync<T>(ISelfModelGrain grain, Task<T> done)
    {
        var ticks = (int)(Options.SnapshotMaxAge / Options.SnapshotPeriod) + 4;
        for (var i = 0; i < ticks && !done.IsCompleted; i++)
        {
            fixture.Clock.Advance(Options.SnapshotPeriod);
            await grain.GetSelfModelAsync(null);
        }
        return await done.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
