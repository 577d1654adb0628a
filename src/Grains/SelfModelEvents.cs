using System.Diagnostics.Metrics;
using Clarity.Engine.Beliefs;

namespace Clarity.Grains;

/// <summary>
/// What self-models report as they change: Clarity's own metrics (meter <c>Clarity</c>) and an
/// event for in-process observers such as tests, which wait on it instead of sleeping.
/// </summary>
public sealed class SelfModelEvents : IDisposable
{
    public const string MeterName = "Clarity";

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _accepted;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _beliefChanges;
    private readonly Counter<long> _reranks;
    private readonly Counter<long> _suppressed;
    private readonly Counter<long> _candidates;
    private readonly Counter<long> _snapshots;
    private readonly Counter<long> _compactions;
    private readonly Counter<long> _rebuilds;

    public SelfModelEvents()
    {
        _accepted = _meter.CreateCounter<long>("clarity.signals.accepted", description: "Signals applied to self-models");
        _duplicates = _meter.CreateCounter<long>("clarity.signals.duplicates", description: "Signals ignored because their id was already accepted");
        _beliefChanges = _meter.CreateCounter<long>("clarity.beliefs.changes", description: "Beliefs created, flipped, demoted, promoted or pruned (tag: change)");
        _reranks = _meter.CreateCounter<long>("clarity.reranks", description: "Rerank decisions made");
        _candidates = _meter.CreateCounter<long>("clarity.rerank.candidates", description: "Candidates received by reranks");
        _suppressed = _meter.CreateCounter<long>("clarity.rerank.suppressed", description: "Candidates suppressed by reranks");
        _snapshots = _meter.CreateCounter<long>("clarity.snapshots", description: "Self-model snapshots written behind the signal log");
        _compactions = _meter.CreateCounter<long>("clarity.selfmodels.compacted", description: "Idle self-models folded into compact bytes in memory");
        _rebuilds = _meter.CreateCounter<long>("clarity.selfmodels.rebuilt", description: "Compacted self-models rebuilt for a call or housekeeping");
    }

    /// <summary>Raised after a housekeeping pass, with the grain key and what changed (possibly nothing).</summary>
    public event Action<string, IReadOnlyList<BeliefChange>>? Housekept;

    public void Ingested(int accepted, int duplicates)
    {
        _accepted.Add(accepted);
        _duplicates.Add(duplicates);
    }

    public void Changed(IReadOnlyList<BeliefChange> changes)
    {
        foreach (var change in changes)
        {
            if (change.Kind != ChangeKind.Evidence)
            {
                _beliefChanges.Add(1, new KeyValuePair<string, object?>("change", change.Kind.ToString().ToLowerInvariant()));
            }
        }
    }

    public void Reranked(int candidates, int suppressed)
    {
        _reranks.Add(1);
        _candidates.Add(candidates);
        _suppressed.Add(suppressed);
    }

    public void OnHousekept(string grainKey, IReadOnlyList<BeliefChange> changes)
    {
        Changed(changes);
        Housekept?.Invoke(grainKey, changes);
    }

    /// <summary>Raised after a snapshot was written, with the grain key and the log position it includes.</summary>
    public event Action<string, long>? Snapshotted;

    public void OnSnapshotted(string grainKey, long logPosition)
    {
        _snapshots.Add(1);
        Snapshotted?.Invoke(grainKey, logPosition);
    }

    /// <summary>
    /// Raised when an activation has loaded its snapshot and replayed the log after it: the grain
    /// key, the snapshot's log position, and the positions replayed on top, in order.
    /// </summary>
    public event Action<string, long, IReadOnlyList<long>>? Activated;

    public void OnActivated(string grainKey, long snapshotPosition, IReadOnlyList<State.LoggedSignal> replayed) =>
        Activated?.Invoke(grainKey, snapshotPosition, [.. replayed.Select(r => r.Position)]);

    /// <summary>Raised when an idle activation folded its model into compact bytes, with the grain key and their length.</summary>
    public event Action<string, int>? Compacted;

    public void OnCompacted(string grainKey, int bytes)
    {
        _compactions.Add(1);
        Compacted?.Invoke(grainKey, bytes);
    }

    /// <summary>Raised when a compacted activation rebuilt its model (for a call or housekeeping), with the grain key.</summary>
    public event Action<string>? Rebuilt;

    public void OnRebuilt(string grainKey)
    {
        _rebuilds.Add(1);
        Rebuilt?.Invoke(grainKey);
    }

    public void Dispose() => _meter.Dispose();
}
