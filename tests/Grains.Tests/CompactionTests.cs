using System.Text.Json;
using Clarity.Engine.Beliefs;
using Clarity.Grains.Interfaces;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Clarity.Grains.Tests;

/// <summary>
/// An activation idle for <see cref="SelfModelGrainOptions.CompactAfter"/> keeps its user as compact
/// bytes and rebuilds the model at the next call. Nothing a caller sees may differ: a compacted user
/// is compared with a twin that has the same history and was kept live, at the same instant.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class CompactionTests(ClusterFixture fixture)
{
    private SelfModelGrainOptions Options => fixture.Cluster.GetSiloServiceProvider().GetRequiredService<IOptions<SelfModelGrainOptions>>().Value;

    private static SignalData Signal(string id, string type, string category, DateTimeOffset at, double? price = null, string? decisionId = null, double? value = null) => new()
    {
        Id = id,
        Type = type,
        OccurredAt = at,
        Item = new ItemData { Id = "item-" + category + "-" + id, Category = category, Price = price },
        Value = value,
        Context = decisionId is null ? null : new SignalContextData { DecisionId = decisionId, SessionId = "s1" },
    };

    // Purchases, views and a rating over two weeks, so beliefs have trails, the interpreters have
    // statistics (intervals, usual prices, recent views) and the reorder window holds the last week.
    private static SignalData[] History(DateTimeOffset now) =>
    [
        Signal("p1", "purchase", "home/kitchen/knives", now.AddDays(-14), 40),
        Signal("v1", "view", "home/kitchen/pans", now.AddDays(-13)),
        Signal("v2", "view", "home/kitchen/pans", now.AddDays(-12)),
        Signal("p2", "purchase", "home/kitchen/pans", now.AddDays(-12).AddHours(2), 55),
        Signal("p3", "purchase", "books/fiction", now.AddDays(-10), 12),
        Signal("r1", "rating", "books/fiction", now.AddDays(-9), value: 5),
        Signal("p4", "purchase", "garden/tools", now.AddDays(-6), 30),
        Signal("v3", "view", "garden/seeds", now.AddDays(-3)),
        Signal("p5", "purchase", "books/fiction", now.AddDays(-2), 14),
        Signal("v4", "view", "toys/puzzles", now.AddHours(-5)),
    ];

    private static string Json(object value) => JsonSerializer.Serialize(value);

    // The answer at the clock's instant, without the user id (twins differ only in it).
    private static async Task<string> ViewAsync(ISelfModelGrain grain) => Json(await grain.GetSelfModelAsync(null) with { UserId = "" });

    private static RerankCall Request(DateTimeOffset at, string optimizeFor) => new()
    {
        Candidates =
        [
            new CandidateData { Id = "c1", Category = "books/fiction", Score = 0.5, Price = 13 },
            new CandidateData { Id = "c2", Category = "home/kitchen/pans", Score = 0.9, Price = 50 },
            new CandidateData { Id = "c3", Category = "garden/tools", Score = 0.7 },
            new CandidateData { Id = "c4", Category = "toys/puzzles", Score = 0.6 },
            new CandidateData { Id = "c5", Category = "sports/running", Score = 0.8 },
        ],
        OptimizeFor = optimizeFor,
        AsOf = at,
    };

    private (ISelfModelGrain Grain, string Key) NewUser(string name)
    {
        var key = SelfModelKey.For("t1", name + "-" + Guid.NewGuid().ToString("N"));
        return (fixture.Grains.GetGrain<ISelfModelGrain>(key), key);
    }

    // Lets `compacted` go idle past CompactAfter while `live` is called halfway, so only the first
    // is compacted when the clock gets there.
    private async Task CompactOneOfAsync(EventRecorder recorder, string compacted, ISelfModelGrain live)
    {
        var after = Options.CompactAfter;
        Assert.True(after > TimeSpan.Zero, "compaction is on by default");
        var compactions = recorder.Count(compacted, EventKind.Compacted);
        fixture.Clock.Advance(after * 0.75);
        await live.GetSelfModelAsync(null);
        fixture.Clock.Advance(after * 0.5);
        await recorder.UntilAsync(compacted, EventKind.Compacted, compactions + 1);
    }

    [Fact]
    public async Task A_compacted_user_reads_exports_and_ingests_as_its_twin_that_stayed_live()
    {
        using var recorder = new EventRecorder(fixture.Events);
        var (user, key) = NewUser("compacted");
        var (twin, twinKey) = NewUser("twin");
        var now = fixture.Clock.GetUtcNow();
        foreach (var grain in new[] { user, twin })
        {
            Assert.Equal(new IngestResult(10, 0), await grain.IngestAsync(History(now)));
            var rejected = (await grain.GetSelfModelAsync(null)).Beliefs.First(b => b.Kind == "affinity" && b.Subject == "garden");
            Assert.NotNull(await grain.RejectAsync(rejected.Id));
            await grain.StateAsync([new StatedAnswer { Kind = "affinity", Subject = "sports", Holds = true }]);
        }

        await CompactOneOfAsync(recorder, key, twin);
        Assert.Equal(0, recorder.Count(twinKey, EventKind.Compacted));

        // The same instant for both: reads at "now", beliefs one by one, statement ranks, the export.
        Assert.Equal(await ViewAsync(twin), await ViewAsync(user));
        var beliefs = (await twin.GetSelfModelAsync(null)).Beliefs;
        Assert.NotEmpty(beliefs);
        var statements = beliefs.Select(b => new StatementTargetData { StatementId = b.Id, Kind = b.Kind, Subject = b.Subject }).ToList();
        Assert.Equal(Json(await twin.RankStatementsAsync(statements)), Json(await user.RankStatementsAsync(statements)));
        foreach (var belief in beliefs)
        {
            Assert.Equal(Json((await twin.GetBeliefAsync(belief.Id, null))!), Json((await user.GetBeliefAsync(belief.Id, null))!));
        }
        await AssertSameExportAsync(user, twin);

        // Later signals, one of them late (inside the reorder window, before signals already
        // applied): read the same against the rebuilt window and interpreter memory.
        var more = new[]
        {
            Signal("late", "purchase", "home/kitchen/pans", now.AddDays(-4), 60),
            Signal("new", "view", "books/fiction", now.AddMinutes(1)),
            Signal("p1", "purchase", "home/kitchen/knives", now.AddDays(-14), 40),
        };
        await CompactOneOfAsync(recorder, key, twin);
        Assert.Equal(Json(await twin.IngestAsync(more)), Json(await user.IngestAsync(more)));
        Assert.Equal(await ViewAsync(twin), await ViewAsync(user));
        await AssertSameExportAsync(user, twin);
        Assert.Equal(2, recorder.Count(key, EventKind.Compacted));
    }

    [Fact]
    public async Task A_rejected_belief_with_evidence_in_the_reorder_window_reads_and_decays_as_its_live_twins()
    {
        using var recorder = new EventRecorder(fixture.Events);
        var (user, key) = NewUser("rejected");
        var (twin, twinKey) = NewUser("rejected-twin");
        var now = fixture.Clock.GetUtcNow();
        foreach (var grain in new[] { user, twin })
        {
            await grain.IngestAsync(History(now));
            // Fiction: two signals folded out of the window (ten and nine days ago), the last
            // purchase still in it (two days ago), so the folded state holds an older copy.
            var fiction = (await grain.GetSelfModelAsync(null)).Beliefs.Single(b => b.Kind == "affinity" && b.Subject == "books/fiction");
            Assert.Equal(now.AddDays(-2), fiction.LastObservedAt);
            Assert.NotNull(await grain.RejectAsync(fiction.Id));
        }

        await CompactOneOfAsync(recorder, key, twin);

        Assert.Equal(await ViewAsync(twin), await ViewAsync(user));
        var id = (await twin.GetSelfModelAsync(null)).Beliefs.Single(b => b.Kind == "affinity" && b.Subject == "books/fiction").Id;
        Assert.Equal(Json((await twin.GetBeliefAsync(id, null))!), Json((await user.GetBeliefAsync(id, null))!));

        // Housekeeping reports the rejected belief's transitions alike (it was active when rejected).
        var housekept = (recorder.Count(key, EventKind.Housekept), recorder.Count(twinKey, EventKind.Housekept));
        fixture.Clock.Advance(Options.HousekeepingPeriod);
        await recorder.UntilAsync(key, EventKind.Housekept, housekept.Item1 + 1);
        await recorder.UntilAsync(twinKey, EventKind.Housekept, housekept.Item2 + 1);
        Assert.Equal(recorder.Housekept(twinKey)[^1], recorder.Housekept(key)[^1]);
    }

    [Fact]
    public async Task A_belief_housekeeping_would_prune_reads_as_on_its_live_twin_once_compacted()
    {
        using var recorder = new EventRecorder(fixture.Events);
        var (user, key) = NewUser("pruned");
        var (twin, twinKey) = NewUser("pruned-twin");
        var now = fixture.Clock.GetUtcNow();
        // A genre alternator on a three-film streak, then a change of genre a day ago: the belief
        // about the ended streak is emptied (dormant, no evidence) while its films are still in the
        // reorder window, which a compacted user's rebuild replays.
        string[] genres = ["comedy", "drama", "thriller", "comedy", "documentary", "drama", "sci-fi", "comedy", "prestige-drama", "prestige-drama", "prestige-drama"];
        var start = now.AddDays(-11);
        SignalData[] films =
        [
            .. genres.Select((genre, i) => Signal($"f{i}", "consume", "movies/" + genre, start.AddHours(20 * (i + 1)), value: 0.95)),
            Signal("change", "consume", "movies/comedy", now.AddDays(-1), value: 0.9),
        ];
        foreach (var grain in new[] { user, twin })
        {
            await grain.IngestAsync(films);
            Assert.Contains((await grain.GetSelfModelAsync(null)).Beliefs, b => b.Kind == "variety" && b.Subject == "movies/prestige-drama");
        }

        // Through a housekeeping pass, the twin called every CompactAfter / 2 so that it stays live.
        var until = now + Options.HousekeepingPeriod + TimeSpan.FromSeconds(1);
        while (fixture.Clock.GetUtcNow() < until)
        {
            fixture.Clock.Advance(Options.CompactAfter / 2);
            await twin.GetSelfModelAsync(null);
        }
        await recorder.UntilAsync(key, EventKind.Housekept, 1);
        await recorder.UntilAsync(twinKey, EventKind.Housekept, 1);
        await recorder.UntilAsync(key, EventKind.Compacted, 2);
        Assert.Equal(0, recorder.Count(twinKey, EventKind.Compacted));

        Assert.Equal(await ViewAsync(twin), await ViewAsync(user));
        Assert.Equal(recorder.Housekept(twinKey)[0], recorder.Housekept(key)[0]);
    }

    private static async Task AssertSameExportAsync(ISelfModelGrain user, ISelfModelGrain twin)
    {
        var expected = await twin.ExportAsync();
        var actual = await user.ExportAsync();
        Assert.Equal(expected.ExportedAt, actual.ExportedAt);
        Assert.Equal(Json(expected with { UserId = "" }), Json(actual with { UserId = "" }));
    }

    [Fact]
    public async Task A_compacted_user_makes_the_same_rerank_decisions_and_keeps_the_recorded_ones()
    {
        using var recorder = new EventRecorder(fixture.Events);
        var (user, key) = NewUser("reranked");
        var (other, _) = NewUser("other");
        var now = fixture.Clock.GetUtcNow();
        await user.IngestAsync(History(now));
        var relevance = Request(now, "relevance");
        var exploration = Request(now, "exploration");
        var first = await user.RerankAsync(relevance);
        var second = await user.RerankAsync(exploration);
        var decisions = (await user.ExportAsync()).Decisions;
        Assert.Equal([first.DecisionId, second.DecisionId], decisions.Select(d => d.DecisionId));

        await CompactOneOfAsync(recorder, key, other);
        Assert.Equal(Json(decisions), Json((await user.ExportAsync()).Decisions));

        await CompactOneOfAsync(recorder, key, other);
        Assert.Equal(Json(decisions[0]), Json((await user.GetDecisionAsync(first.DecisionId))!));

        await CompactOneOfAsync(recorder, key, other);
        // Same request, same model: same decision id and answer, exploration included.
        Assert.Equal(Json(first), Json(await user.RerankAsync(relevance)));
        Assert.Equal(Json(second), Json(await user.RerankAsync(exploration)));

        // Feedback on a decision made before the compaction is applied against it.
        await CompactOneOfAsync(recorder, key, other);
        var click = Signal("click", "click", "toys/puzzles", now.AddMinutes(30), decisionId: second.DecisionId);
        Assert.Equal(new IngestResult(1, 0), await user.IngestAsync([click]));
        var puzzles = (await user.GetSelfModelAsync(null)).Beliefs.Single(b => b.Kind == "affinity" && b.Subject == "toys/puzzles");
        Assert.Contains("click", Json((await user.GetBeliefAsync(puzzles.Id, null))!), StringComparison.Ordinal);
        Assert.Equal(4, recorder.Count(key, EventKind.Compacted));
    }

    [Fact]
    public async Task Housekeeping_runs_on_a_compacted_user_as_on_a_live_one_and_reports_a_decay_once()
    {
        using var recorder = new EventRecorder(fixture.Events);
        var (user, key) = NewUser("idle");
        var (twin, twinKey) = NewUser("busy");
        var now = fixture.Clock.GetUtcNow();
        await user.IngestAsync(History(now));
        await twin.IngestAsync(History(now));
        await CompactOneOfAsync(recorder, key, twin);

        // Long enough for the purchases' affinities to decay to dormant, short of pruning them.
        fixture.Clock.Advance(TimeSpan.FromDays(200));
        await recorder.UntilAsync(key, EventKind.Housekept, 1);
        await recorder.UntilAsync(twinKey, EventKind.Housekept, 1);
        var decayed = recorder.Housekept(key)[0];
        Assert.Contains(decayed, c => c.Kind == ChangeKind.Dormant);
        Assert.Equal(recorder.Housekept(twinKey)[0], decayed);
        // Compacted again once housekept: it is still idle.
        await recorder.UntilAsync(key, EventKind.Compacted, 2);

        // The next pass rebuilds it again and does not report the same transitions a second time.
        fixture.Clock.Advance(Options.HousekeepingPeriod);
        await recorder.UntilAsync(key, EventKind.Housekept, 2);
        await recorder.UntilAsync(twinKey, EventKind.Housekept, 2);
        var next = recorder.Housekept(key)[1];
        Assert.DoesNotContain(next, c => c.Kind == ChangeKind.Dormant && decayed.Any(d => d.BeliefId == c.BeliefId));
        Assert.Equal(recorder.Housekept(twinKey)[1], next);
        Assert.Equal(await ViewAsync(twin), await ViewAsync(user));
    }

    [Fact]
    public async Task An_unwritten_change_of_a_compacted_user_is_written_behind_from_its_bytes_without_a_rebuild()
    {
        using var recorder = new EventRecorder(fixture.Events);
        var (user, key) = NewUser("unwritten");
        var start = fixture.Clock.GetUtcNow();
        var housekeeping = Options.HousekeepingPeriod;
        var after = Options.CompactAfter;
        var maxAge = Options.SnapshotMaxAge;
        // The instants below keep the write-behind's turn apart from housekeeping's (which rebuilds).
        Assert.True(after * 2 < housekeeping && maxAge > after * 2, "the test's schedule fits the defaults");
        await user.GetSelfModelAsync(null);
        AdvanceTo(start + housekeeping + TimeSpan.FromSeconds(1));
        await recorder.UntilAsync(key, EventKind.Compacted, 1);

        var changedAt = start + housekeeping + (after / 2);
        AdvanceTo(changedAt);
        await user.IngestAsync(History(changedAt));
        var expected = Json(await user.GetSelfModelAsync(changedAt));
        AdvanceTo(changedAt + after + TimeSpan.FromSeconds(1));
        await recorder.UntilAsync(key, EventKind.Compacted, 2);

        // Housekeeping comes before the oldest unwritten change is SnapshotMaxAge old, so the
        // write-behind finds the model compacted; the snapshot is made from the bytes.
        var housekept = recorder.Count(key, EventKind.Housekept);
        AdvanceTo(start + (housekeeping * 2) + TimeSpan.FromSeconds(1));
        await recorder.UntilAsync(key, EventKind.Housekept, housekept + 1);
        await recorder.UntilAsync(key, EventKind.Compacted, 3);
        var rebuilds = recorder.Count(key, EventKind.Rebuilt);
        Assert.Equal(0, recorder.Count(key, EventKind.Snapshotted));
        AdvanceTo(changedAt + maxAge + Options.SnapshotPeriod);
        await recorder.UntilAsync(key, EventKind.Snapshotted, 1);
        Assert.Equal(rebuilds, recorder.Count(key, EventKind.Rebuilt));

        // What was written is the model: a new activation reads it back the same.
        await fixture.Cluster.DeactivateAsync(user);
        Assert.Equal(expected, Json(await user.GetSelfModelAsync(changedAt)));
    }

    private void AdvanceTo(DateTimeOffset at) => fixture.Clock.Advance(at - fixture.Clock.GetUtcNow());

    [Fact]
    public async Task Erasing_a_compacted_user_leaves_nothing()
    {
        using var recorder = new EventRecorder(fixture.Events);
        var (user, key) = NewUser("erased");
        var (other, _) = NewUser("other");
        var now = fixture.Clock.GetUtcNow();
        await user.IngestAsync(History(now));
        await CompactOneOfAsync(recorder, key, other);

        await user.EraseAsync();

        var export = await user.ExportAsync();
        Assert.Empty(export.Beliefs);
        Assert.Empty(export.SignalLog);
    }
}

