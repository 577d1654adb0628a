namespace Clarity.Engine.Beliefs;

/// <summary>A belief evaluated at one instant: what the API and rerank read.</summary>
public sealed record BeliefSnapshot(
    Belief Belief,
    double Confidence,
    double Evidence,
    BeliefStatus Status,
    bool Holds,
    string Statement,
    double HalfLifeDays)
{
    public string Id => Belief.Id;

    public BeliefKey Key => Belief.Key;

    /// <summary>The ordering key of the self-model: confidence times evidence.</summary>
    public double Weight => Confidence * Evidence;
}

/// <summary>What an operation changed, as data: tests assert on it and the trail reuses it.</summary>
public enum ChangeKind
{
    Created,
    Evidence,
    Flipped,
    Activated,
    Dormant,
    Pruned,
}

public sealed record BeliefChange(ChangeKind Kind, string BeliefId, BeliefKey Key, string? SignalId = null, double Effect = 0);
