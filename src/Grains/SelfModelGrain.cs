using Clarity.Engine;
using Clarity.Engine.Beliefs;
using Clarity.Engine.Ranking;
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
}

/// <summary>
/// One user's self-model in memory. Every method takes <c>now</c> from the injected clock, calls
/// the engine and persists what changed; decay is computed at read time, so correctness never
/// depends on the housekeeping timer.
/// </summary>
public sealed class SelfModelGrain(
    [PersistentState("selfmodel", StorageNames.Clarity)] IPersistentState<SelfModelState> state,
    BeliefEngine engine,
    TimeProvider clock,
    IOptions<SelfModelGrainOptions> options,
    SelfModelEvents events,
    ILogger<SelfModelGrain> logger) : Grain, ISelfModelGrain
{
    private readonly Reranker _reranker = new(engine);
    private SelfModel _model = new();
    private string _userId = "";

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _userId = SelfModelKey.Parse(this.GetPrimaryKeyString()).UserId;
        _model = state.State.ToModel(engine.Options);
        var period = options.Value.HousekeepingPeriod;
        this.RegisterGrainTimer(HousekeepAsync, new GrainTimerCreationOptions(period, period));
        return Task.CompletedTask;
    }

    public async Task<IngestResult> IngestAsync(IReadOnlyList<SignalData> signals)
    {
        ValidateBatch(signals);
        var accepted = 0;
        var changes = new List<BeliefChange>();
        foreach (var signal in signals)
        {
            if (engine.Apply(_model, signal.ToSignal(), changes))
            {
                accepted++;
            }
        }
        if (accepted > 0)
        {
            await PersistAsync();
        }
        events.Ingested(accepted, signals.Count - accepted);
        events.Changed(changes);
        return new IngestResult(accepted, signals.Count - accepted);
    }

    public Task<SelfModelView> GetSelfModelAsync(DateTimeOffset? asOf)
    {
        var at = asOf ?? clock.GetUtcNow();
        return Task.FromResult(new SelfModelView
        {
            UserId = _userId,
            AsOf = at,
            Beliefs = [.. engine.Evaluate(_model, at).Select(b => b.ToView())],
        });
    }

    public Task<RerankResponse> RerankAsync(RerankCall request)
    {
        var at = request.AsOf ?? clock.GetUtcNow();
        var result = _reranker.Rerank(_model, new RerankRequest(
            [.. request.Candidates.Select(c => c.ToCandidate())],
            at,
            request.Context,
            request.OptimizeFor,
            request.Limit));
        events.Reranked(request.Candidates.Count, result.Suppressed.Count);
        return Task.FromResult(result.ToResponse("d-" + Guid.NewGuid().ToString("N")));
    }

    private async Task HousekeepAsync(CancellationToken cancellationToken)
    {
        var changes = engine.Housekeep(_model, clock.GetUtcNow());
        if (changes.Count > 0)
        {
            await PersistAsync();
        }
        events.OnHousekept(this.GetPrimaryKeyString(), changes);
    }

    // Persist the whole model; if storage fails, fall back to what is stored so that nothing
    // half-applied is ever served, and let the caller see the failure.
    private async Task PersistAsync()
    {
        var previous = state.State;
        state.State = _model.ToState();
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Persisting the self-model of {UserId} failed; serving the stored state", _userId);
            state.State = previous;
            _model = previous.ToModel(engine.Options);
            throw;
        }
    }

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
