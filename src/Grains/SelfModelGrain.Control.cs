using Clarity.Engine;
using Clarity.Engine.Beliefs;
using Clarity.Grains.Interfaces;
using Clarity.Grains.State;
using Microsoft.Extensions.Logging;

namespace Clarity.Grains;

/// <summary>Transparency and control: the user's corrections, statements, export and erasure.</summary>
public sealed partial class SelfModelGrain
{
    public Task<BeliefView?> GetBeliefAsync(string beliefId, DateTimeOffset? asOf)
    {
        var now = Called();
        var at = asOf ?? now;
        return Task.FromResult(Model.Find(beliefId) is { } belief ? engine.Evaluate(belief, at).ToDetailView() : null);
    }

    public Task<BeliefView?> ConfirmAsync(string beliefId) =>
        CorrectAsync(now => engine.Confirm(Model, beliefId, now), "confirmed");

    public Task<BeliefView?> RejectAsync(string beliefId) =>
        CorrectAsync(now => engine.Reject(Model, beliefId, now), "rejected");

    public async Task<bool> ForgetAsync(string beliefId)
    {
        var now = Called();
        if (!engine.Forget(Model, beliefId, now))
        {
            return false;
        }
        await SaveNowAsync();
        LogCorrected(logger, _userId, "forgot", beliefId);
        return true;
    }

    public async Task<SelfModelView> StateAsync(IReadOnlyList<StatedAnswer> answers)
    {
        var now = Called();
        var keys = answers.Select(a => (Key: ToKey(a.Kind, a.Subject), a.Holds)).ToList();
        foreach (var (key, holds) in keys)
        {
            engine.State(Model, key, holds, now);
        }
        if (keys.Count > 0)
        {
            await SaveNowAsync();
        }
        return await GetSelfModelAsync(now);
    }

    public Task<IReadOnlyList<StatementRank>> RankStatementsAsync(IReadOnlyList<StatementTargetData> statements)
    {
        var now = Called();
        var targets = statements.Select(s => new StatementTarget(s.StatementId, ToKey(s.Kind, s.Subject))).ToList();
        IReadOnlyList<StatementRank> ranked = [.. engine.RankStatements(Model, targets, now).Select(v => new StatementRank
        {
            StatementId = v.StatementId,
            Value = v.Value,
            Answer = v.Answer switch
            {
                null => null,
                { Verdict: UserVerdict.Rejected } => "rejected",
                { Holds: true } => "selected",
                _ => "rejected",
            },
        })];
        return Task.FromResult(ranked);
    }

    public async Task EraseAsync()
    {
        // Nothing of the user stays in memory: even if storage fails below, the next call starts
        // from what storage holds, and a retried erase finishes the job.
        Called();
        await _snapshotWrite;
        _live = new SelfModel();
        _compact = null;
        _logPosition = 0;
        _savedChanges = _changes;
        _dirtySince = null;
        _signalsSinceSnapshot = 0;
        _unsavedDecisions.Clear();
        _decisionsRestored = Task.CompletedTask;
        DeactivateOnIdle();
        // The log first: it is what remembers signal ids; a snapshot left behind alone would be
        // erased by the retry, while a log left behind would be replayed into a new model.
        var deleted = await log.DeleteAsync(_tenantId, _userId);
        await decisions.DeleteAsync(_tenantId, _userId);
        await state.ClearStateAsync();
        LogErased(logger, _userId, deleted);
    }

    // As many as the engine's deduplication set holds by default.
    private const int ExportedRecentIds = 2048;

    public async Task<SelfModelExport> ExportAsync()
    {
        var now = Called();
        var logged = await log.ReadAsync(_tenantId, _userId);
        await RestoreDecisionsAsync();
        return new SelfModelExport
        {
            UserId = _userId,
            ExportedAt = now,
            Beliefs = [.. engine.Evaluate(Model, now).Select(b => b.ToDetailView())],
            EvidenceCutoffs = [.. Model.EvidenceCutoffs.OrderBy(c => c.Value).Select(c => new EvidenceCutoffView
            {
                BeliefId = c.Key.Id(),
                Kind = c.Key.Kind.Wire(),
                Subject = c.Key.Subject,
                EvidenceUpTo = c.Value,
            })],
            Signals = new SignalSummaryView
            {
                Count = Model.SignalCount,
                FirstAt = Model.FirstSignalAt,
                LastAt = Model.LastSignalAt,
                // The log is what deduplicates (the engine's in-memory set is usually off in a
                // silo): its newest ids, in the order they were accepted.
                RecentIds = [.. logged.TakeLast(ExportedRecentIds).Select(l => l.Signal.Id)],
            },
            SignalLog = [.. logged.Select(l => l.Signal)],
            Decisions = [.. Model.RecordedDecisions.Select(d => d.ToView())],
        };
    }

    private async Task<BeliefView?> CorrectAsync(Func<DateTimeOffset, BeliefSnapshot?> correct, string what)
    {
        var now = Called();
        if (correct(now) is not { } corrected)
        {
            return null;
        }
        await SaveNowAsync();
        LogCorrected(logger, _userId, what, corrected.Id);
        return engine.Evaluate(corrected.Belief, now).ToDetailView();
    }

    // The user's word is durable before it is acknowledged: the snapshot is written now (not
    // behind, as for signals, which the log already holds). If that fails, this activation's
    // memory is ahead of storage, so it goes away and the caller sees the failure and retries.
    private async Task SaveNowAsync()
    {
        await _snapshotWrite;
        var snapshot = Model.ToState();
        snapshot.LogPosition = _logPosition;
        var previous = state.State;
        state.State = snapshot;
        try
        {
            await state.WriteStateAsync();
            ReleaseSnapshot();
            _savedChanges = _changes;
            _dirtySince = null;
            _signalsSinceSnapshot = 0;
        }
        catch
        {
            state.State = previous;
            DeactivateOnIdle();
            throw;
        }
    }

    private static BeliefKey ToKey(string kind, string subject)
    {
        if (!CorrectionNames.TryParseKind(kind, out var parsed))
        {
            throw new ArgumentException($"Unknown belief kind '{kind}'.", nameof(kind));
        }
        if (InputRules.CheckCategory(subject.Split('@')[^1]) is { } error)
        {
            throw new ArgumentException(error, nameof(subject));
        }
        return new BeliefKey(parsed, subject);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} {Verdict} belief {BeliefId}")]
    private static partial void LogCorrected(ILogger logger, string userId, string verdict, string beliefId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Erased the self-model of {UserId} and {Signals} logged signals")]
    private static partial void LogErased(ILogger logger, string userId, int signals);
}