internal enum EventKind
{
    Compacted,
    Housekept,
    Snapshotted,
    Rebuilt,
}

/// <summary>Records compactions, housekeeping passes and snapshots per grain and lets a test wait for a count of them.</summary>
internal sealed class EventRecorder : IDisposable
{
    private readonly SelfModelEvents _events;
    private readonly Lock _lock = new();
    private readonly List<(string Key, EventKind Kind, IReadOnlyList<BeliefChange>? Changes)> _seen = [];
    private readonly List<(string Key, EventKind Kind, int Count, TaskCompletionSource Done)> _waiting = [];

    public EventRecorder(SelfModelEvents events)
    {
        _events = events;
        _events.Compacted += OnCompacted;
        _events.Housekept += OnHousekept;
        _events.Snapshotted += OnSnapshotted;
        _events.Rebuilt += OnRebuilt;
    }

    public int Count(string key, EventKind kind)
    {
        lock (_lock)
        {
            return _seen.Count(e => e.Key == key && e.Kind == kind);
        }
    }

    /// <summary>What each housekeeping pass of the grain reported, in order.</summary>
    public IReadOnlyList<IReadOnlyList<BeliefChange>> Housekept(string key)
    {
        lock (_lock)
        {
            return [.. _seen.Where(e => e.Key == key && e.Kind == EventKind.Housekept).Select(e => e.Changes!)];
        }
    }

