using Clarity.Engine.Signals;

namespace Clarity.Engine.Beliefs;

/// <summary>One entry of a belief's audit trail: the signal that moved it and by how much.</summary>
public sealed record TrailEntry(string SignalId, SignalType Type, DateTimeOffset OccurredAt, double Effect, string? Note = null);

/// <summary>
/// A proposition about one user with its evidence as a decayed Beta posterior: prior pseudo-counts
/// of the kind plus decayed sums of supporting and contradicting weights. Confidence and evidence
/// are computed at read time from <c>asOf</c>; nothing here depends on when it was last touched.
/// </summary>
public sealed partial class Belief
{
    private List<TrailEntry> _trail = [];

    public Belief(BeliefKey key, DateTimeOffset firstObservedAt)
    {
        Key = key;
        Id = key.Id();
        FirstObservedAt = firstObservedAt;
        LastObservedAt = firstObservedAt;
    }

    public BeliefKey Key { get; }

    public string Id { get; }

    // Fields, not properties: the engine adds to them in place.
    internal DecayedMass SupportMass;
    internal DecayedMass AgainstMass;

    /// <summary>Decayed sum of supporting weights.</summary>
    public DecayedMass Support { get => SupportMass; set => SupportMass = value; }

    /// <summary>Decayed sum of contradicting weights.</summary>
    public DecayedMass Against { get => AgainstMass; set => AgainstMass = value; }

    public int Observations { get; set; }

    public int Contradictions { get; set; }

    public DateTimeOffset FirstObservedAt { get; set; }

    public DateTimeOffset LastObservedAt { get; set; }

    public BeliefSource Source { get; set; } = BeliefSource.Inferred;

    /// <summary>
    /// The status right after the latest evidence. Kept because the active/dormant thresholds differ
    /// (hysteresis): the next status depends on the previous one. Between pieces of evidence the
    /// mass only decays, so the status at any later instant follows in closed form from this one.
    /// </summary>
    public BeliefStatus Status { get; set; } = BeliefStatus.Dormant;

    /// <summary>The status last reported by housekeeping (not stored: a restart may report a transition again).</summary>
    internal BeliefStatus ReportedStatus { get; set; } = BeliefStatus.Dormant;

    /// <summary>For replenishment: when the next purchase is expected (last purchase plus the mean interval).</summary>
    public DateTimeOffset? ExpectedAt { get; set; }

    /// <summary>Whether the statement held at the last evaluation (a flip is when this changes).</summary>
    public bool Holds { get; set; } = true;

    /// <summary>Most recent first, bounded by <see cref="EngineOptions.TrailLength"/>.</summary>
    public IReadOnlyList<TrailEntry> Trail => _trail;

    internal void Record(TrailEntry entry, int bound)
    {
        // Keep newest first by event time; insertion is near the front for in-order arrival.
        var index = 0;
        while (index < _trail.Count && _trail[index].OccurredAt > entry.OccurredAt)
        {
            index++;
        }
        if (index >= bound)
        {
            return;
        }
        _trail.Insert(index, entry);
        if (_trail.Count > bound)
        {
            _trail.RemoveAt(_trail.Count - 1);
        }
    }

    // Both readings of the statement, rendered on first use and kept: the text depends only on the
    // key and the truth value, and reads and reranks ask for it on every request.
    private string? _statementHolds;
    private string? _statementNot;

    /// <summary>The statement for one truth value, rendered once and reused.</summary>
    internal string Statement(bool holds) => holds
        ? _statementHolds ??= Statements.Render(Key, true)
        : _statementNot ??= Statements.Render(Key, false);

    public Belief Clone()
    {
        var copy = (Belief)MemberwiseClone();
        copy._trail = [.. _trail];
        return copy;
    }

    public void RestoreTrail(IEnumerable<TrailEntry> entries)
    {
        _trail.Clear();
        _trail.AddRange(entries);
    }
}
