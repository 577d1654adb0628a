using Clarity.Engine;
using Clarity.Engine.Beliefs;
using Clarity.Engine.Ranking;
using Clarity.Engine.Signals;
using Clarity.Grains.Interfaces;
using Clarity.Grains.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Clarity.Grains;

/// <summary>Names shared by the grains and the silo that hosts them.</summary>
public static class StorageNames
{
    /// <summary>The grain storage provider that holds self-models.</summary>
    public const string Clarity = "clarity";
}

/// <summary>Grain settings (configuration section <c>Clarity:Grains</c>).</summary>
public sealed class SelfModelGrainOptions
{
    /// <summary>How often an active self-model tidies itself (demote, prune, persist). Default 5 minutes.</summary>
    public TimeSpan HousekeepingPeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Write a snapshot once this many signals were applied since the last one. Default 100.</summary>
    public int SnapshotEverySignals { get; set; } = 100;

    /// <summary>
    /// How often the write-behind runs while something is unwritten: unsaved rerank decisions are
    /// written, and a changed self-model is checked against <see cref="SnapshotMaxAge"/>. Default 30 seconds.
    /// </summary>
    public TimeSpan SnapshotPeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The write-behind writes a changed self-model once its oldest unwritten change is this old
    /// (sooner after <see cref="SnapshotEverySignals"/> signals, and at deactivation). A snapshot
    /// only shortens the next replay, which those signals already bound, and it costs a write of the
    /// whole state: a user with a few signals a minute is not rewritten every period. Default 5 minutes.
    /// </summary>
    public TimeSpan SnapshotMaxAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// An activation that has had no call for this long keeps its user as one compressed byte array
    /// instead of the live model (a few hundred bytes for 20 beliefs; what is left of the user's
    /// heap is mostly the activation itself) and rebuilds the model at the next call or
    /// housekeeping, in tens of microseconds and without storage (Orleans deactivates an idle grain
    /// much later, and its reactivation reads storage). Zero turns it off. Default 2 minutes.
    /// </summary>
    public TimeSpan CompactAfter { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// One user's self-model in memory. Every method takes <c>now</c> from the injected clock and calls
/// the engine; decay is computed at read time, so correctness never depends on the housekeeping
/// timer. Durability: signals are appended to the signal log before they are applied (acknowledged
/// means in the log); the state is a snapshot written behind with the log position it includes, and
/// activation replays the log after that position. Rerank decisions are written behind to their own
/// store (with the snapshot cycle, at deactivation, and before any signal that answers one is logged)
/// and read back only when a caller needs one that memory does not hold.
/// </summary>
public sealed partial class SelfModelGrain(
    [PersistentState("selfmodel", StorageNames.Clarity)] IPersistentState<SelfModelState> state,
    ISignalLog log,
    IDecisionStore decisions,
    BeliefEngine engine,
    SelfModelCompactor compactor,
    TimeProvider clock,
    IOptions<SelfModelGrainOptions> options,
    SelfModelEvents events,
    ILogger<SelfModelGrain> logger) : Grain, ISelfModelGrain
{
    private readonly Reranker _reranker = new(engine);

    // The live model, or null while the activation has been idle long enough to hold it compacted
    // (see SelfModelGrainOptions.CompactAfter): every use goes through Model, which rebuilds it.
    private SelfModel? _live = new();
    private byte[]? _compact;
    private DateTimeOffset _lastCallAt;

    private SelfModel Model => _live ?? Rebuild();
    private string _tenantId = "";
    private string _userId = "";

    // The highest log position applied to Model, and how much changed since the last snapshot.
    private long _logPosition;
    private int _signalsSinceSnapshot;
    // Bumped by every change; the state needs writing while it differs from what the last written
    // snapshot included, so a snapshot written while ingests went on knows what it missed.
    private long _changes;
    private long _savedChanges;

    private bool Dirty => _changes != _savedChanges;

    // When the state first changed since the last snapshot (null: nothing unwritten).
    private DateTimeOffset? _dirtySince;

    // One grain timer per activation serves both schedules, armed for the earlier of the two: a
    // timer costs about 450 bytes of every active user's heap. Housekeeping is due every period
    // (measured from the end of the last one, as a periodic grain timer would); the write-behind
    // only while there is something to write (null: stopped). A silo holds many more activations
    // that only read than ones that change, and a write-behind tick on each of them would be a
    // grain turn per activation per period for nothing.
    private IGrainTimer? _timer;
    private DateTimeOffset _housekeepAt;
    private DateTimeOffset? _writeBehindAt;
    private bool _ticking;

    // The snapshot write started by an ingest and not awaited by it: at most one at a time, and
    // every other write of the state waits for it (two writes in flight would race on the ETag).
    private Task _snapshotWrite = Task.CompletedTask;

    // Decisions recorded since the last write-behind, oldest first, and the one read of the stored
    // ones (null until a caller needs a decision that memory does not hold).
    private readonly List<Decision> _unsavedDecisions = [];
    private Task? _decisionsRestored;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_tenantId, _userId) = SelfModelKey.Parse(this.GetPrimaryKeyString());
        _live = state.State.ToModel(engine.Options);
        _lastCallAt = clock.GetUtcNow();
        _logPosition = state.State.LogPosition;
        var window = state.State.WindowSignals(engine);
        ReleaseSnapshot();
        await ReplayLogAsync(window, cancellationToken);
        _housekeepAt = clock.GetUtcNow() + options.Value.HousekeepingPeriod;
        ScheduleWriteBehind();
        _timer = this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(UntilNextTick(), Timeout.InfiniteTimeSpan));
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Best effort: what the snapshot misses is replayed from the log at the next activation.
        await WriteBehindAsync(cancellationToken);
    }

    public async Task<IngestResult> IngestAsync(IReadOnlyList<SignalData> signals)
    {
        Called();
        ValidateBatch(signals);
        await PrepareFeedbackAsync(signals.Select(s => s.Context?.DecisionId));
        // The log decides what is new (unique per tenant, user and signal id), durably and across
        // restarts; only what it accepted is applied, so retries and replays count once.
        IReadOnlyList<long?> positions;
        try
        {
            positions = await log.AppendAsync(_tenantId, _userId, signals);
        }
        catch (StorageUnavailableException)
        {
            // The append may or may not have committed. Start over from the log at the next call
            // instead of guessing, so memory never diverges from what was acknowledged.
            this.DeactivateOnIdle();
            throw;
        }
        var accepted = 0;
        var changes = new List<BeliefChange>();
        for (var i = 0; i < signals.Count; i++)
        {
            if (positions[i] is not { } position)
            {
                continue;
            }
            engine.Apply(Model, signals[i].ToSignal(engine), changes);
            _logPosition = Math.Max(_logPosition, position);
            accepted++;
        }
        if (accepted > 0)
        {
            _changes++;
            ScheduleWriteBehind();
            _signalsSinceSnapshot += accepted;
            if (_signalsSinceSnapshot >= options.Value.SnapshotEverySignals && _snapshotWrite.IsCompleted)
            {
                // Behind, not in the way: the signals are durable in the log already, so the caller
                // need not wait for the snapshot (it only shortens the next replay).
                _snapshotWrite = SnapshotIfChangedAsync(CancellationToken.None);
            }
        }
        events.Ingested(accepted, signals.Count - accepted);
        events.Changed(changes);
        return new IngestResult(accepted, signals.Count - accepted);
    }

    public Task<SelfModelView> GetSelfModelAsync(DateTimeOffset? asOf)
    {
        var now = Called();
        var at = asOf ?? now;
        var evaluated = engine.Evaluate(Model, at);
        var beliefs = new BeliefView[evaluated.Count];
        for (var i = 0; i < beliefs.Length; i++)
        {
            beliefs[i] = evaluated[i].ToView();
        }
        return Task.FromResult(new SelfModelView { UserId = _userId, AsOf = at, Beliefs = beliefs });
    }

    public Task<RerankResponse> RerankAsync(RerankCall request)
    {
        var now = Called();
        if (request.Candidates.Count > engine.Options.Rerank.MaxCandidates)
        {
            throw new ArgumentException($"At most {engine.Options.Rerank.MaxCandidates} candidates are allowed per request.", nameof(request));
        }
        var at = request.AsOf ?? now;
        // Seeded by tenant and user (with the request and the model, inside the engine), so the same
        // request on the same self-model answers the same, exploration included.
        var decision = _reranker.Decide(Model, new RerankRequest(
            Candidates(request.Candidates),
            at,
            request.Context,
            request.OptimizeFor,
            request.Limit,
            this.GetPrimaryKeyString()));
        var isNew = Model.FindDecision(decision.Id) is null;
        engine.Record(Model, decision);
        if (isNew && engine.Options.Rerank.MaxDecisions > 0)
        {
            _unsavedDecisions.Add(decision);
            if (_unsavedDecisions.Count > engine.Options.Rerank.MaxDecisions)
            {
                _unsavedDecisions.RemoveAt(0);
            }
            ScheduleWriteBehind();
        }
        events.Reranked(request.Candidates.Count, decision.Result.Suppressed.Count);
        return Task.FromResult(decision.Result.ToResponse());
    }

    private static Candidate[] Candidates(IReadOnlyList<CandidateData> candidates)
    {
        var mapped = new Candidate[candidates.Count];
        for (var i = 0; i < mapped.Length; i++)
        {
            mapped[i] = candidates[i].ToCandidate();
        }
        return mapped;
    }

    public async Task<DecisionView?> GetDecisionAsync(string decisionId)
    {
        Called();
        if (Model.FindDecision(decisionId) is { } recent)
        {
            return recent.ToView();
        }
        await RestoreDecisionsAsync();
        return Model.FindDecision(decisionId)?.ToView();
    }

    // A tick runs whichever of the two schedules is due (housekeeping first, as its snapshot may
    // leave nothing for the write-behind), then arms the timer for the next one. Grain timers
    // re-arm only after the callback completes, using the latest Change, so ticks never overlap.
    private async Task TickAsync(CancellationToken cancellationToken)
    {
        _ticking = true;
        try
        {
            if (IsDue(_housekeepAt))
            {
                await HousekeepAsync(cancellationToken);
                _housekeepAt = clock.GetUtcNow() + options.Value.HousekeepingPeriod;
            }
            if (_writeBehindAt is { } writeBehindAt && IsDue(writeBehindAt))
            {
                await WriteBehindTickAsync(cancellationToken);
            }
            // Last: housekeeping rebuilds a compacted model, which is then folded again.
            if (CompactAt is { } compactAt && IsDue(compactAt))
            {
                Compact();
            }
        }
        finally
        {
            _ticking = false;
            _timer?.Change(UntilNextTick(), Timeout.InfiniteTimeSpan);
        }
    }

    // A system timer may fire up to its resolution before the instant it was armed for.
    private bool IsDue(DateTimeOffset at) => clock.GetUtcNow() >= at - TimerResolution;

    private static readonly TimeSpan TimerResolution = TimeSpan.FromMilliseconds(16);

    private TimeSpan UntilNextTick()
    {
        var next = _writeBehindAt is { } writeBehindAt && writeBehindAt < _housekeepAt ? writeBehindAt : _housekeepAt;
        if (CompactAt is { } compactAt && compactAt < next)
        {
            next = compactAt;
        }
        var due = next - clock.GetUtcNow();
        return due > TimeSpan.Zero ? due : TimeSpan.Zero;
    }

    // A call moves the instant only forward: the timer is not re-armed per call, a tick that comes
    // too early finds the model used since and arms itself for the new instant.
    private DateTimeOffset? CompactAt =>
        _live is not null && options.Value.CompactAfter > TimeSpan.Zero ? _lastCallAt + options.Value.CompactAfter : null;

    // Every grain call starts here: it keeps the model live for CompactAfter more.
    private DateTimeOffset Called() => _lastCallAt = clock.GetUtcNow();

    // Unwritten state and decisions need nothing: a snapshot of a compacted model is written from
    // its bytes (see SnapshotIfChangedAsync), and unwritten decisions stay in their list until the
    // write-behind writes them.
    private void Compact()
    {
        try
        {
            _compact = compactor.Compact(_live!, _logPosition);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Stays live (nothing is lost) and tries again after another idle period, not at once:
            // a due compaction that keeps failing would otherwise re-arm the timer for now.
            logger.LogWarning(exception, "Compacting the idle self-model of {UserId} failed; it stays live", _userId);
            _lastCallAt = clock.GetUtcNow();
            return;
        }
        _live = null;
        events.OnCompacted(this.GetPrimaryKeyString(), _compact.Length);
    }

    private SelfModel Rebuild()
    {
        var model = compactor.Rebuild(_compact!);
        _live = model;
        _compact = null;
        events.OnRebuilt(this.GetPrimaryKeyString());
        if (!_ticking)
        {
            // The timer was armed for the next housekeeping or write-behind; compaction is due sooner.
            _timer?.Change(UntilNextTick(), Timeout.InfiniteTimeSpan);
        }
        return model;
    }

    private async Task HousekeepAsync(CancellationToken cancellationToken)
    {
        var changes = engine.Housekeep(Model, clock.GetUtcNow());
        if (changes.Count > 0)
        {
            _changes++;
            await SnapshotAsync(cancellationToken);
            // Still dirty if that write failed: the write-behind retries it.
            ScheduleWriteBehind();
        }
        events.OnHousekept(this.GetPrimaryKeyString(), changes);
    }

    // Applies what the log holds beyond the snapshot. A failure fails the activation (the caller
    // sees storage trouble), never a model that misses acknowledged signals.
    private async Task ReplayLogAsync(IReadOnlyList<Signal> window, CancellationToken cancellationToken)
    {
        var snapshotPosition = _logPosition;
        var tail = await log.ReadAsync(_tenantId, _userId, _logPosition, cancellationToken);
        if (window.Any(s => s.Context?.DecisionId is not null) || tail.Any(entry => entry.Signal.Context?.DecisionId is not null))
        {
            // Feedback is applied against the decision it answers, as it was when it was first applied.
            await RestoreDecisionsAsync();
        }
        if (window.Count > 0)
        {
            engine.RestoreWindow(Model, window);
        }
        foreach (var entry in tail)
        {
            engine.Apply(Model, entry.Signal.ToSignal(engine));
            _logPosition = Math.Max(_logPosition, entry.Position);
        }
        // A short tail is cheaper to replay again at the next activation than to write now: a
        // reactivation that only reads must not turn into a write (after a restart that would be
        // one snapshot per user touched). A long one is written behind, as after ingests.
        if (tail.Count >= options.Value.SnapshotEverySignals)
        {
            _changes++;
        }
        _signalsSinceSnapshot = tail.Count;
        events.OnActivated(this.GetPrimaryKeyString(), snapshotPosition, tail);
    }

    private void ScheduleWriteBehind()
    {
        if (Dirty)
        {
            _dirtySince ??= clock.GetUtcNow();
        }
        if (_writeBehindAt is null && (Dirty || _unsavedDecisions.Count > 0))
        {
            // The first tick falls anywhere in [period/2, 3*period/2): users changed together (a
            // batch for many users, a restart) would otherwise all write in the same instant, every
            // period, and the signal log's commits would queue behind them.
            var period = options.Value.SnapshotPeriod;
            var firstTick = period / 2 + TimeSpan.FromTicks(Random.Shared.NextInt64(Math.Max(1, period.Ticks)));
            _writeBehindAt = clock.GetUtcNow() + firstTick;
            if (!_ticking)
            {
                // Within a tick the timer is armed when it ends.
                _timer?.Change(UntilNextTick(), Timeout.InfiniteTimeSpan);
            }
        }
    }

    // The tick only starts the snapshot write, as an ingest does: awaiting it here would hold every
    // call to this user (ticks do not interleave with calls) behind a storage round trip. The next
    // write of the state waits for it (see _snapshotWrite).
    private async Task WriteBehindTickAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (Dirty)
        {
            _dirtySince ??= now;
        }
        if (Dirty && _snapshotWrite.IsCompleted && now - _dirtySince >= options.Value.SnapshotMaxAge)
        {
            _snapshotWrite = SnapshotIfChangedAsync(CancellationToken.None);
        }
        await SaveDecisionsBehindAsync(cancellationToken);
        // What failed stays pending and the write-behind keeps ticking; once all is written it
        // stops until the next change starts it again.
        _writeBehindAt = !Dirty && _unsavedDecisions.Count == 0 && _snapshotWrite.IsCompleted
            ? null
            : clock.GetUtcNow() + options.Value.SnapshotPeriod;
    }

    private async Task WriteBehindAsync(CancellationToken cancellationToken)
    {
        await SnapshotAsync(cancellationToken);
        await SaveDecisionsBehindAsync(cancellationToken);
    }

    private async Task SaveDecisionsBehindAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SaveDecisionsAsync(cancellationToken);
        }
        catch (StorageUnavailableException exception)
        {
            // Kept in memory and retried at the next tick; only a crash before then loses them.
            logger.LogWarning(exception, "Writing the decisions of {UserId} failed; retrying at the next write-behind", _userId);
        }
    }

    private async Task SaveDecisionsAsync(CancellationToken cancellationToken)
    {
        if (_unsavedDecisions.Count == 0)
        {
            return;
        }
        var count = _unsavedDecisions.Count;
        var stored = _unsavedDecisions.Select(DecisionPayload.Serialize).ToList();
        await decisions.WriteAsync(_tenantId, _userId, stored, engine.Options.Rerank.MaxDecisions, cancellationToken);
        _unsavedDecisions.RemoveRange(0, Math.Min(count, _unsavedDecisions.Count));
    }

    // A signal that answers a decision is applied against that decision, live and at every replay:
    // so the decision is stored before the signal is logged, and read back before it is applied
    // when memory does not hold it. Only feedback signals pay for this.
    private async Task PrepareFeedbackAsync(IEnumerable<string?> decisionIds)
    {
        var missing = false;
        var unsaved = false;
        foreach (var id in decisionIds)
        {
            if (id is null)
            {
                continue;
            }
            unsaved |= _unsavedDecisions.Exists(d => d.Id == id);
            missing |= Model.FindDecision(id) is null;
        }
        if (unsaved)
        {
            await SaveDecisionsAsync(CancellationToken.None);
        }
        if (missing)
        {
            await RestoreDecisionsAsync();
        }
    }

    // Reads the stored decisions once per activation, behind the ones recorded since. Shared, so
    // read-only calls that interleave wait for the same read; a failed read is tried again next time.
    private Task RestoreDecisionsAsync()
    {
        if (_decisionsRestored is { IsFaulted: false, IsCanceled: false } restoring)
        {
            return restoring;
        }
        return _decisionsRestored = RestoreAsync();

        async Task RestoreAsync()
        {
            var stored = await decisions.ReadAsync(_tenantId, _userId, engine.Options.Rerank.MaxDecisions);
            engine.RestoreDecisions(Model, stored.Select(d => DecisionPayload.Deserialize(d.Payload)));
        }
    }

    private async Task SnapshotAsync(CancellationToken cancellationToken)
    {
        await _snapshotWrite;
        _snapshotWrite = SnapshotIfChangedAsync(cancellationToken);
        await _snapshotWrite;
    }

    // Writes the snapshot with the log position it includes. Signals are already durable in the
    // log, so a failed snapshot only costs replay later: it is logged, never surfaced. Ingests may
    // apply more while it is written; they stay dirty for the next one.
    private async Task SnapshotIfChangedAsync(CancellationToken cancellationToken)
    {
        if (!Dirty)
        {
            return;
        }
        // A compacted model is written from its bytes: the write-behind does not rebuild an idle user.
        var snapshot = _live is { } live ? live.ToState() : compactor.State(_compact!);
        var position = snapshot.LogPosition = _logPosition;
        var changes = _changes;
        var signals = _signalsSinceSnapshot;
        var previous = state.State;
        state.State = snapshot;
        try
        {
            await state.WriteStateAsync(cancellationToken);
            ReleaseSnapshot();
            _savedChanges = changes;
            // Changes applied while it was written are younger than this; they count from now.
            _dirtySince = Dirty ? clock.GetUtcNow() : null;
            _signalsSinceSnapshot = Math.Max(0, _signalsSinceSnapshot - signals);
            events.OnSnapshotted(this.GetPrimaryKeyString(), position);
        }
        catch (Exception exception)
        {
            state.State = previous;
            logger.LogWarning(exception, "Writing the snapshot of {UserId} failed; the signal log still holds everything", _userId);
            if (exception is Orleans.Storage.InconsistentStateException)
            {
                // Another activation wrote since we read: ours is stale, so start over from storage.
                this.DeactivateOnIdle();
            }
        }
    }

    // The model is the truth in memory; the snapshot object is only needed while it is read or
    // written. Holding it would keep a second copy of every belief and trail for the life of the
    // activation (about half of an active user's heap). The ETag lives outside State, so the next
    // write is still checked.
    // One empty state shared by every activation (about 250 bytes each otherwise): nothing writes
    // into State in place, a snapshot replaces it whole and storage reads assign a new object.
    private void ReleaseSnapshot() => state.State = Released;

    private static readonly SelfModelState Released = new();

    private static void ValidateBatch(IReadOnlyList<SignalData> signals)
    {
        for (var i = 0; i < signals.Count; i++)
        {
            foreach (var (field, message) in InputRules.CheckSignal(signals[i]))
            {
                throw new ArgumentException($"signals[{i}].{field}: {message}", nameof(signals));
            }
        }
    }
}