    public Task UntilAsync(string key, EventKind kind, int count)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_seen.Count(e => e.Key == key && e.Kind == kind) >= count)
            {
                return Task.CompletedTask;
            }
            _waiting.Add((key, kind, count, done));
        }
        return done.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private void OnCompacted(string key, int bytes) => Add(key, EventKind.Compacted, null);

    private void OnHousekept(string key, IReadOnlyList<BeliefChange> changes) => Add(key, EventKind.Housekept, changes);

    private void OnSnapshotted(string key, long position) => Add(key, EventKind.Snapshotted, null);

    private void OnRebuilt(string key) => Add(key, EventKind.Rebuilt, null);

    private void Add(string key, EventKind kind, IReadOnlyList<BeliefChange>? changes)
    {
        lock (_lock)
        {
            _seen.Add((key, kind, changes));
            foreach (var waiter in _waiting.Where(w => w.Key == key && w.Kind == kind).ToList())
            {
                if (_seen.Count(e => e.Key == key && e.Kind == kind) >= waiter.Count)
                {
                    waiter.Done.TrySetResult();
                    _waiting.Remove(waiter);
                }
            }
        }
    }

    public void Dispose()
    {
        _events.Compacted -= OnCompacted;
        _events.Housekept -= OnHousekept;
        _events.Snapshotted -= OnSnapshotted;
        _events.Rebuilt -= OnRebuilt;
    }
}
